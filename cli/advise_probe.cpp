#include "cli/advise_probe.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fmt/core.h>

#include "cli/advise_block.hpp"
#include "cli/advise_mount.hpp"
#include "cli/cifs_stats.hpp"
#include "cli/file_check.hpp"
#include "engine/targets/posix_file.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

constexpr std::uint64_t kProbeBytes = 64 << 10;  // a multiple of every block size in use (4 KiB .. 64 KiB)

// An open descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int value) : fd(value) {}
  ~Fd() { if (fd >= 0) close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// A new empty file in `directory`, unlinked when this goes out of scope.
class ProbeFile {
 public:
  explicit ProbeFile(const std::string& directory) : path_(directory + "/.offload-advise-probe-XXXXXX") {
    fd_ = mkostemp(path_.data(), O_CLOEXEC);
    if (fd_ < 0) error_ = errno;
  }
  ~ProbeFile() {
    if (fd_ >= 0) {
      close(fd_);
      unlink(path_.c_str());
    }
  }
  ProbeFile(const ProbeFile&) = delete;
  ProbeFile& operator=(const ProbeFile&) = delete;
  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] int error() const { return error_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  int error_ = 0;
};

std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : std::to_string(error);
}

std::string fs_how(const std::string& path) {
  struct statfs fs {};
  if (statfs(path.c_str(), &fs) != 0) return "statfs failed: " + errno_name(errno);
  return fmt::format("statfs f_type 0x{:x}", static_cast<unsigned long>(fs.f_type));
}

std::string fs_of(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd.fd < 0 ? "unknown" : filesystem_name(fd.fd);
}

bool is_smb_fs(const std::string& fs_type) { return fs_type == "cifs" || fs_type == "smb3"; }

// The share a cifs mount's source names ("//10.9.0.1/xfs" -> "xfs").
std::string smb_share(const MountEntry& mount) { return mount.source.substr(mount.source.find_last_of("/\\") + 1); }

// The server's counters of the destination's mount: the NFS operation `nfs_op`
// (mountstats), or the SMB share's requests (/proc/fs/cifs/Stats); neither on a local mount.
struct ServerCounters {
  std::optional<unsigned long> nfs_ops;
  std::optional<CifsShareCounters> smb;
};

ServerCounters server_counters(const std::optional<MountEntry>& mount, const char* nfs_op) {
  if (!mount) return {};
  if (mount->fs_type.compare(0, 3, "nfs") == 0) return {nfs_op_count(read_mountstats(), mount->mount_point, nfs_op), {}};
  if (is_smb_fs(mount->fs_type)) return {std::nullopt, read_cifs_stats(smb_share(*mount))};
  return {};
}

// What went to the server between two readings, and the text saying so ("" on a local mount).
// NFS: operations of `nfs_op` sent; SMB: the IOCTLs (`fsctls`) sent, 0 when the server failed any (a refused
// copychunk leaves the client copying with READ and WRITE), and READ/WRITE.
std::string server_ops_text(const ServerCounters& before, const ServerCounters& after, const char* nfs_op,
                            const char* fsctls, std::optional<unsigned long>& nfs_sent,
                            std::optional<unsigned long>& smb_done) {
  if (before.nfs_ops && after.nfs_ops) {
    nfs_sent = *after.nfs_ops - *before.nfs_ops;
    return fmt::format("; {} operations sent to the server: {} (mountstats)", nfs_op, *nfs_sent);
  }
  if (before.smb && after.smb) {
    CifsShareCounters sent = after.smb->since(*before.smb);
    smb_done = sent.failed_of("IOCTLs") > 0 ? 0 : sent.of("IOCTLs");
    return fmt::format("; IOCTLs ({}) sent to the server: {}, failed {}; READ/WRITE {}/{} (/proc/fs/cifs/Stats)", fsctls,
                       sent.of("IOCTLs"), sent.failed_of("IOCTLs"), sent.of("Reads"), sent.of("Writes"));
  }
  return "";
}

