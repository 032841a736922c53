#include "engine/targets/nvme_ioctl_transport.hpp"

#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace offload {
namespace {

// Digits at text[at..], at least one; returns the index after them (0 = none).
std::size_t skip_digits(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
  return end > at ? end : 0;
}

NvmeOutcome ioctl_outcome(int rc, int err, const char* request, const std::string& path) {
  NvmeOutcome outcome;
  if (rc > 0) {
    outcome.status = static_cast<std::uint16_t>(rc);
  } else if (rc < 0) {
    outcome.transport_errno = err;
    outcome.transport_error = std::string(request) + " on " + path + ": " + std::strerror(err);
  }
  return outcome;
}

}  // namespace

bool is_nvme_namespace_path(std::string_view text) {
  std::size_t at = 0;
  if (text.starts_with("/dev/nvme")) {
    at = 9;
  } else if (text.starts_with("/dev/ng")) {
    at = 7;
  } else {
    return false;
  }
  at = skip_digits(text, at);
  if (at == 0 || at >= text.size() || text[at] != 'n') return false;
  return skip_digits(text, at + 1) == text.size();
}

std::expected<std::unique_ptr<NvmeIoctlTransport>, CopyError> NvmeIoctlTransport::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(CopyError{errno, path, std::string("cannot open: ") + std::strerror(errno)});
  if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return std::unexpected(CopyError{ENOTBLK, path, "not a block or character device: an NVMe namespace is /dev/nvmeXnY or /dev/ngXnY"});
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::unexpected(CopyError{errno, path, std::string("cannot open read-write: ") + std::strerror(errno)});
  int nsid = ::ioctl(fd, NVME_IOCTL_ID);
  if (nsid <= 0) {
    int err = nsid < 0 ? errno : ENOTTY;
    ::close(fd);
    return std::unexpected(CopyError{err, path, std::string("is not an NVMe namespace (NVME_IOCTL_ID: ") + std::strerror(err) + ")"});
  }
  return std::unique_ptr<NvmeIoctlTransport>(new NvmeIoctlTransport(path, fd, static_cast<std::uint32_t>(nsid)));
}

std::string NvmeIoctlTransport::kind() const {
  return uring_refusal_.empty() ? "nvme" : "nvme-ioctl[io_uring refused: " + uring_refusal_ + "]";
}

NvmeIoctlTransport::~NvmeIoctlTransport() {
  if (fd_ >= 0) ::close(fd_);
}

NvmeOutcome NvmeIoctlTransport::admin(const nvme::Command& command, std::span<std::uint8_t> data_in) {
  auto cmd = nvme_passthru<nvme_passthru_cmd>(command, data_in.data(), data_in.size());
  int rc = ::ioctl(fd_, NVME_IOCTL_ADMIN_CMD, &cmd);
  return ioctl_outcome(rc, errno, "NVME_IOCTL_ADMIN_CMD", path_);
}

NvmeOutcome NvmeIoctlTransport::io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                                   std::span<std::uint8_t> data_in) {
  // The opcode's direction bits tell the kernel which way the data goes (NVMe Base 2.0, Figure 89).
  const void* data = data_out.empty() ? static_cast<const void*>(data_in.data()) : data_out.data();
  std::size_t bytes = data_out.empty() ? data_in.size() : data_out.size();
  if (use_io64_.load()) {
    auto cmd = nvme_passthru<nvme_passthru_cmd64>(command, data, bytes);
    int rc = ::ioctl(fd_, NVME_IOCTL_IO64_CMD, &cmd);
    if (!(rc < 0 && errno == ENOTTY)) return ioctl_outcome(rc, errno, "NVME_IOCTL_IO64_CMD", path_);
    use_io64_.store(false);  // a kernel before 5.18: the 32-bit-result form
  }
  auto cmd = nvme_passthru<nvme_passthru_cmd>(command, data, bytes);
  int rc = ::ioctl(fd_, NVME_IOCTL_IO_CMD, &cmd);
  return ioctl_outcome(rc, errno, "NVME_IOCTL_IO_CMD", path_);
}

}  // namespace offload
