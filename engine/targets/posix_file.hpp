// Real files through POSIX and Linux calls: FICLONERANGE (clone),
// copy_file_range (kernel-copy), pread/pwrite (host), SEEK_DATA/SEEK_HOLE
// (sparse maps), fallocate PUNCH_HOLE (zeroing), O_TMPFILE + linkat or
// renameat2 (atomic publish).
//
// Destination claim, made in open() so conflicts fail at submit:
//  - default: the name is created with O_EXCL (EEXIST if it exists); on
//    failure or cancel the engine's abort removes the file it created;
//  - overwrite: an existing regular file is reused (truncated for a whole
//    file copy, written in place for a range);
//  - atomic: the name is checked at submit and the data staged in an
//    O_TMPFILE (or a hidden ".NAME.offload-XXXXXX" where the filesystem has
//    no O_TMPFILE); finish publishes it with linkat/RENAME_NOREPLACE (or a
//    replacing rename with overwrite). A failed, cancelled or killed copy
//    leaves nothing under the final name.
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
