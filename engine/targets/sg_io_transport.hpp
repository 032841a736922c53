// A local SCSI logical unit through the kernel's SG_IO ioctl (struct
// sg_io_hdr, <scsi/sg.h>), as a ScsiTransport: /dev/sgN (the SCSI generic
// node) or a whole-disk block node such as /dev/sdX. Each command carries
// its CDB, a data buffer, a sense buffer and a timeout; the answer's
// host status (DID_*), driver status (DRIVER_*) and SCSI status become one
// ScsiOutcome with an errno and the decoded sense. UNIT ATTENTION is
// retried. Partitions are refused: SG_IO addresses the whole disk, so LBAs
// would not be the partition's.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/types.hpp"
#include "engine/targets/scsi_transport.hpp"

namespace offload {

/// Milliseconds SG_IO waits for an ordinary command before the kernel aborts it.
inline constexpr unsigned kSgIoTimeoutMs = 60'000;
/// Milliseconds for THIRD-PARTY COPY OUT/IN (0x83/0x84): an EXTENDED COPY moves up to GiBs.
inline constexpr unsigned kSgIoCopyTimeoutMs = 600'000;
/// Sense bytes asked for (the kernel keeps at most 96).
inline constexpr std::uint8_t kSgIoSenseBytes = 252;

/// True for "/dev/sg..." and "/dev/sd..." (routed to SG_IO whether or not they exist).
bool is_scsi_device_path(std::string_view text);
/// True when `path` exists and is a block or character device node.
bool is_device_node(const std::string& path);

/// The fields of a finished sg_io_hdr that decide the outcome.
struct SgIoReply {
  int ioctl_errno = 0;                 ///< errno when ioctl(SG_IO) itself failed (0: it ran)
  std::uint8_t status = 0;             ///< SCSI status byte
  std::uint16_t host_status = 0;       ///< host adapter status (DID_*, <scsi/scsi.h>)
  std::uint16_t driver_status = 0;     ///< mid-level status (DRIVER_*; 0x08 = sense valid)
  int residual = 0;                    ///< resid: bytes of the transfer not done
  std::size_t transfer_bytes = 0;      ///< dxfer_len asked for
  std::span<const std::uint8_t> sense; ///< the sb_len_wr sense bytes written
};

/// Name of a host status, e.g. "DID_TIME_OUT" ("" for DID_OK, "host status 0xNN" if unknown).
std::string sg_host_status_name(std::uint16_t host_status);
/// errno the host status stands for (0 for DID_OK): the kernel's own
/// block-layer mapping (ETIMEDOUT, ENOLINK, EREMOTEIO, ...).
int sg_host_status_errno(std::uint16_t host_status);
/// Turns one reply into an outcome; `device` and `timeout_ms` go into the message.
ScsiOutcome sg_io_outcome(const SgIoReply& reply, std::string_view device, unsigned timeout_ms);

/// An open device node that answers SG_IO.
class SgIoTransport final : public ScsiTransport {
 public:
  /// Opens `path` read-write; fails naming the path when it is missing, not
  /// a device, a partition, or does not take SG_IO (e.g. /dev/null, virtio-blk).
  static std::expected<std::unique_ptr<SgIoTransport>, CopyError> open(const std::string& path);
  ~SgIoTransport() override;
  SgIoTransport(const SgIoTransport&) = delete;
  SgIoTransport& operator=(const SgIoTransport&) = delete;

  /// The path it was opened by.
  [[nodiscard]] std::string address() const override { return path_; }
  /// "scsi H:C:T:L" from sysfs (same for /dev/sgN and its /dev/sdX), else "dev MAJ:MIN".
  [[nodiscard]] std::string identity() const override { return identity_; }
  /// "sg".
  [[nodiscard]] std::string kind() const override { return "sg"; }
  /// The request queue's max_sectors_kb, capped by max_segments pages (256 KiB when sysfs says nothing).
  [[nodiscard]] std::uint64_t max_transfer_bytes() const override { return max_transfer_bytes_; }
  /// One SG_IO; retries UNIT ATTENTION.
  ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      std::span<std::uint8_t> data_in) override;

 private:
  SgIoTransport(int fd, std::string path, std::string identity, std::uint64_t max_transfer_bytes)
      : fd_(fd), path_(std::move(path)), identity_(std::move(identity)), max_transfer_bytes_(max_transfer_bytes) {}
  ScsiOutcome once(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out, std::span<std::uint8_t> data_in);
  int fd_;
  std::string path_;
  std::string identity_;
  std::uint64_t max_transfer_bytes_;
};

}  // namespace offload
