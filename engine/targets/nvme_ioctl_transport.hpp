// A local NVMe namespace through Linux NVMe passthrough (<linux/nvme_ioctl.h>),
// as an NvmeTransport: the namespace block device /dev/nvmeXnY or its
// generic character device /dev/ngXnY. NVME_IOCTL_ID names the namespace;
// I/O commands go through NVME_IOCTL_IO64_CMD (struct nvme_passthru_cmd64;
// Linux 5.18 and later), or NVME_IOCTL_IO_CMD where the kernel has no 64-bit
// form; admin commands (Identify) through NVME_IOCTL_ADMIN_CMD. The ioctl
// returns the completion's Status Field (> 0) or -1 with errno. Needs
// CAP_SYS_ADMIN (root) for passthrough. No library: a -static program can
// use it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "engine/targets/nvme_transport.hpp"
#include "engine/types.hpp"

namespace offload {

/// Milliseconds an ordinary command may take before the kernel aborts it.
inline constexpr unsigned kNvmeCommandTimeoutMs = 60'000;
/// Milliseconds for one Copy command: it moves up to MCL blocks inside the controller.
inline constexpr unsigned kNvmeCopyTimeoutMs = 600'000;

/// The kernel's passthrough structure (struct nvme_passthru_cmd,
/// nvme_passthru_cmd64 or nvme_uring_cmd: the same fields) for `command`
/// with `bytes` of data at `data` and the timeout for its kind.
template <class Passthru>
Passthru nvme_passthru(const nvme::Command& command, const void* data, std::size_t bytes) {
  Passthru cmd{};
  cmd.opcode = command.opcode;
  cmd.nsid = command.nsid;
  cmd.addr = reinterpret_cast<std::uintptr_t>(data);
  cmd.data_len = static_cast<std::uint32_t>(bytes);
  cmd.cdw10 = command.cdw[0];
  cmd.cdw11 = command.cdw[1];
  cmd.cdw12 = command.cdw[2];
  cmd.cdw13 = command.cdw[3];
  cmd.cdw14 = command.cdw[4];
  cmd.cdw15 = command.cdw[5];
  cmd.timeout_ms = command.opcode == static_cast<std::uint8_t>(nvme::IoOpcode::copy) ? kNvmeCopyTimeoutMs
                                                                                     : kNvmeCommandTimeoutMs;
  return cmd;
}

/// True for "/dev/nvme<C>n<N>" and "/dev/ng<C>n<N>" (namespace nodes, not
/// controllers or partitions), whether or not they exist.
bool is_nvme_namespace_path(std::string_view text);

/// An open namespace node that answers NVMe passthrough.
class NvmeIoctlTransport final : public NvmeTransport {
 public:
  /// Opens `path` read-write; fails naming the path when it is missing, not a
  /// device node, or no NVMe namespace (NVME_IOCTL_ID refused).
  static std::expected<std::unique_ptr<NvmeIoctlTransport>, CopyError> open(const std::string& path);
  ~NvmeIoctlTransport() override;
  NvmeIoctlTransport(const NvmeIoctlTransport&) = delete;
  NvmeIoctlTransport& operator=(const NvmeIoctlTransport&) = delete;

  [[nodiscard]] std::string address() const override { return path_; }
  /// "nvme", or "nvme-ioctl[io_uring refused: WHY]" after record_uring_refusal.
  [[nodiscard]] std::string kind() const override;
  /// The open node (for io_uring submissions on the same file).
  [[nodiscard]] int fd() const { return fd_; }
  /// Records why io_uring did not carry this node's commands (shown by kind()).
  void record_uring_refusal(std::string why) { uring_refusal_ = std::move(why); }
  [[nodiscard]] std::uint32_t namespace_id() const override { return nsid_; }
  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override;
  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override;

 private:
  NvmeIoctlTransport(std::string path, int fd, std::uint32_t nsid) : path_(std::move(path)), fd_(fd), nsid_(nsid) {}
  std::string path_;
  int fd_ = -1;
  std::uint32_t nsid_ = 0;
  std::string uring_refusal_;
  std::atomic<bool> use_io64_{true};  // cleared when the kernel answers ENOTTY to NVME_IOCTL_IO64_CMD
};

}  // namespace offload
