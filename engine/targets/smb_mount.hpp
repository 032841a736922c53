// What the engine can tell about a copy on a Linux SMB client mount (cifs):
// which SMB2 request carries each offload, and why the server-side one was
// refused, from the errno the client returns. The client turns
// copy_file_range into FSCTL_SRV_REQUEST_RESUME_KEY plus
// FSCTL_SRV_COPYCHUNK_WRITE requests and FICLONERANGE into
// FSCTL_DUPLICATE_EXTENTS_TO_FILE (MS-SMB2 2.2.31, 3.2.4.20.2 / 3.2.4.20.3).
#pragma once

#include <string>
#include <string_view>

#include "engine/types.hpp"

namespace offload {

/// True for the filesystems of the Linux SMB client ("cifs", "smb2").
bool is_smb_filesystem(std::string_view filesystem);

/// The SMB2 request an offloaded method becomes on an SMB mount
/// ("FSCTL_SRV_COPYCHUNK_WRITE", "FSCTL_DUPLICATE_EXTENTS_TO_FILE"), or ""
/// for the methods that are not server-side.
std::string_view smb_request_of(Method method);

/// Why the SMB client refused `method` with `errno_value` for a file pair on
/// SMB mounts (`same_mount`: both files on one mount, i.e. one share):
/// server refused, cross-share or cross-session, size limits. "" when the
/// errno says nothing SMB-specific.
std::string smb_refusal(Method method, int errno_value, bool same_mount);

}  // namespace offload
