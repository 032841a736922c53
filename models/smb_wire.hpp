// Bytes of the SMB2/3 messages the SMB model sends, without READ/WRITE
// data, from MS-SMB2 (structure sizes as the StructureSize fields give
// them, the one-byte variable buffer placeholders not counted):
//  - Direct TCP transport: a 4-byte header per message (MS-SMB2 2.1);
//  - SMB2 header: 64 bytes (2.2.1), every request and response;
//  - READ request 48 (2.2.19), response 16 + data (2.2.20);
//  - WRITE request 48 + data (2.2.21), response 16 (2.2.22);
//  - IOCTL request 56 + input (2.2.31), response 48 + output (2.2.32);
//  - FSCTL_SRV_REQUEST_RESUME_KEY: no input; output 24-byte key + 4-byte
//    context length (2.2.32.3);
//  - FSCTL_SRV_COPYCHUNK_WRITE: input SRV_COPYCHUNK_COPY, 24-byte source
//    key + chunk count + reserved = 32, plus 24 per SRV_COPYCHUNK (offsets
//    8 + 8, length 4, reserved 4; 2.2.31.1, 2.2.31.1.1); output
//    SRV_COPYCHUNK_RESPONSE 12 (2.2.32.1);
//  - FSCTL_DUPLICATE_EXTENTS_TO_FILE: input DUPLICATE_EXTENTS_DATA, a
//    16-byte file id and three 8-byte fields = 40 (MS-FSCC 2.3.8); no output;
//  - a metadata exchange, the Linux client's compound of CREATE, QUERY_INFO
//    and CLOSE in one send (3.2.4.1.4; smb2_compound_op in
//    fs/smb/client/smb2inode.c) for a lookup, a stat or an open: three
//    SMB2 headers; CREATE request 56 + a name of ~32 bytes UTF-16 (2.2.13),
//    response 88 (2.2.14); QUERY_INFO request 40 (2.2.37), response 8 +
//    FileAllInformation, 104 bytes with a short name (2.2.38, MS-FSCC
//    2.4.2); CLOSE request 24 (2.2.15), response 60 (2.2.16);
//  - a CLOSE alone (the model's stand-in for the round trips the client
//    waits for beyond its counted sends): request 24, response 60.
// No signing or encryption (TRANSFORM_HEADER, 52 bytes, 2.2.41).
#pragma once

namespace offload::models {

/// The SMB2 requests of the SMB model.
enum class SmbRequest { read, write, resume_key, copychunk, duplicate_extents, metadata, close };

/// Bytes of the request (or, with `response`, of the response) of `request`
/// on the wire above TCP, without READ or WRITE data; `chunks` is the
/// number of SRV_COPYCHUNK entries of a copychunk request.
double smb_message_bytes(SmbRequest request, bool response, int chunks = 1);

}  // namespace offload::models
