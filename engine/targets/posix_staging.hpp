// Hidden staging names of atomic copies and the cleanup of those a killed
// copy left behind.
//
// An atomic copy stages its data in an O_TMPFILE. Publishing into a free
// name is one linkat(2), atomic on its own. Replacing an existing file
// cannot be one step: linkat(2) never replaces a name, and rename(2), the
// only call that atomically replaces one, needs the data under a name
// first (renameat2 RENAME_EXCHANGE too, and it then leaves the old file
// under that name). So the replacing publish links the data under a hidden
// staging name ".NAME.offload-N" and renames it over NAME. Filesystems
// without O_TMPFILE (NFS, FUSE) stage under that name from the start.
//
// A copy killed between those steps leaves a complete staging file. Each
// staging file carries an open-file-description lock (F_OFD_SETLK) from
// the moment it exists until its copy ends; the kernel drops the lock when
// the process dies. The next copy to the same NAME removes every
// ".NAME.offload-N" it can lock, i.e. every one whose copy is gone, and
// never one a live copy holds. N is a slot number below kStagingSlots, so
// the cleanup looks up a fixed set of names instead of reading the
// directory. (Where the filesystem has no O_TMPFILE, a staging file is
// created before it can be locked: a cleanup in that instant can remove
// it, and that copy then fails at publish with nothing lost.)
#pragma once

#include <sys/types.h>

#include <expected>
#include <string>

namespace offload {

/// Concurrent atomic copies one destination name can have (staging slots).
inline constexpr unsigned kStagingSlots = 16;

/// The hidden staging name of `name` in slot `slot`.
std::string staging_name(const std::string& name, unsigned slot);

/// Takes the staging lock on `fd` (open for writing); false if another holds it.
bool lock_staging(int fd);

/// Removes the staging files of `name` in `directory_fd` whose copies are gone.
void remove_stale_staging(int directory_fd, const std::string& name);

/// Creates a new, locked staging file for `name` (O_CREAT | O_EXCL, `mode`);
/// its fd and name, or the errno.
std::expected<std::pair<int, std::string>, int> create_staging_file(int directory_fd, const std::string& name,
                                                                   mode_t mode);

/// Links the (locked) unnamed file `fd` under a free staging name of `name`;
/// that name, or the errno.
std::expected<std::string, int> link_staging_name(int directory_fd, int fd, const std::string& name);

}  // namespace offload
