// The mount a path lives on, from /proc/self/mountinfo (proc(5),
// "/proc/pid/mountinfo"): its mount point, filesystem type, source and
// super-block options (where an NFS mount says "vers=4.2").
#pragma once

#include <optional>
#include <string>

namespace offload::cli {

/// One line of mountinfo.
struct MountEntry {
  std::string mount_point;  ///< where it is mounted ("/mnt/data")
  std::string fs_type;      ///< field 9: "xfs", "nfs4", ...
  std::string source;       ///< field 10: "/dev/loop3", "server:/export"
  std::string options;      ///< per-mount and super-block options, comma-separated
  /// The value of option `key` ("vers" -> "4.2"), or "" when absent.
  [[nodiscard]] std::string option(const std::string& key) const;
};

/// The entry whose device (major:minor) is `device` and whose mount point
/// is the longest prefix of `path` (a bind mount or a stacked mount shows
/// the same device more than once). `mountinfo_text` is the file's text.
std::optional<MountEntry> find_mount(const std::string& mountinfo_text, unsigned long device, const std::string& path);

/// The entry whose mount point is the longest prefix of `path`, whatever its
/// device: a btrfs subvolume's st_dev is not the one mountinfo lists.
std::optional<MountEntry> find_mount_by_path(const std::string& mountinfo_text, const std::string& path);

/// The text of /proc/self/mountinfo ("" when it cannot be read).
std::string read_mountinfo();

}  // namespace offload::cli

namespace offload::cli {

/// Operations of NFS procedure `op` ("COPY", "CLONE") the client sent on the
/// mount at `mount_point`, from the text of /proc/self/mountstats (the
/// per-op statistics: first number of the "OP:" line in that mount's
/// section); nullopt when not listed.
std::optional<unsigned long> nfs_op_count(const std::string& mountstats_text, const std::string& mount_point,
                                          const std::string& op);

/// The text of /proc/self/mountstats ("" when it cannot be read).
std::string read_mountstats();

}  // namespace offload::cli
