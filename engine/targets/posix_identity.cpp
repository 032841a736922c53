#include "engine/targets/posix_identity.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace offload {
namespace {

// Names of `fd`'s extended attributes ("" entries skipped).
std::vector<std::string> xattr_names(int fd) {
  ssize_t size = flistxattr(fd, nullptr, 0);
  if (size <= 0) return {};
  std::string list(static_cast<std::size_t>(size), '\0');
  size = flistxattr(fd, list.data(), list.size());
  if (size <= 0) return {};
  list.resize(static_cast<std::size_t>(size));
  std::vector<std::string> names;
  for (std::size_t at = 0; at < list.size();) {
    std::string name(list.c_str() + at);
    at += name.size() + 1;
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

void copy_identity(int from_fd, int to_fd) {
  struct stat old {};
  if (fstat(from_fd, &old) != 0) return;
  mode_t mode = old.st_mode & 07777;
  if (fchown(to_fd, old.st_uid, old.st_gid) != 0) mode &= ~static_cast<mode_t>(S_ISUID | S_ISGID);
  // Attributes the caller may not set (trusted.*, another user's security
  // label) or the filesystem does not keep are skipped: best effort, as cp.
  for (const std::string& name : xattr_names(from_fd)) {
    ssize_t size = fgetxattr(from_fd, name.c_str(), nullptr, 0);
    if (size < 0) continue;
    std::vector<char> value(static_cast<std::size_t>(size));
    size = fgetxattr(from_fd, name.c_str(), value.data(), value.size());
    if (size >= 0) fsetxattr(to_fd, name.c_str(), value.data(), static_cast<std::size_t>(size), 0);
  }
  fchmod(to_fd, mode);  // last: chown cleared set-ID bits, an ACL set the group bits
}

}  // namespace offload
