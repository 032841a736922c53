#include "engine/targets/posix_file.hpp"

#include "engine/targets/posix_identity.hpp"
#include "engine/targets/posix_staging.hpp"
#include "engine/targets/smb_mount.hpp"
#include "engine/targets/stop_point.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace offload {
namespace {

// How the destination is held: `created` (a new name, written in place),
// `truncated` (an existing file emptied and rewritten in place, as cp does),
// `reused` (a range written into an existing file), or staged unnamed
// (`tmpfile`) or under a hidden name (`hidden`) for an atomic copy.
enum class Staging { created, truncated, reused, tmpfile, hidden };

CopyError error_for(int errno_value, const std::string& path, const std::string& what) {
  return {errno_value, path, what + (errno_value != 0 ? std::string(": ") + std::strerror(errno_value) : "")};
}

// The name of the kernel pseudo filesystem `fd` lives on (its files say size
// 0 but have content), or nullptr.
const char* pseudo_filesystem(int fd) {
  struct statfs fs {};
  if (fstatfs(fd, &fs) != 0) return nullptr;
  switch (fs.f_type) {
    case PROC_SUPER_MAGIC: return "procfs";
    case SYSFS_MAGIC: return "sysfs";
    case DEBUGFS_MAGIC: return "debugfs";
    case TRACEFS_MAGIC: return "tracefs";
    case SECURITYFS_MAGIC: return "securityfs";
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC: return "cgroupfs";
    default: return nullptr;
  }
}

std::int64_t negative_errno() { return -static_cast<std::int64_t>(errno); }

// Asks the kernel whether `method` can move data from the source into the
// file `probe_fd` without moving any: a zero-length clone at the source's
// end and a zero-length copy_file_range pass the same checks (same mount,
// filesystem support) as a real call and return before any data moves.
// 0, or the errno that rules the method out.
int probe_method(Method method, int source_fd, std::uint64_t source_size, int probe_fd) {
  if (method == Method::clone) {
    file_clone_range range{};
    range.src_fd = source_fd;
    range.src_offset = source_size;  // length 0 at the end: nothing to share
    return ioctl(probe_fd, FICLONERANGE, &range) == 0 ? 0 : errno;
  }
  if (method == Method::kernel_copy) {
    loff_t in = 0, out = 0;
    return copy_file_range(source_fd, &in, probe_fd, &out, 0, 0) == 0 ? 0 : errno;
  }
  return 0;
}

class PosixFileTarget final : public CopyTarget {
 public:
  PosixFileTarget(int source_fd, int destination_fd, int directory_fd, std::string name,
                  std::string hidden_name, Staging staging, bool overwrite, bool existed, bool same_file,
                  std::uint64_t final_size, TargetInfo info)
      : source_fd_(source_fd), destination_fd_(destination_fd), directory_fd_(directory_fd),
        name_(std::move(name)), hidden_name_(std::move(hidden_name)), staging_(staging),
        overwrite_(overwrite), existed_(existed), same_file_(same_file), final_size_(final_size),
        info_(std::move(info)) {
    fstat(source_fd_, &source_at_open_);
    note_destination();
  }
  ~PosixFileTarget() override {
    close(source_fd_);
    close(destination_fd_);
    close(directory_fd_);
  }

  const TargetInfo& info() const override { return info_; }

  OpResult map_data(ByteRange range) override {
    OpResult result;
    std::uint64_t offset = range.offset;
    while (offset < range.end()) {
      off_t data = lseek(source_fd_, static_cast<off_t>(offset), SEEK_DATA);
      if (data < 0) {
        if (errno == ENXIO) break;  // only a hole remains
        if (errno == EINVAL || errno == EOPNOTSUPP) {  // no hole support: all data
          result.extents.push_back({offset, range.end() - offset});
          break;
        }
        return {.value = negative_errno()};
      }
      auto begin = static_cast<std::uint64_t>(data);
      if (begin >= range.end()) break;
      off_t hole = lseek(source_fd_, data, SEEK_HOLE);
      std::uint64_t finish = hole < 0 ? range.end() : std::min<std::uint64_t>(hole, range.end());
      result.extents.push_back({begin, finish - begin});
      offset = finish;
    }
    return result;
  }

  OpResult read(const Op& op) override {
    ssize_t n;
    do {
      n = pread(source_fd_, op.buffer.data(), op.length, static_cast<off_t>(op.source_offset));
    } while (n < 0 && errno == EINTR);
    return {.value = n < 0 ? negative_errno() : n};
  }