void probe_clone(PathProbe& p, int source_fd, const std::optional<MountEntry>& mount) {
  ProbeFile target(p.destination_dir);
  if (target.fd() < 0) {
    throw AdviseUsageError(fmt::format("{}: cannot create a temporary file for the probes: {}", p.destination_dir,
                                       std::strerror(target.error())));
  }
  ServerCounters before = server_counters(mount, "CLONE");
  file_clone_range range{.src_fd = source_fd, .src_offset = 0,
                         .src_length = p.source_bytes >= kProbeBytes ? kProbeBytes : 0, .dest_offset = 0};
  p.clone_works = ioctl(target.fd(), FICLONERANGE, &range) == 0;
  p.clone_error = p.clone_works ? "" : errno_name(errno);
  std::string how = fmt::format("FICLONERANGE of the source's first {} into a temporary file in {}: {}",
                                p.source_bytes >= kProbeBytes ? "64 KiB" : "bytes", p.destination_dir,
                                p.clone_works ? "ok" : p.clone_error);
  how += server_ops_text(before, server_counters(mount, "CLONE"), "CLONE", "FSCTL_DUPLICATE_EXTENTS_TO_FILE",
                         p.nfs_clone_ops, p.smb_clone_ioctls);
  p.findings.push_back({"reflink (clone)", p.clone_works ? "yes" : "no", how});
}

void probe_copy_range(PathProbe& p, int source_fd, const std::optional<MountEntry>& mount) {
  ProbeFile target(p.destination_dir);
  if (target.fd() < 0) return;  // probe_clone already reported this
  ServerCounters before = server_counters(mount, "COPY");
  std::uint64_t length = std::min(p.source_bytes, kProbeBytes);
  loff_t in = 0, out = 0;
  ssize_t copied = length == 0 ? 0 : copy_file_range(source_fd, &in, target.fd(), &out, length, 0);
  int error = errno;
  // Read before FIEMAP: on SMB, FIEMAP is an IOCTL too (FSCTL_QUERY_ALLOCATED_RANGES).
  std::string server = server_ops_text(before, server_counters(mount, "COPY"), "COPY",
                                       "FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK_WRITE", p.nfs_copy_ops,
                                       p.smb_copy_ioctls);
  std::string result, how;
  if (copied < 0 || length == 0) {
    p.copy_range = CopyRangeBehaviour::fails;
    p.copy_range_error = length == 0 ? "empty source" : errno_name(error);
    result = "fails";
    how = "copy_file_range into a temporary file: " + p.copy_range_error;
  } else {
    auto shared = shares_extents(target.path());
    p.copy_range = shared.value_or(false) ? CopyRangeBehaviour::remaps : CopyRangeBehaviour::copies;
    result = p.copy_range == CopyRangeBehaviour::remaps ? "remaps extents (metadata only)" : "copies data in the kernel";
    how = fmt::format("copy_file_range of {} bytes into a temporary file: ok; FIEMAP: {}", copied,
                      shared ? (*shared ? "extents shared with the source" : "no shared extents") : shared.error());
  }
  how += server;
  // FIEMAP cannot tell on a network mount; the counters can.
  if (p.server_copy()) result = p.smb_copy_ioctls ? "the server copies (copychunk)" : "the server copies (NFS COPY)";
  p.findings.push_back({"copy_file_range", result, how});
}

bool is_network_fs(const std::string& fs_type) { return fs_type.compare(0, 3, "nfs") == 0 || is_smb_fs(fs_type); }

// What the NFS server answered to the probes' COPY and CLONE.
void report_server_offload(PathProbe& p) {
  if (p.nfs_copy_ops) {
    p.findings.push_back({"NFS server COPY", p.server_copy() ? "offered" : "not used",
                          fmt::format("copy_file_range probe {}, {} COPY sent (mountstats)",
                                      p.copy_range == CopyRangeBehaviour::fails ? "failed" : "worked", *p.nfs_copy_ops)});
  }
  if (p.nfs_clone_ops) {
    p.findings.push_back({"NFS server CLONE", p.server_clone() ? "offered" : "not offered",
                          fmt::format("FICLONERANGE probe {}, {} CLONE sent (mountstats)",
                                      p.clone_works ? "worked" : "failed: " + p.clone_error, *p.nfs_clone_ops)});
  }
  auto answered = [](unsigned long ioctls) {
    return ioctls > 0 ? fmt::format("{} IOCTL(s) answered, none failed (/proc/fs/cifs/Stats)", ioctls)
                      : std::string("no IOCTL answered without a failure (/proc/fs/cifs/Stats)");
  };
  if (p.smb_copy_ioctls) {
    p.findings.push_back({"SMB server copychunk", p.server_copy() ? "offered" : "not used",
                          fmt::format("copy_file_range probe {}, {}",
                                      p.copy_range == CopyRangeBehaviour::fails ? "failed" : "worked",
                                      answered(*p.smb_copy_ioctls))});
  }
  if (p.smb_clone_ioctls) {
    p.findings.push_back({"SMB duplicate extents", p.server_clone() ? "offered" : "not offered",
                          fmt::format("FICLONERANGE probe {}, {}", p.clone_works ? "worked" : "failed: " + p.clone_error,
                                      answered(*p.smb_clone_ioctls))});
  }
}

