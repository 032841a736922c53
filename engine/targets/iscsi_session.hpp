// One logged-in iSCSI session to one LUN, through libiscsi (Debian
// libiscsi-dev): raw CDBs with data out or in, READ(16)/WRITE(16) into the
// caller's buffers, CHECK CONDITION sense decoded by engine/scsi/sense, and
// UNIT ATTENTION (e.g. LIO's 0x3F0E on a new LUN) retried. Calls are
// serialised by a mutex: libiscsi's synchronous calls are not thread-safe
// on one context.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "engine/scsi/bytes.hpp"
#include "engine/scsi/sense.hpp"

struct iscsi_context;
struct scsi_task;

namespace offload {

/// The parts of an `iscsi://HOST:PORT/IQN/LUN` address.
struct IscsiAddress {
  std::string portal;  ///< "HOST:PORT"
  std::string target;  ///< the target's IQN
  int lun = 0;         ///< logical unit number
  /// Back to "iscsi://PORTAL/TARGET/LUN".
  [[nodiscard]] std::string url() const;
  friend bool operator==(const IscsiAddress&, const IscsiAddress&) = default;
};

/// True when `text` starts with "iscsi://".
bool is_iscsi_url(std::string_view text);
/// Parses `iscsi://HOST:PORT/IQN/LUN` (no user, no discovery); the error names the part.
std::expected<IscsiAddress, std::string> parse_iscsi_url(std::string_view text);

/// What one SCSI command came back with.
struct ScsiOutcome {
  int status = 0;                     ///< SCSI status (0 GOOD, 2 CHECK CONDITION) or libiscsi's transport codes
  std::optional<scsi::Sense> sense;   ///< decoded sense of a CHECK CONDITION
  std::string transport_error;        ///< libiscsi's message when the command did not complete
  std::size_t data_in_bytes = 0;      ///< bytes the device returned
  /// True on GOOD.
  [[nodiscard]] bool good() const { return status == 0 && transport_error.empty(); }
  /// True for ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
  [[nodiscard]] bool invalid_operation_code() const;
  /// One line: "GOOD", "CHECK CONDITION: ILLEGAL REQUEST, asc ...", or the transport error.
  [[nodiscard]] std::string describe() const;
  /// errno for the engine: EOPNOTSUPP (invalid opcode), EXDEV (copy target
  /// device not reachable), EINVAL (other illegal request), EIO (anything
  /// else), ECONNRESET (transport).
  [[nodiscard]] int to_errno() const;
};

/// A logged-in session to one LUN.
class IscsiSession {
 public:
  /// Connects and logs in; the error says what failed and libiscsi's reason.
  static std::expected<std::unique_ptr<IscsiSession>, std::string> connect(const IscsiAddress& address);
  ~IscsiSession();
  IscsiSession(const IscsiSession&) = delete;
  IscsiSession& operator=(const IscsiSession&) = delete;

  /// The address it is logged in to.
  [[nodiscard]] const IscsiAddress& address() const { return address_; }
  /// Runs one command: sends `data_out` (may be empty) or receives into
  /// `data_in` (may be empty). Retries UNIT ATTENTION a few times.
  ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      std::span<std::uint8_t> data_in);
  /// READ(16) of `blocks` blocks at `lba` into `buffer` (blocks x block_bytes long).
  ScsiOutcome read(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes, std::span<std::byte> buffer);
  /// WRITE(16) of `buffer` at `lba`.
  ScsiOutcome write(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes, std::span<const std::byte> buffer);
  /// READ CAPACITY(16): {blocks, block bytes}.
  std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> capacity();

 private:
  IscsiSession(iscsi_context* context, IscsiAddress address) : context_(context), address_(std::move(address)) {}
  ScsiOutcome finish(scsi_task* task);
  std::mutex mutex_;
  iscsi_context* context_;
  IscsiAddress address_;
};

}  // namespace offload