  OpResult write(const Op& op) override {
    check_untouched();
    ssize_t n;
    do {
      n = pwrite(destination_fd_, op.buffer.data(), op.length,
                 static_cast<off_t>(op.destination_offset));
    } while (n < 0 && errno == EINTR);
    return wrote({.value = n < 0 ? negative_errno() : n});
  }

  OpResult clone(const Op& op) override {
    check_untouched();
    file_clone_range range{};
    range.src_fd = source_fd_;
    range.src_offset = op.source_offset;
    range.src_length = op.length;
    range.dest_offset = op.destination_offset;
    if (ioctl(destination_fd_, FICLONERANGE, &range) != 0) return refused(Method::clone);
    return wrote({.value = static_cast<std::int64_t>(op.length)});
  }

  OpResult copy_range(const Op& op) override {
    check_untouched();
    auto in = static_cast<loff_t>(op.source_offset);
    auto out = static_cast<loff_t>(op.destination_offset);
    ssize_t n;
    do {
      n = copy_file_range(source_fd_, &in, destination_fd_, &out, op.length, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return wrote(refused(Method::kernel_copy));
    return wrote({.value = n});
  }

  OpResult zero_range(const Op& op) override {
    if (fallocate(destination_fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  static_cast<off_t>(op.destination_offset), static_cast<off_t>(op.length)) == 0) {
      note_destination();
      return {.value = static_cast<std::int64_t>(op.length)};
    }
    if (errno != EOPNOTSUPP) return {.value = negative_errno()};
    // Zeros written by hand stop at the size the file had: past it the
    // final ftruncate makes the hole, and the file never grows out of order.
    std::uint64_t start_size = info_.destination_size_bytes;
    std::uint64_t length = op.destination_offset >= start_size ? 0 : std::min(op.length, start_size - op.destination_offset);
    static const std::byte zeros[65536] = {};
    std::uint64_t done = 0;
    while (done < length) {
      std::size_t piece = std::min<std::uint64_t>(sizeof zeros, length - done);
      ssize_t n = pwrite(destination_fd_, zeros, piece, static_cast<off_t>(op.destination_offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return {.value = n < 0 ? negative_errno() : -EIO};
      done += static_cast<std::uint64_t>(n);
    }
    note_destination();
    return {.value = static_cast<std::int64_t>(op.length)};
  }

  OpResult finish() override {
    struct stat now {};
    if (fstat(source_fd_, &now) != 0) return {.value = negative_errno()};
    if (now.st_size != source_at_open_.st_size) {
      return {.value = -ENODATA,
              .detail = "source changed size during the copy (" + std::to_string(source_at_open_.st_size) +
                        " -> " + std::to_string(now.st_size) + " bytes)"};
    }
    if (!same_file_ && (now.st_mtim.tv_sec != source_at_open_.st_mtim.tv_sec ||
                        now.st_mtim.tv_nsec != source_at_open_.st_mtim.tv_nsec)) {
      return {.value = -ENODATA, .detail = "source was modified during the copy (mtime changed)"};
    }
    // The size comes last: trailing source holes become a hole here, and a
    // destination killed earlier is never longer than the data in it.
    struct stat written {};
    if (fstat(destination_fd_, &written) != 0) return {.value = negative_errno()};
    if (static_cast<std::uint64_t>(written.st_size) < final_size_ &&
        ftruncate(destination_fd_, static_cast<off_t>(final_size_)) != 0) {
      return {.value = negative_errno(), .detail = std::string("cannot set the final size: ") + std::strerror(errno)};
    }
    note_destination();
    stop_point("before-publish", cancelled_);
    if ((staging_ == Staging::tmpfile || staging_ == Staging::hidden) && overwrite_) keep_replaced_identity();
    switch (staging_) {
      case Staging::created:
      case Staging::truncated:
      case Staging::reused: return {};
      case Staging::tmpfile: return publish_tmpfile();
      case Staging::hidden: return publish_hidden();
    }
    return {};
  }

  OpResult abort() override {
    DestinationLeft untouched = existed_ ? DestinationLeft::unchanged : DestinationLeft::absent;
    struct stat ours {};
    fstat(destination_fd_, &ours);
    auto size = static_cast<std::int64_t>(ours.st_size);
    switch (staging_) {
      case Staging::tmpfile: return {.left = untouched};  // an O_TMPFILE vanishes when closed
      case Staging::hidden:
        unlinkat(directory_fd_, hidden_name_.c_str(), 0);
        return {.left = untouched};
      case Staging::truncated:
        return {.value = size, .left = changed_by_others(ours) ? DestinationLeft::foreign : DestinationLeft::prefix};
      case Staging::reused:
        return {.value = size,
                .left = changed_by_others(ours) ? DestinationLeft::foreign : DestinationLeft::range_partly_written};
      case Staging::created: {
        // Removed only when the name still holds this copy's file and nobody
        // wrote it since this copy's last operation: another copy that
        // finished into the same file (cp, offload cp --overwrite) keeps it.
        struct stat named {};
        bool named_exists = fstatat(directory_fd_, name_.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0;
        bool ours_by_name = named_exists && ours.st_dev == named.st_dev && ours.st_ino == named.st_ino;
        if (ours_by_name && !changed_by_others(ours)) {
          unlinkat(directory_fd_, name_.c_str(), 0);
          return {.left = DestinationLeft::absent};
        }
        // Another writer's file (ours rewritten, or another one renamed over the name).
        if (named_exists) return {.value = static_cast<std::int64_t>(named.st_size), .left = DestinationLeft::foreign};
        return {.left = DestinationLeft::absent};
      }
    }
    return {};
  }

  void interrupt() override {
    cancelled_ = true;
    cancelled_.notify_all();
  }

 private:
  // Into a free name: one linkat. Replacing: linkat to a staging name, then
  // rename over the destination (see posix_staging.hpp for why two steps).
  OpResult publish_tmpfile() {
    if (!overwrite_) {
      std::string proc_path = "/proc/self/fd/" + std::to_string(destination_fd_);
      if (linkat(AT_FDCWD, proc_path.c_str(), directory_fd_, name_.c_str(), AT_SYMLINK_FOLLOW) == 0) return {};
      int err = errno;
      return {.value = -err, .detail = err == EEXIST ? "destination appeared during the copy; not replaced"
                                                     : std::string("cannot publish: ") + std::strerror(err)};
    }
    auto staged = link_staging_name(directory_fd_, destination_fd_, name_);
    if (!staged) return {.value = -staged.error(), .detail = std::string("cannot publish: ") + std::strerror(staged.error())};
    hidden_name_ = *staged;
    stop_point("between-publish-steps", cancelled_);
    if (renameat(directory_fd_, hidden_name_.c_str(), directory_fd_, name_.c_str()) != 0) {
      int err = errno;
      unlinkat(directory_fd_, hidden_name_.c_str(), 0);
      return {.value = -err, .detail = std::string("cannot publish: ") + std::strerror(err)};
    }
    return {};
  }

  OpResult publish_hidden() {
    unsigned flags = overwrite_ ? 0U : RENAME_NOREPLACE;
    if (renameat2(directory_fd_, hidden_name_.c_str(), directory_fd_, name_.c_str(), flags) != 0) {
      int err = errno;
      return {.value = -err, .detail = err == EEXIST ? "destination appeared during the copy; not replaced"
                                                     : std::string("cannot publish: ") + std::strerror(err)};
    }
    staging_ = Staging::created;  // nothing hidden left to remove
    return {};
  }

  // The file about to be replaced lends its owner, mode and xattrs to the
  // staged one (when it is gone, the staged file keeps the source's mode).
  void keep_replaced_identity() {
    int old_fd = openat(directory_fd_, name_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (old_fd < 0) return;
    struct stat old {};
    if (fstat(old_fd, &old) == 0 && S_ISREG(old.st_mode)) copy_identity(old_fd, destination_fd_);
    close(old_fd);
  }

  // A failed offload (errno set): -errno, and on an SMB mount the reason
  // the client or server gave, in the words of the SMB request.
  OpResult refused(Method method) {
    int err = errno;
    OpResult result{.value = -err};
    if (is_smb_filesystem(info_.destination_fs)) {
      struct stat source {}, destination {};
      bool same_mount = fstat(source_fd_, &source) == 0 && fstat(destination_fd_, &destination) == 0 &&
                        source.st_dev == destination.st_dev;
      result.detail = smb_refusal(method, err, same_mount);
    }
    return result;
  }

  // A data operation into the destination returned (a failed one may have
  // changed the file too).
  OpResult wrote(OpResult result) {
    note_destination();
    if (!result.failed()) stop_after_write(writes_.fetch_add(1) + 1, cancelled_);
    return result;
  }

  // Before a data operation: a file written under its final name, one
  // operation at a time, must look as this copy's last operation left it;
  // if not, another writer came in between (and abort leaves the file).
  void check_untouched() {
    if (staging_ != Staging::created && staging_ != Staging::truncated) return;
    struct stat now {};
    std::lock_guard lock(seen_mutex_);
    if (fstat(destination_fd_, &now) == 0 && differs(now, last_seen_)) others_wrote_ = true;
  }

  static bool differs(const struct stat& a, const struct stat& b) {
    auto same_time = [](const timespec& x, const timespec& y) { return x.tv_sec == y.tv_sec && x.tv_nsec == y.tv_nsec; };
    return a.st_size != b.st_size || !same_time(a.st_mtim, b.st_mtim) || !same_time(a.st_ctim, b.st_ctim);
  }

  // Remembers the destination's size and times after this copy's own
  // change, for abort to tell whether another writer came after it.
  void note_destination() {
    if (staging_ == Staging::tmpfile || staging_ == Staging::hidden) return;  // no one else can write these
    std::lock_guard lock(seen_mutex_);  // fstat inside: the last one stored is the newest
    fstat(destination_fd_, &last_seen_);
  }

  bool changed_by_others(const struct stat& now) {
    std::lock_guard lock(seen_mutex_);
    return others_wrote_ || differs(now, last_seen_);
  }

  int source_fd_;
  int destination_fd_;
  int directory_fd_;
  std::string name_;
  std::string hidden_name_;
  Staging staging_;
  bool overwrite_;
  bool existed_;
  bool same_file_;
  std::uint64_t final_size_;
  TargetInfo info_;
  struct stat source_at_open_ {};
  std::atomic<bool> cancelled_{false};
  std::mutex seen_mutex_;
  struct stat last_seen_ {};  // the destination after this copy's last change
  bool others_wrote_ = false;  // a data operation found the file changed by someone else
  std::atomic<std::uint64_t> writes_{0};  // data operations that returned (for stop points)
};

// One rule for both modes, as cp: a destination that is a symbolic link is
// followed, so the copy writes (or with --atomic replaces) the file it
// names and the link stays; a dangling link is refused before anything is
// written (cp: "not writing through dangling symlink"). The path to claim.
std::expected<std::string, CopyError> follow_destination_link(const std::string& destination) {
  struct stat link {};
  if (lstat(destination.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return destination;
  std::unique_ptr<char, decltype(&free)> resolved(realpath(destination.c_str(), nullptr), &free);
  if (resolved) return std::string(resolved.get());
  if (errno == ENOENT) {
    return std::unexpected(CopyError{ENOENT, destination,
                                     "destination is a dangling symbolic link; not writing through it (as cp)"});
  }
  return std::unexpected(error_for(errno, destination, "cannot follow the destination's symbolic link"));
}

// The device of the filesystem a directory is on (0 when unknown).
dev_t directory_stat_dev(int directory_fd) {
  struct stat directory {};
  return fstat(directory_fd, &directory) == 0 ? directory.st_dev : 0;
}

struct Fd {  // closes on scope exit unless released
  int fd = -1;
  ~Fd() { if (fd >= 0) close(fd); }
  int release() { return std::exchange(fd, -1); }
};

}  // namespace

std::string filesystem_name(int fd) {
  struct statfs fs {};
  if (fstatfs(fd, &fs) != 0) return "unknown";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case EXT4_SUPER_MAGIC: return "ext4";
    case TMPFS_MAGIC: return "tmpfs";
    case NFS_SUPER_MAGIC: return "nfs";
    case 0x65735546UL: return "fuse";
    case OVERLAYFS_SUPER_MAGIC: return "overlay";
    case 0xFE534D42UL: return "smb2";
    case 0xFF534D42UL: return "cifs";
    case 0x2FC12FC1UL: return "zfs";
    case F2FS_SUPER_MAGIC: return "f2fs";
    default: {
      char text[24];
      std::snprintf(text, sizeof text, "0x%lx", static_cast<unsigned long>(fs.f_type));
      return text;
    }
  }
}

std::expected<std::unique_ptr<CopyTarget>, CopyError> PosixFileFactory::open(const CopyRequest& request) {
  const std::string& source = request.source;
  const std::string& destination = request.destination;
  if (source.empty()) return std::unexpected(CopyError{EINVAL, "", "empty source path"});
  if (destination.empty()) return std::unexpected(CopyError{EINVAL, "", "empty destination path"});

  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below).
  Fd source_fd{::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (source_fd.fd < 0) return std::unexpected(error_for(errno, source, "cannot open source"));
  struct stat source_stat {};
  if (fstat(source_fd.fd, &source_stat) != 0) return std::unexpected(error_for(errno, source, "cannot stat source"));
  if (S_ISDIR(source_stat.st_mode)) return std::unexpected(CopyError{EISDIR, source, "source is a directory"});
  if (!S_ISREG(source_stat.st_mode)) {
    return std::unexpected(CopyError{EINVAL, source, "source is not a regular file"});
  }
  if (auto pseudo = pseudo_filesystem(source_fd.fd)) {
    return std::unexpected(CopyError{EINVAL, source, std::string("source is on ") + pseudo +
                                                         ", whose files do not report their size"});
  }
  fcntl(source_fd.fd, F_SETFL, fcntl(source_fd.fd, F_GETFL) & ~O_NONBLOCK);
  auto size = static_cast<std::uint64_t>(source_stat.st_size);
  if (request.source_offset > size) {
    return std::unexpected(CopyError{EINVAL, source, "source offset " + std::to_string(request.source_offset) +
                                                         " is past the end of the source (" + std::to_string(size) + " bytes)"});
  }
  std::uint64_t length = request.length.value_or(size - request.source_offset);
  if (length > size - request.source_offset) {
    return std::unexpected(CopyError{EINVAL, source, "range of " + std::to_string(length) + " bytes at offset " +
                                                         std::to_string(request.source_offset) + " ends past the end of the source (" +
                                                         std::to_string(size) + " bytes)"});
  }
  if (request.destination_offset > UINT64_MAX / 2 - length) {
    return std::unexpected(CopyError{EFBIG, destination, "destination range too large"});
  }

  if (destination.back() == '/') {
    return std::unexpected(CopyError{EISDIR, destination, "destination names a directory, not a file"});
  }
  auto claimed = follow_destination_link(destination);
  if (!claimed) return std::unexpected(claimed.error());
  std::size_t slash = claimed->rfind('/');
  std::string directory = slash == std::string::npos ? "." : (slash == 0 ? "/" : claimed->substr(0, slash));
  std::string name = slash == std::string::npos ? *claimed : claimed->substr(slash + 1);
  if (name == "." || name == "..") {
    return std::unexpected(CopyError{EISDIR, destination, "destination names a directory, not a file"});
  }
  Fd directory_fd{::open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
  if (directory_fd.fd < 0) {
    int err = errno;
    return std::unexpected(CopyError{err, destination,
                                     err == ENOENT ? "destination directory " + directory + " does not exist"
                                                   : "cannot open destination directory " + directory + ": " + std::strerror(err)});
  }
  struct stat destination_stat {};
  bool exists = fstatat(directory_fd.fd, name.c_str(), &destination_stat, 0) == 0;
  if (!exists && errno != ENOENT) return std::unexpected(error_for(errno, destination, "cannot stat destination"));
  bool same_file = exists && destination_stat.st_dev == source_stat.st_dev && destination_stat.st_ino == source_stat.st_ino;
  if (exists) {
    if (S_ISDIR(destination_stat.st_mode)) return std::unexpected(CopyError{EISDIR, destination, "destination is a directory"});
    if (!request.overwrite) {
      return std::unexpected(CopyError{EEXIST, destination, "destination exists (overwrite not requested)"});
    }
    if (!S_ISREG(destination_stat.st_mode)) {
      return std::unexpected(CopyError{EINVAL, destination, "destination is not a regular file"});
    }
    if (same_file && ranges_overlap({request.source_offset, length}, {request.destination_offset, length})) {
      return std::unexpected(CopyError{EINVAL, destination,
                                       "source and destination are the same file and the ranges overlap"});
    }
    if (same_file && request.atomic) {
      return std::unexpected(CopyError{EINVAL, destination, "an atomic copy cannot replace its own source"});
    }
    if (request.atomic) {  // the same permission rule as writing in place, and no silently split links
      if (faccessat(directory_fd.fd, name.c_str(), W_OK, AT_EACCESS) != 0) {
        return std::unexpected(error_for(errno, destination, "cannot replace destination"));
      }
      if (destination_stat.st_nlink > 1) {
        return std::unexpected(CopyError{
            EMLINK, destination,
            "destination has " + std::to_string(destination_stat.st_nlink) +
                " hard links; an atomic replace would detach this name from the others (without --atomic the "
                "copy writes in place, through every link)"});
      }
    }
  }

  remove_stale_staging(directory_fd.fd, name);  // what killed atomic copies left
  mode_t mode = source_stat.st_mode & 0777;
  std::uint64_t final_size = request.destination_offset + length;
  Staging staging;
  std::string hidden_name;
  Fd destination_fd;
  bool whole_file = request.source_offset == 0 && request.destination_offset == 0 && length == size;
  if (request.atomic) {
    destination_fd.fd = openat(directory_fd.fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    staging = Staging::tmpfile;
    if (destination_fd.fd >= 0) {
      lock_staging(destination_fd.fd);  // locked before it ever has a name
    } else {
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
        return std::unexpected(error_for(errno, destination, "cannot create staging file in " + directory));
      }
      auto created = create_staging_file(directory_fd.fd, name, mode);
      if (!created) return std::unexpected(error_for(created.error(), destination, "cannot create staging file"));
      std::tie(destination_fd.fd, hidden_name) = *created;
      staging = Staging::hidden;
    }
  } else if (!exists) {
    destination_fd.fd = openat(directory_fd.fd, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
    if (destination_fd.fd < 0) return std::unexpected(error_for(errno, destination, "cannot create destination"));
    staging = Staging::created;
  } else {
    destination_fd.fd = openat(directory_fd.fd, name.c_str(), O_WRONLY | O_CLOEXEC);
    if (destination_fd.fd < 0) return std::unexpected(error_for(errno, destination, "cannot open destination"));
    staging = whole_file && !same_file ? Staging::truncated : Staging::reused;
    if (staging == Staging::reused) {
      final_size = std::max<std::uint64_t>(final_size, static_cast<std::uint64_t>(destination_stat.st_size));
    }
  }
  // Undoes the claim when the request is refused after it, and says so.
  auto refuse = [&](int err, const std::string& why) {
    if (staging == Staging::created) unlinkat(directory_fd.fd, name.c_str(), 0);
    if (staging == Staging::hidden) unlinkat(directory_fd.fd, hidden_name.c_str(), 0);
    return std::unexpected(CopyError{err, destination, why + ": " + std::strerror(err) +
                                                           (exists ? "; the destination was not changed" : "")});
  };

  // A pinned offload that cannot work here is refused before the destination
  // changes (probing a range copy's existing file could touch it: an
  // unnamed file in its directory stands in, where the filesystem has one).
  if (request.method == MethodChoice::clone || request.method == MethodChoice::kernel_copy) {
    Method method = request.method == MethodChoice::clone ? Method::clone : Method::kernel_copy;
    Fd scratch;
    int probe_fd = destination_fd.fd;
    if (staging == Staging::reused) {
      scratch.fd = openat(directory_fd.fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
      probe_fd = scratch.fd;
    }
    if (int err = probe_fd < 0 ? 0 : probe_method(method, source_fd.fd, size, probe_fd); err != 0) {
      std::string to_fs = filesystem_name(destination_fd.fd);
      std::string smb = is_smb_filesystem(to_fs)
                            ? smb_refusal(method, err, source_stat.st_dev == directory_stat_dev(directory_fd.fd))
                            : "";
      return refuse(err, std::string(method_name(method)) + " cannot copy " + source + " here (" +
                             filesystem_name(source_fd.fd) + " -> " + to_fs + (smb.empty() ? "" : "; " + smb) + ")");
    }
  }
  if (staging == Staging::truncated && ftruncate(destination_fd.fd, 0) != 0) {
    return refuse(errno, "cannot truncate destination");
  }
  struct stat start {};
  fstat(destination_fd.fd, &start);

  TargetInfo info;
  info.source_size = size;
  info.source_range = {request.source_offset, length};
  info.destination_offset = request.destination_offset;
  info.destination_needs_zeroing = staging == Staging::reused;
  // A file under its final name grows only as data lands in it, in order.
  info.destination_grows_in_order = staging == Staging::created || staging == Staging::truncated || staging == Staging::reused;
  info.destination_size_bytes = static_cast<std::uint64_t>(start.st_size);
  info.source_fs = filesystem_name(source_fd.fd);
  info.destination_fs = filesystem_name(destination_fd.fd);
  return std::make_unique<PosixFileTarget>(source_fd.release(), destination_fd.release(), directory_fd.release(),
                                           name, hidden_name, staging, request.overwrite, exists, same_file,
                                           final_size, std::move(info));
}

}  // namespace offload
