// The identity of a file an atomic copy replaces: owner, group, mode and
// extended attributes (POSIX ACLs and security labels are extended
// attributes too). An in-place overwrite keeps them because the file stays
// the same inode; an atomic replace publishes a new inode, so it copies
// them onto its staging file first, as `cp --preserve=mode,ownership,xattr`
// would from the old file.
#pragma once

namespace offload {

/// Gives `to_fd` the owner, group, mode and extended attributes of
/// `from_fd`, as far as the caller may: a chown another user's file needs
/// privilege (CAP_CHOWN); without it the owner stays the caller and the
/// set-user-ID and set-group-ID bits are dropped, as cp does.
void copy_identity(int from_fd, int to_fd);

}  // namespace offload