// The link to a network mount's server, each rate with how it was found.
void probe_network(PathProbe& p, const MountEntry& mount) {
  p.network_fs = mount.fs_type;
  std::string rsize = mount.option("rsize"), wsize = mount.option("wsize");
  if (!rsize.empty()) p.read_size = std::strtoull(rsize.c_str(), nullptr, 10);
  if (!wsize.empty()) p.write_size = std::strtoull(wsize.c_str(), nullptr, 10);
  p.round_trip = probe_round_trip(mount.mount_point);
  p.findings.push_back({"round trip to the server",
                        p.round_trip.median_s > 0 ? fmt::format("{} ({}-{})", format_duration(p.round_trip.median_s),
                                                                format_duration(p.round_trip.min_s),
                                                                format_duration(p.round_trip.max_s))
                                                  : "unknown",
                        p.round_trip.how});
  std::string address = mount.option("addr");
  if (address.empty()) {
    p.findings.push_back({"network link", "unknown", "/proc/self/mountinfo: no addr= option on " + mount.mount_point});
    return;
  }
  LinkProbe link = probe_link(address);
  p.findings.push_back({"server address", address, "/proc/self/mountinfo: addr= of " + mount.mount_point});
  p.findings.push_back({"route to the server", link.interface.empty() ? "unknown" : link.interface, link.route_how});
  if (!link.interface.empty()) {
    p.findings.push_back({"interface line rate", link.line_rate_Bps > 0 ? bits_text(link.line_rate_Bps) : "unknown",
                          link.line_rate_how});
    p.findings.push_back({"traffic shaping", link.shaping.empty() ? "none" : bits_text(link.shaping.front().rate_Bps),
                          link.shaping_how});
    p.findings.push_back({"link rate", link.rate_Bps() > 0 ? bits_text(link.rate_Bps()) : "unknown",
                          "the slowest of the line rate and the shaping"});
  }
  p.link = link;
}

// The block device a mount sits on: its source's device numbers when that is
// a block node (btrfs's st_dev is an anonymous device), else st_dev.
dev_t block_device_of(const std::optional<MountEntry>& mount, dev_t st_dev) {
  struct stat node {};
  if (mount && mount->source.compare(0, 5, "/dev/") == 0 && stat(mount->source.c_str(), &node) == 0 &&
      S_ISBLK(node.st_mode)) {
    return node.st_rdev;
  }
  return st_dev;
}

// SCSI LUN / NVMe namespace findings of the source's and the destination's devices (one set when they share a disk).
void probe_block_devices(PathProbe& p, const std::optional<MountEntry>& source_mount, dev_t source_dev,
                         const std::optional<MountEntry>& destination_mount, dev_t destination_dev) {
  dev_t source = block_device_of(source_mount, source_dev);
  dev_t destination = block_device_of(destination_mount, destination_dev);
  bool one_disk = whole_disk_name(source) == whole_disk_name(destination);
  for (auto& f : probe_block_device(destination, one_disk ? "" : "destination ")) {
    p.findings.push_back(std::move(f));
  }
  if (!one_disk) {
    for (auto& f : probe_block_device(source, "source ")) p.findings.push_back(std::move(f));
  }
}

}  // namespace

