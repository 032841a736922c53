#include "models/smb_wire.hpp"

namespace offload::models {
namespace {

constexpr double kTransport = 4;   // Direct TCP header (MS-SMB2 2.1)
constexpr double kHeader = 64;     // SMB2 header (2.2.1)
constexpr double kIoctlRequest = 56;   // 2.2.31
constexpr double kIoctlResponse = 48;  // 2.2.32

}  // namespace

double smb_message_bytes(SmbRequest request, bool response, int chunks) {
  double body = 0;
  switch (request) {
    case SmbRequest::read: body = response ? 16 : 48; break;
    case SmbRequest::write: body = response ? 16 : 48; break;
    case SmbRequest::resume_key: body = response ? kIoctlResponse + 24 + 4 : kIoctlRequest; break;
    case SmbRequest::copychunk: body = response ? kIoctlResponse + 12 : kIoctlRequest + 32 + 24.0 * chunks; break;
    case SmbRequest::duplicate_extents: body = response ? kIoctlResponse : kIoctlRequest + 40; break;
    case SmbRequest::close: body = response ? 60 : 24; break;
    case SmbRequest::metadata:  // CREATE + QUERY_INFO + CLOSE, each with its header
      return kTransport + 3 * kHeader + (response ? 88 + 8 + 104 + 60 : 88 + 40 + 24);
  }
  return kTransport + kHeader + body;
}

}  // namespace offload::models
