// How the LUN target reaches one logical unit: raw CDBs with data out or
// in, whatever carries them (libiscsi for iscsi:// addresses,
// engine/targets/iscsi_session.hpp; the kernel's SG_IO for /dev/sgN and
// /dev/sdX, engine/targets/sg_io_transport.hpp). Discovery, XCOPY and the
// trap check (scsi_lun_profile, scsi_lun) see only this interface.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "engine/scsi/bytes.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/status.hpp"

namespace offload {

/// What one SCSI command came back with.
struct ScsiOutcome {
  int status = 0;                     ///< SCSI status (0 GOOD, 2 CHECK CONDITION) or a transport's own code
  std::optional<scsi::Sense> sense;   ///< decoded sense of a CHECK CONDITION
  std::string transport_error;        ///< why the command did not complete (transport's words)
  int transport_errno = 0;            ///< errno for a transport error (0 = ECONNRESET)
  std::size_t data_in_bytes = 0;      ///< bytes the device returned
  /// True on GOOD.
  [[nodiscard]] bool good() const { return status == 0 && transport_error.empty(); }
  /// True for CHECK CONDITION with UNIT ATTENTION (retried by the transports).
  [[nodiscard]] bool unit_attention() const;
  /// True for ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
  [[nodiscard]] bool invalid_operation_code() const;
  /// One line: "GOOD", "CHECK CONDITION: ILLEGAL REQUEST, asc ...", or the transport error.
  [[nodiscard]] std::string describe() const;
  /// errno for the engine: 0 on GOOD; scsi::errno_for(sense) for a CHECK
  /// CONDITION (engine/scsi/sense_errno.hpp has the table),
  /// scsi::errno_for_status() for other status bytes, and for a transport
  /// error its transport_errno (ECONNRESET when not set).
  [[nodiscard]] int to_errno() const;
};

/// UNIT ATTENTION (a new LUN's 0x3F0E, a reset's 0x2900) is reported once
/// per initiator: a command is repeated up to this many times.
inline constexpr int kUnitAttentionRetries = 8;

/// Runs `attempt()` (returns a ScsiOutcome) again while it answers UNIT ATTENTION.
template <class Attempt>
ScsiOutcome retry_unit_attention(Attempt attempt) {
  ScsiOutcome outcome = attempt();
  for (int retry = 0; retry < kUnitAttentionRetries && outcome.unit_attention(); ++retry) outcome = attempt();
  return outcome;
}

/// One logical unit reached through some transport.
class ScsiTransport {
 public:
  virtual ~ScsiTransport() = default;
  /// The address as given (messages name it).
  [[nodiscard]] virtual std::string address() const = 0;
  /// What names the logical unit itself: equal for two addresses of one LUN
  /// (e.g. "scsi 2:0:1:0" for both /dev/sg2 and /dev/sdb).
  [[nodiscard]] virtual std::string identity() const = 0;
  /// Short kind shown as the target's filesystem column: "iscsi" or "sg".
  [[nodiscard]] virtual std::string kind() const = 0;
  /// Most bytes one command may carry (0: no limit of the transport's own).
  [[nodiscard]] virtual std::uint64_t max_transfer_bytes() const { return 0; }
  /// False when READ/WRITE data is not real bytes (a simulated array models
  /// only its size): the LUN target then asks the engine for no host
  /// buffers and sends empty data spans; the CDB still says how much.
  [[nodiscard]] virtual bool carries_data() const { return true; }
  /// Runs one command: sends `data_out` (may be empty) or receives into
  /// `data_in` (may be empty). UNIT ATTENTION is retried.
  virtual ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                              std::span<std::uint8_t> data_in) = 0;
  /// READ(16) of `blocks` blocks at `lba` into `buffer` (blocks x block_bytes long, or empty when !carries_data()).
  virtual ScsiOutcome read(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes, std::span<std::byte> buffer);
  /// WRITE(16) of `buffer` at `lba` (empty when !carries_data()).
  virtual ScsiOutcome write(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                            std::span<const std::byte> buffer);
  /// READ CAPACITY(16): {blocks, block bytes}.
  virtual std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> capacity();
};

/// READ(16) (0x88) or WRITE(16) (0x8A) CDB.
scsi::Bytes read_write16_cdb(bool write, std::uint64_t lba, std::uint32_t blocks);
/// What a READ(16) or WRITE(16) CDB asks for.
struct ReadWrite16 {
  bool write = false;        ///< WRITE(16) rather than READ(16)
  std::uint64_t lba = 0;     ///< LOGICAL BLOCK ADDRESS, bytes 2-9
  std::uint32_t blocks = 0;  ///< TRANSFER LENGTH, bytes 10-13
};
/// Decodes a READ(16) (0x88) / WRITE(16) (0x8A) CDB (SBC-3); nullopt for any other.
std::optional<ReadWrite16> decode_read_write16(std::span<const std::uint8_t> cdb);
/// READ CAPACITY(16) CDB (SERVICE ACTION IN 0x9E / 0x10).
scsi::Bytes read_capacity16_cdb(std::uint32_t allocation_length);
/// {blocks, block bytes} from READ CAPACITY(16) data; the error names the field.
std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> decode_read_capacity16(std::span<const std::uint8_t> data);

}  // namespace offload
