// Bytes of the NFSv4.2 RPCs the NFS model sends, without READ/WRITE data,
// from their XDR encodings (4-byte units, opaques padded to 4):
//  - RPC over TCP: a 4-byte record mark per message (RFC 5531 section 11);
//  - call header (RFC 5531 section 9): xid, type, rpcvers, prog, vers, proc
//    (24), AUTH_SYS credential (flavor, length, stamp, 16-byte machine name,
//    uid, gid, no extra gids: 44) and an AUTH_NONE verifier (8) = 76;
//    accepted reply header: xid, type, reply_stat, verifier, accept_stat = 24;
//  - COMPOUND (RFC 5661 section 16.2): empty tag, minorversion, op count =
//    12 (reply: status, tag, count = 12); every compound starts with
//    SEQUENCE (section 18.46: 36, reply 44) and PUTFH of a 28-byte Linux
//    nfsd file handle (36, reply 8);
//  - then the operation: READ 32 (reply 16 + data), WRITE 36 + data (reply
//    24), COPY (RFC 7862 section 15.2, after SAVEFH + PUTFH of the
//    destination: 4 + 36) 72 (reply: write_response with or without a
//    callback id + copy requirements = 40 / 56, after 8 + 8),
//    OFFLOAD_STATUS 20 (reply 24), OFFLOAD_CANCEL 20 (reply 8), CLONE (RFC
//    7862 section 15.13, after SAVEFH + PUTFH) 60 (reply 8 + 8 + 8),
//    COPY_NOTIFY 44 (a 16-byte netloc name; reply 64);
//  - OPEN of the source (RFC 5661 section 18.16, claim by a 16-byte name,
//    a 24-byte owner, + GETFH, ACCESS, GETATTR) call 112 (reply 232: the
//    stateid, change info, file handle, access and ~88 bytes of attributes)
//    and the end of a copy: COMMIT + CLOSE call 40 (reply 40);
//  - CB_OFFLOAD (RFC 7862 section 16.1) on the back channel: CB_COMPOUND
//    (16) + CB_SEQUENCE (40) + CB_OFFLOAD (file handle, stateid,
//    write_response = 80) after the call header; reply 60 after its header.
// The Linux client adds operations the RFC does not require (GETATTR after
// WRITE, COPY and CLONE); they are not counted.
#pragma once

namespace offload::models {

/// The RPCs of the NFS model.
enum class NfsRpc { read, write, copy_sync, copy_async, offload_status, offload_cancel, cb_offload, clone, copy_notify,
                    open, close };

/// Bytes of the call (or, with `reply`, of the reply) of `rpc` on the wire
/// above TCP, without READ or WRITE data.
double nfs_rpc_bytes(NfsRpc rpc, bool reply);

}  // namespace offload::models
