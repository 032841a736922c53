#include "engine/targets/smb_mount.hpp"

#include <cerrno>

namespace offload {

bool is_smb_filesystem(std::string_view filesystem) { return filesystem == "cifs" || filesystem == "smb2"; }

std::string_view smb_request_of(Method method) {
  switch (method) {
    case Method::kernel_copy: return "FSCTL_SRV_COPYCHUNK_WRITE";
    case Method::clone: return "FSCTL_DUPLICATE_EXTENTS_TO_FILE";
    default: return "";
  }
}

std::string smb_refusal(Method method, int errno_value, bool same_mount) {
  std::string request(smb_request_of(method));
  if (request.empty()) return "";
  if (method == Method::clone) {
    // The VFS refuses a clone between two mounts before the client sees it
    // (fs/remap_range.c); the server answers STATUS_NOT_SUPPORTED or
    // STATUS_INVALID_PARAMETER when its filesystem cannot share extents.
    if (errno_value == EXDEV) {
      return "cross-share: " + request + " works within one share, and the files are on different SMB mounts";
    }
    if (errno_value == EOPNOTSUPP || errno_value == EINVAL) {
      return "SMB server refused " + request + " (its filesystem cannot share extents, e.g. ext4, or it does not offer the request)";
    }
    return "";
  }
  // copychunk: the client needs both files in one SMB session (its resume
  // key names the source only to the server that issued it, MS-SMB2
  // 3.3.5.15.6), and the server refuses requests above its chunk limits
  // with STATUS_INVALID_PARAMETER and its limits in the response.
  if (errno_value == EXDEV) {
    return std::string(same_mount ? "" : "cross-share/cross-server: ") + request +
           " needs both files in one SMB session (one server, one user)";
  }
  if (errno_value == EOPNOTSUPP) return "SMB server refused " + request;
  if (errno_value == EINVAL) {
    return "SMB server refused the " + request + " request (STATUS_INVALID_PARAMETER: chunk count or size above its limits, or a bad range)";
  }
  return "";
}

}  // namespace offload
