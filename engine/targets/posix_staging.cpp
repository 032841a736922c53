#include "engine/targets/posix_staging.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace offload {
namespace {

bool ofd_lock(int fd, short type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  return fcntl(fd, F_OFD_SETLK, &lock) == 0;
}

// Removes `staging` when no live copy holds it: its lock is free and the
// name still refers to the file that was locked. True when the name is free.
bool remove_if_stale(int directory_fd, const std::string& staging) {
  int fd = openat(directory_fd, staging.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  struct stat held {}, named {};
  bool removed = false;
  // A read lock conflicts with the owner's write lock; it needs only read access.
  if (fstat(fd, &held) == 0 && S_ISREG(held.st_mode) && ofd_lock(fd, F_RDLCK) &&
      fstatat(directory_fd, staging.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 && named.st_dev == held.st_dev &&
      named.st_ino == held.st_ino) {
    removed = unlinkat(directory_fd, staging.c_str(), 0) == 0;
  }
  close(fd);  // drops the lock
  return removed;
}

}  // namespace

std::string staging_name(const std::string& name, unsigned slot) {
  return "." + name + ".offload-" + std::to_string(slot);
}

bool lock_staging(int fd) { return ofd_lock(fd, F_WRLCK); }

void remove_stale_staging(int directory_fd, const std::string& name) {
  for (unsigned slot = 0; slot < kStagingSlots; ++slot) {
    std::string staging = staging_name(name, slot);
    struct stat st {};
    if (fstatat(directory_fd, staging.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) remove_if_stale(directory_fd, staging);
  }
}

std::expected<std::pair<int, std::string>, int> create_staging_file(int directory_fd, const std::string& name,
                                                                   mode_t mode) {
  for (unsigned slot = 0; slot < kStagingSlots; ++slot) {
    std::string staging = staging_name(name, slot);
    auto create = [&] {
      int fd = openat(directory_fd, staging.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
      return fd >= 0 ? fd : -errno;
    };
    int fd = create();
    if (fd == -EEXIST && remove_if_stale(directory_fd, staging)) fd = create();
    if (fd >= 0) {
      lock_staging(fd);
      return std::pair{fd, staging};
    }
    if (fd != -EEXIST) return std::unexpected(-fd);
  }
  return std::unexpected(EBUSY);
}

std::expected<std::string, int> link_staging_name(int directory_fd, int fd, const std::string& name) {
  std::string proc_path = "/proc/self/fd/" + std::to_string(fd);
  for (unsigned slot = 0; slot < kStagingSlots; ++slot) {
    std::string staging = staging_name(name, slot);
    auto link = [&] {
      return linkat(AT_FDCWD, proc_path.c_str(), directory_fd, staging.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
    };
    int err = link();
    if (err == EEXIST && remove_if_stale(directory_fd, staging)) err = link();
    if (err == 0) return staging;
    if (err != EEXIST) return std::unexpected(err);
  }
  return std::unexpected(EBUSY);
}

}  // namespace offload
