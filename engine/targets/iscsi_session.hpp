// One logged-in iSCSI session to one LUN, through libiscsi (Debian
// libiscsi-dev), as a ScsiTransport: raw CDBs with data out or in,
// READ(16)/WRITE(16) into the caller's buffers, CHECK CONDITION sense
// decoded by engine/scsi/sense, and UNIT ATTENTION (e.g. LIO's 0x3F0E on a
// new LUN) retried. Calls are serialised by a mutex: libiscsi's
// synchronous calls are not thread-safe on one context.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "engine/targets/scsi_transport.hpp"

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

/// A logged-in session to one LUN.
class IscsiSession final : public ScsiTransport {
 public:
  /// Connects and logs in; the error says what failed and libiscsi's reason.
  static std::expected<std::unique_ptr<IscsiSession>, std::string> connect(const IscsiAddress& address);
  ~IscsiSession() override;
  IscsiSession(const IscsiSession&) = delete;
  IscsiSession& operator=(const IscsiSession&) = delete;

  /// "iscsi://PORTAL/IQN/LUN".
  [[nodiscard]] std::string address() const override { return address_.url(); }
  /// The URL: one LUN per portal, target and number.
  [[nodiscard]] std::string identity() const override { return address_.url(); }
  /// "iscsi".
  [[nodiscard]] std::string kind() const override { return "iscsi"; }
  ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      std::span<std::uint8_t> data_in) override;
  /// READ(16) through libiscsi's helper (scatter list, no copy).
  ScsiOutcome read(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes, std::span<std::byte> buffer) override;
  /// WRITE(16) through libiscsi's helper.
  ScsiOutcome write(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                    std::span<const std::byte> buffer) override;
  /// READ CAPACITY(16) through libiscsi's helper.
  std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> capacity() override;

 private:
  IscsiSession(iscsi_context* context, IscsiAddress address) : context_(context), address_(std::move(address)) {}
  ScsiOutcome finish(scsi_task* task);
  std::mutex mutex_;
  iscsi_context* context_;
  IscsiAddress address_;
};

}  // namespace offload
