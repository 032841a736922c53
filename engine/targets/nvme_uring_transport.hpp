// A local NVMe namespace's generic character device /dev/ngXnY through
// io_uring passthrough, as an NvmeTransport: each I/O command (Read, Write,
// Flush, Copy) is one IORING_OP_URING_CMD submission carrying
// NVME_URING_CMD_IO and a struct nvme_uring_cmd (<linux/nvme_ioctl.h>) in a
// 128-byte SQE (IORING_SETUP_SQE128); its completion's res is the NVMe
// Status Field (>= 0) or -errno, and a 32-byte CQE (IORING_SETUP_CQE32)
// carries the command's result dword. Linux 5.19 and later implement it on
// the generic node only (drivers/nvme/host/ioctl.c, nvme_ns_chr_uring_cmd),
// not on /dev/nvmeXnY. Admin commands (Identify) stay on the node's
// NVME_IOCTL_ADMIN_CMD: 6.1 has no admin URING_CMD on a namespace node.
// The wait for a completion blocks the runtime's worker as the ioctl does;
// several workers each take a ring of their own from a small pool, so their
// commands are in flight together. A command once submitted runs out: Linux
// cannot cancel an NVMe passthrough command (io_uring's ASYNC_CANCEL finds
// no cancelable uring_cmd before 6.7, and NVMe only aborts by timeout), so
// the target checks cancel between commands as on the ioctl path.
#pragma once

#include <atomic>
#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/targets/nvme_ioctl_transport.hpp"

namespace offload {

/// Why io_uring NVMe passthrough cannot be used with this build and kernel,
/// before any device is tried ("" = it may be: liburing is linked in and the
/// kernel sets up 128-byte-SQE rings that know IORING_OP_URING_CMD).
std::string nvme_uring_unavailable_reason();

/// NVMe I/O commands through io_uring on a generic node.
class NvmeUringTransport final : public NvmeTransport {
 public:
  /// Takes over the open generic node `node` (/dev/ngXnY) and sends one
  /// Flush through io_uring; fails with the reason (no liburing, a kernel
  /// without big SQEs or URING_CMD, the node refusing the command) so the
  /// caller can keep the ioctl path and record why.
  static std::expected<std::unique_ptr<NvmeUringTransport>, std::string> open(std::unique_ptr<NvmeIoctlTransport>& node);
  ~NvmeUringTransport() override;
  NvmeUringTransport(const NvmeUringTransport&) = delete;
  NvmeUringTransport& operator=(const NvmeUringTransport&) = delete;

  [[nodiscard]] std::string address() const override { return node_->address(); }
  /// "nvme-uring": the target's filesystem column shows the path taken.
  [[nodiscard]] std::string kind() const override { return "nvme-uring"; }
  [[nodiscard]] std::uint32_t namespace_id() const override { return node_->namespace_id(); }
  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override {
    return node_->admin(command, data_in);
  }
  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override;
  /// Commands submitted through io_uring so far (the probe's Flush included).
  [[nodiscard]] std::uint64_t uring_commands() const;

  struct Ring;  ///< one io_uring instance (defined where liburing is included)

 private:
  explicit NvmeUringTransport(std::unique_ptr<NvmeIoctlTransport> node);
  std::unique_ptr<Ring> take_ring(std::string* error);
  void give_back(std::unique_ptr<Ring> ring);

  std::unique_ptr<NvmeIoctlTransport> node_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Ring>> idle_;  // rings no worker holds
  std::atomic<std::uint64_t> commands_{0};
};

}  // namespace offload
