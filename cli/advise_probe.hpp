// `offload advise`, part 1: what the real path from SOURCE to DESTINATION
// allows, found without writing data anywhere but into temporary files in
// the destination's directory (removed before returning):
//  - filesystem types: statfs(2) f_type of the source and the directory;
//  - same filesystem: stat(2) st_dev of both;
//  - reflink: FICLONERANGE (ioctl_ficlonerange(2)) of the source's first
//    64 KiB into a temporary file;
//  - copy_file_range(2) of the same bytes into another temporary file, and
//    whether the copy shares extents with the source (FIEMAP
//    FIEMAP_EXTENT_SHARED: the filesystem remapped instead of copying);
//  - the block device under a local filesystem: SCSI LUN or NVMe namespace
//    copy offload (advise_block.hpp);
//  - NFS: the mount's "vers=" option (/proc/self/mountinfo) and whether the
//    probes above went to the server as COPY / CLONE operations
//    (/proc/self/mountstats counters before and after, RFC 7862 15.2, 15.13):
//    a server that answers COPY / CLONE offers it (the client falls back to
//    READ and WRITE, or fails, when it does not);
//  - SMB: the mount's dialect ("vers=" option) and whether the probes went
//    to the server as FSCTL_DUPLICATE_EXTENTS_TO_FILE (FICLONERANGE) and
//    FSCTL_SRV_REQUEST_RESUME_KEY + FSCTL_SRV_COPYCHUNK_WRITE
//    (copy_file_range): the share's IOCTL counters in /proc/fs/cifs/Stats
//    before and after, sent and failed (MS-SMB2 3.2.4.20; the Linux client
//    copies through itself with READ and WRITE when the server refuses);
//  - a network mount (NFS, SMB): the link to its server ("addr=" option,
//    advise_link.hpp), the mount's rsize (the client's READ size) and one
//    request's round trip to the server, timed (advise_round_trip.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/advise_link.hpp"
#include "cli/advise_round_trip.hpp"

namespace offload::cli {

/// A path or option the user gave does not work (exit code 2).
class AdviseUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One probe result and how it was found.
struct ProbeFinding {
  std::string what;    ///< "destination filesystem"
  std::string result;  ///< "xfs"
  std::string how;     ///< "statfs f_type 0x58465342"
};

/// What copy_file_range did on the probe.
enum class CopyRangeBehaviour { remaps, copies, fails };

/// Everything the probe found.
struct PathProbe {
  std::string source;                ///< the source file
  std::string destination;           ///< the destination file (DIR/NAME when a directory was given)
  std::string destination_dir;       ///< the directory the copy and the probe files go into
  std::uint64_t source_bytes = 0;    ///< the source's size (bytes)
  std::string source_fs;             ///< "xfs", "ext4", "nfs", ... (engine's names)
  std::string destination_fs;        ///< same, of the destination directory
  bool same_fs = false;              ///< st_dev equal
  bool clone_works = false;          ///< FICLONERANGE succeeded
  std::string clone_error;           ///< "EOPNOTSUPP", "EXDEV", ... ("" when it worked)
  CopyRangeBehaviour copy_range = CopyRangeBehaviour::fails;  ///< copy_file_range on the probe
  std::string copy_range_error;      ///< errno name when it failed
  std::string nfs_version;           ///< "4.2" when the destination is an NFS mount ("" otherwise)
  std::optional<unsigned long> nfs_copy_ops;   ///< COPY operations the copy_file_range probe sent (NFS only)
  std::optional<unsigned long> nfs_clone_ops;  ///< CLONE operations the FICLONERANGE probe sent (NFS only)
  std::string smb_dialect;           ///< "3.1.1" when the destination is an SMB mount ("" otherwise)
  std::optional<unsigned long> smb_copy_ioctls;   ///< IOCTLs the copy_file_range probe sent, 0 when the server failed any (SMB only)
  std::optional<unsigned long> smb_clone_ioctls;  ///< IOCTLs the FICLONERANGE probe sent, 0 when the server failed any (SMB only)
  std::string network_fs;            ///< "nfs4", "cifs", ... when the destination is a network mount ("" otherwise)
  std::uint64_t read_size = 0;       ///< the network mount's rsize (bytes; 0 = not given)
  std::uint64_t write_size = 0;      ///< the network mount's wsize (bytes; 0 = not given)
  std::optional<LinkProbe> link;     ///< the link to the server of a network mount
  RoundTrip round_trip;              ///< timed requests to the server of a network mount (median_s 0 = not measured)
  /// Server-side copy: copy_file_range worked and went to the server as
  /// NFS COPY or as SMB copychunk (IOCTLs the server did not fail).
  [[nodiscard]] bool server_copy() const {
    return copy_range != CopyRangeBehaviour::fails && (nfs_copy_ops.value_or(0) > 0 || smb_copy_ioctls.value_or(0) > 0);
  }
  /// Server-side clone: FICLONERANGE worked and went to the server as NFS
  /// CLONE or SMB FSCTL_DUPLICATE_EXTENTS_TO_FILE.
  [[nodiscard]] bool server_clone() const {
    return clone_works && (nfs_clone_ops.value_or(0) > 0 || smb_clone_ioctls.value_or(0) > 0);
  }
  std::vector<ProbeFinding> findings;  ///< every result, in probe order
};

/// Probes the path; throws AdviseUsageError for a missing or unreadable
/// source, a source that is not a regular file, or a destination directory
/// that does not exist.
PathProbe probe_path(const std::string& source, const std::string& destination);

}  // namespace offload::cli
