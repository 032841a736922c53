// One logged-in iSCSI session to one LUN, through libiscsi (Debian
// libiscsi-dev), as a ScsiTransport: raw CDBs with data out or in,
// READ(16)/WRITE(16) into the caller's buffers, CHECK CONDITION sense
// decoded by engine/scsi/sense, and UNIT ATTENTION (e.g. LIO's 0x3F0E on a
// new LUN) retried. Calls are serialised by a mutex: libiscsi's
// synchronous calls are not thread-safe on one context.
#pragma once

#include <cerrno>
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

/// Time limits of an iSCSI session; a phase that runs out fails with
/// ETIMEDOUT and a message naming it. Defaults: 10 s, 10 s, 60 s.
struct IscsiTimeouts {
  double connect_s = 10;  ///< seconds for the TCP connection to the portal
  double login_s = 10;    ///< seconds for the iSCSI login once connected (RFC 7143 section 6)
  double command_s = 60;  ///< seconds per SCSI command (libiscsi's PDU timeout: rounded up to whole seconds)
};

/// Why a connect failed: errno (ETIMEDOUT for a phase that ran out,
/// ECONNREFUSED, EHOSTUNREACH, ... from the socket, EACCES for a refused
/// login, EIO otherwise) and the message naming the phase and libiscsi's reason.
struct IscsiConnectError {
  int errno_value = EIO;  ///< the cause as an errno
  std::string message;    ///< "connect to HOST:PORT: ...", "login to IQN at HOST:PORT: ..."
};

/// True when `text` starts with "iscsi://".
bool is_iscsi_url(std::string_view text);
/// Parses `iscsi://HOST:PORT/IQN/LUN` (no user, no discovery; HOST may be an
/// [IPv6] literal; PORT defaults to 3260, 1..65535); the error names the part.
std::expected<IscsiAddress, std::string> parse_iscsi_url(std::string_view text);

/// A logged-in session to one LUN.
class IscsiSession final : public ScsiTransport {
 public:
  /// Connects and logs in within `timeouts`; the error says which phase
  /// failed and libiscsi's reason. Commands then time out after
  /// `timeouts.command_s` (ETIMEDOUT through the transport's outcome).
  static std::expected<std::unique_ptr<IscsiSession>, IscsiConnectError> connect(const IscsiAddress& address,
                                                                                const IscsiTimeouts& timeouts = {});
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