PathProbe probe_path(const std::string& source, const std::string& destination) {
  PathProbe p;
  p.source = source;
  struct stat source_stat {};
  if (stat(source.c_str(), &source_stat) != 0) {
    throw AdviseUsageError(fmt::format("SOURCE {}: {}", source, std::strerror(errno)));
  }
  if (!S_ISREG(source_stat.st_mode)) throw AdviseUsageError(fmt::format("SOURCE {}: not a regular file", source));
  Fd source_fd(open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (source_fd.fd < 0) throw AdviseUsageError(fmt::format("SOURCE {}: cannot open: {}", source, std::strerror(errno)));
  p.source_bytes = static_cast<std::uint64_t>(source_stat.st_size);

  std::error_code ec;
  if (std::filesystem::is_directory(destination, ec)) {
    p.destination_dir = destination;
    p.destination = (std::filesystem::path(destination) / std::filesystem::path(source).filename()).string();
  } else {
    std::string parent = std::filesystem::path(destination).parent_path().string();
    p.destination_dir = parent.empty() ? "." : parent;
    p.destination = destination;
    if (!std::filesystem::is_directory(p.destination_dir, ec)) {
      throw AdviseUsageError(fmt::format("DESTINATION {}: the directory {} does not exist", destination, p.destination_dir));
    }
  }
  struct stat dir_stat {};
  if (stat(p.destination_dir.c_str(), &dir_stat) != 0) {
    throw AdviseUsageError(fmt::format("DESTINATION {}: {}", p.destination_dir, std::strerror(errno)));
  }

  p.source_fs = fs_of(source);
  p.destination_fs = fs_of(p.destination_dir);
  p.findings.push_back({"source filesystem", p.source_fs, fs_how(source)});
  p.findings.push_back({"destination filesystem", p.destination_fs, fs_how(p.destination_dir)});
  p.same_fs = source_stat.st_dev == dir_stat.st_dev;
  p.findings.push_back({"same filesystem", p.same_fs ? "yes" : "no",
                        fmt::format("stat st_dev {}:{} vs {}:{}", major(source_stat.st_dev), minor(source_stat.st_dev),
                                    major(dir_stat.st_dev), minor(dir_stat.st_dev))});

  std::string absolute = std::filesystem::absolute(p.destination_dir, ec).lexically_normal().string();
  std::string mountinfo = read_mountinfo();
  std::optional<MountEntry> mount = find_mount(mountinfo, dir_stat.st_dev, absolute);
  if (mount && mount->fs_type.compare(0, 3, "nfs") == 0) {
    p.nfs_version = mount->option("vers");
    p.findings.push_back({"NFS mount", "version " + (p.nfs_version.empty() ? std::string("?") : p.nfs_version),
                          fmt::format("/proc/self/mountinfo: {} on {} type {}, vers={}", mount->source,
                                      mount->mount_point, mount->fs_type, p.nfs_version)});
  }
  // By path: on btrfs st_dev is the subvolume's, not the device number mountinfo lists.
  std::string source_real = std::filesystem::weakly_canonical(source, ec).string();
  std::string directory_real = std::filesystem::weakly_canonical(p.destination_dir, ec).string();
  std::optional<MountEntry> source_mount = find_mount_by_path(mountinfo, source_real);
  // The remote side: the destination's mount, else the source's (a copy from NFS to a local disk).
  const std::optional<MountEntry>& remote = mount && is_network_fs(mount->fs_type) ? mount : source_mount;
  if (remote && is_network_fs(remote->fs_type)) {
    if (is_smb_fs(remote->fs_type)) {
      p.smb_dialect = remote->option("vers");
      p.findings.push_back({"SMB mount", "dialect " + (p.smb_dialect.empty() ? std::string("?") : p.smb_dialect),
                            fmt::format("/proc/self/mountinfo: {} on {} type {}, vers={}, rsize={}", remote->source,
                                        remote->mount_point, remote->fs_type, p.smb_dialect, remote->option("rsize"))});
    }
    probe_network(p, *remote);
  }
  // A network mount has no block device: only a local side reports one.
  probe_block_devices(p, source_mount, source_stat.st_dev, find_mount_by_path(mountinfo, directory_real), dir_stat.st_dev);
  probe_clone(p, source_fd.fd, mount);
  probe_copy_range(p, source_fd.fd, mount);
  report_server_offload(p);
  return p;
}

}  // namespace offload::cli
