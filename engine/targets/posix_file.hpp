// Real files through POSIX and Linux calls: FICLONERANGE (clone),
// copy_file_range (kernel-copy), pread/pwrite (host), SEEK_DATA/SEEK_HOLE
// (sparse maps), fallocate PUNCH_HOLE (zeroing), O_TMPFILE + linkat or
// renameat2 (atomic publish).
//
// Destination claim, made in open() so conflicts fail at submit:
//  - a pinned clone or kernel-copy is first probed with a zero-length call
//    (same checks as a real one, no data moved): where it cannot work the
//    request is refused before the destination is created or changed;
//  - default: the name is created with O_EXCL (EEXIST if it exists); on
//    failure or cancel the engine's abort removes the file it created, but
//    only while the name still holds that file and its size and times are
//    those this copy's last operation left (another writer's file stays);
//  - overwrite: an existing regular file is reused in place, like cp
//    (emptied for a whole-file copy, written in place for a range);
//  - a file written under its final name is never sized up front: it grows
//    in order as data lands (TargetInfo::destination_grows_in_order) and
//    gets its final size (trailing holes) when the copy finishes, so after
//    a kill it is a prefix of the source no longer than the data written;
//  - atomic: the name is checked at submit and the data staged in an
//    O_TMPFILE (or a hidden ".NAME.offload-N" where the filesystem has no
//    O_TMPFILE); finish publishes it with linkat/RENAME_NOREPLACE (or, to
//    replace, a linkat to ".NAME.offload-N" and a rename). A failed,
//    cancelled or killed copy leaves nothing under the final name; a
//    staging file a killed copy left is removed by the next copy to that
//    name (posix_staging.hpp).
//  - atomic + overwrite: refused where writing in place would be (no
//    write permission on the file) and where the file has other hard links
//    (EMLINK); the published file takes the replaced one's owner, mode and
//    extended attributes (posix_identity.hpp).
//  - a destination that is a symbolic link is followed in every mode (the
//    file it names is written or replaced, the link stays); a dangling one
//    is refused at submit, as cp refuses to write through it.
// abort() reports what it left (DestinationLeft).
#pragma once

#include <memory>

#include "engine/target.hpp"

namespace offload {

/// Opens regular files on local (or NFS/FUSE-mounted) filesystems.
class PosixFileFactory final : public TargetFactory {
 public:
  /// Validates paths and ranges and claims the destination.
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;
};

/// Name of the filesystem holding an open fd ("xfs", "btrfs", "ext4",
/// "tmpfs", "nfs", "fuse", ... or "0x<magic>").
std::string filesystem_name(int fd);

}  // namespace offload
