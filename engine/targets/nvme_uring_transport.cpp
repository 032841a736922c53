#include "engine/targets/nvme_uring_transport.hpp"

#include <linux/nvme_ioctl.h>

#include <cerrno>
#include <cstring>

#if OFFLOAD_HAVE_LIBURING
#include <liburing.h>
#endif

namespace offload {

#if OFFLOAD_HAVE_LIBURING

/// Submissions in flight per ring: one command per worker at a time.
constexpr unsigned kRingEntries = 4;

struct NvmeUringTransport::Ring {
  io_uring ring{};
  bool ready = false;
  ~Ring() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

namespace {

// A ring with 128-byte SQEs and 32-byte CQEs; "" or why not.
std::string setup_ring(NvmeUringTransport::Ring& ring) {
  int rc = io_uring_queue_init(kRingEntries, &ring.ring, IORING_SETUP_SQE128 | IORING_SETUP_CQE32);
  if (rc < 0) {
    return std::string("io_uring_setup with IORING_SETUP_SQE128|CQE32: ") + std::strerror(-rc) +
           (rc == -EINVAL ? " (the kernel has no big SQEs: Linux 5.19 and later)" : "");
  }
  ring.ready = true;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring.ring);
  bool known = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_URING_CMD) != 0;
  if (probe != nullptr) io_uring_free_probe(probe);
  if (!known) return "the kernel's io_uring does not know IORING_OP_URING_CMD (Linux 5.19 and later)";
  return "";
}

}  // namespace

std::string nvme_uring_unavailable_reason() {
  static const std::string reason = [] {
    NvmeUringTransport::Ring ring;
    return setup_ring(ring);
  }();
  return reason;
}

std::unique_ptr<NvmeUringTransport::Ring> NvmeUringTransport::take_ring(std::string* error) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto ring = std::move(idle_.back());
      idle_.pop_back();
      return ring;
    }
  }
  auto ring = std::make_unique<Ring>();
  if (std::string why = setup_ring(*ring); !why.empty()) {
    *error = why;
    return nullptr;
  }
  return ring;
}

NvmeOutcome NvmeUringTransport::io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                                   std::span<std::uint8_t> data_in) {
  NvmeOutcome outcome;
  std::string error;
  std::unique_ptr<Ring> ring = take_ring(&error);
  if (!ring) {
    outcome.transport_errno = ENOMEM;
    outcome.transport_error = "io_uring on " + address() + ": " + error;
    return outcome;
  }
  const void* data = data_out.empty() ? static_cast<const void*>(data_in.data()) : data_out.data();
  std::size_t bytes = data_out.empty() ? data_in.size() : data_out.size();
  io_uring_sqe* sqe = io_uring_get_sqe(&ring->ring);
  if (sqe == nullptr) {  // cannot happen on an idle ring; kept as an error rather than a crash
    outcome.transport_errno = EBUSY;
    outcome.transport_error = "io_uring on " + address() + ": no free submission entry";
    return outcome;
  }
  std::memset(static_cast<void*>(sqe), 0, 2 * sizeof(io_uring_sqe));  // a 128-byte entry (IORING_SETUP_SQE128)
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->fd = node_->fd();
  sqe->cmd_op = NVME_URING_CMD_IO;
  auto cmd = nvme_passthru<nvme_uring_cmd>(command, data, bytes);
  static_assert(sizeof(cmd) <= 80, "struct nvme_uring_cmd fits the big SQE's command area");
  std::memcpy(sqe->cmd, &cmd, sizeof(cmd));
  int rc = io_uring_submit(&ring->ring);
  if (rc != 1) {  // nothing in flight: the caller's buffer is free again
    rc = rc < 0 ? rc : -EAGAIN;
    outcome.transport_errno = -rc;
    outcome.transport_error = "io_uring submit on " + address() + ": " + std::strerror(-rc);
    return outcome;  // the ring is in an unknown state: dropped, not given back
  }
  commands_.fetch_add(1);
  // The command owns the caller's buffer until its completion: wait for it
  // whatever interrupts the wait (signals).
  io_uring_cqe* cqe = nullptr;
  do {
    rc = io_uring_wait_cqe(&ring->ring, &cqe);
  } while (rc == -EINTR || rc == -EAGAIN || rc == -ETIME);
  if (rc < 0) {
    outcome.transport_errno = -rc;
    outcome.transport_error = "io_uring wait on " + address() + ": " + std::strerror(-rc);
    return outcome;
  }
  int res = cqe->res;
  io_uring_cqe_seen(&ring->ring, cqe);
  give_back(std::move(ring));
  if (res > 0) {
    outcome.status = static_cast<std::uint16_t>(res);
  } else if (res < 0) {
    outcome.transport_errno = -res;
    outcome.transport_error = "NVME_URING_CMD_IO on " + address() + ": " + std::strerror(-res);
  }
  return outcome;
}

#else  // built without liburing

struct NvmeUringTransport::Ring {};

std::string nvme_uring_unavailable_reason() { return "built without liburing (liburing-dev)"; }

std::unique_ptr<NvmeUringTransport::Ring> NvmeUringTransport::take_ring(std::string* error) {
  *error = nvme_uring_unavailable_reason();
  return nullptr;
}

NvmeOutcome NvmeUringTransport::io(const nvme::Command&, std::span<const std::uint8_t>, std::span<std::uint8_t>) {
  return {.transport_error = "io_uring on " + address() + ": " + nvme_uring_unavailable_reason(), .transport_errno = ENOTSUP};
}

#endif

NvmeUringTransport::NvmeUringTransport(std::unique_ptr<NvmeIoctlTransport> node) : node_(std::move(node)) {}

NvmeUringTransport::~NvmeUringTransport() = default;

void NvmeUringTransport::give_back(std::unique_ptr<Ring> ring) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(ring));
}

std::uint64_t NvmeUringTransport::uring_commands() const { return commands_.load(); }

std::expected<std::unique_ptr<NvmeUringTransport>, std::string> NvmeUringTransport::open(
    std::unique_ptr<NvmeIoctlTransport>& node) {
  if (std::string why = nvme_uring_unavailable_reason(); !why.empty()) return std::unexpected(why);
  std::unique_ptr<NvmeUringTransport> transport(new NvmeUringTransport(std::move(node)));
  NvmeOutcome flushed = transport->io(nvme::flush_command(transport->namespace_id()), {}, {});
  if (!flushed.transport_error.empty()) {
    node = std::move(transport->node_);  // the caller keeps the node for the ioctl path
    return std::unexpected(flushed.transport_error);
  }
  return transport;
}

}  // namespace offload
