// SCSI sense data (SPC-4 4.5): fixed format (response codes 0x70/0x71) and
// descriptor format (0x72/0x73), with the information and sense-key
// specific fields; the sense keys and additional sense codes the copy
// offload paths meet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// Sense keys (SPC-4 Table 48).
enum class SenseKey : std::uint8_t {
  no_sense = 0x0, recovered_error = 0x1, not_ready = 0x2, medium_error = 0x3, hardware_error = 0x4,
  illegal_request = 0x5, unit_attention = 0x6, data_protect = 0x7, blank_check = 0x8,
  vendor_specific = 0x9, copy_aborted = 0xA, aborted_command = 0xB, volume_overflow = 0xD,
  miscompare = 0xE,
};

/// An additional sense code and qualifier, e.g. {0x20, 0x00}.
struct AdditionalSense {
  std::uint8_t asc = 0;   ///< ADDITIONAL SENSE CODE
  std::uint8_t ascq = 0;  ///< ADDITIONAL SENSE CODE QUALIFIER
  friend bool operator==(const AdditionalSense&, const AdditionalSense&) = default;
};

/// Additional sense codes used by the copy paths (SPC-4 Annex D).
namespace asc {
inline constexpr AdditionalSense invalid_operation_code{0x20, 0x00};     ///< INVALID COMMAND OPERATION CODE
inline constexpr AdditionalSense invalid_field_in_cdb{0x24, 0x00};       ///< INVALID FIELD IN CDB
inline constexpr AdditionalSense invalid_field_in_parameter_list{0x26, 0x00};  ///< INVALID FIELD IN PARAMETER LIST
inline constexpr AdditionalSense parameter_list_length_error{0x1A, 0x00};     ///< PARAMETER LIST LENGTH ERROR
inline constexpr AdditionalSense copy_target_device_not_reachable{0x0D, 0x02};  ///< COPY TARGET DEVICE NOT REACHABLE
inline constexpr AdditionalSense too_many_segment_descriptors{0x26, 0x08};    ///< TOO MANY SEGMENT DESCRIPTORS
inline constexpr AdditionalSense invalid_token_operation{0x23, 0x00};         ///< INVALID TOKEN OPERATION, CAUSE NOT REPORTABLE
inline constexpr AdditionalSense token_unknown{0x23, 0x04};                   ///< INVALID TOKEN OPERATION, TOKEN UNKNOWN
inline constexpr AdditionalSense token_expired{0x23, 0x07};                   ///< INVALID TOKEN OPERATION, TOKEN EXPIRED
inline constexpr AdditionalSense third_party_device_failure{0x0D, 0x01};      ///< THIRD PARTY DEVICE FAILURE
inline constexpr AdditionalSense lba_out_of_range{0x21, 0x00};              ///< LOGICAL BLOCK ADDRESS OUT OF RANGE
inline constexpr AdditionalSense power_on_reset{0x29, 0x00};                ///< POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
inline constexpr AdditionalSense luns_changed{0x3F, 0x0E};                  ///< REPORTED LUNS DATA HAS CHANGED
inline constexpr AdditionalSense write_protected{0x27, 0x00};               ///< WRITE PROTECTED
inline constexpr AdditionalSense space_allocation_failed{0x27, 0x07};       ///< SPACE ALLOCATION FAILED WRITE PROTECT (SBC-3 thin provisioning)
inline constexpr AdditionalSense unrecovered_read_error{0x11, 0x00};        ///< UNRECOVERED READ ERROR
}  // namespace asc

/// Decoded sense data, either format.
struct Sense {
  bool descriptor_format = false;  ///< 0x72/0x73 rather than 0x70/0x71
  bool deferred = false;           ///< 0x71/0x73: reports an earlier command
  SenseKey key = SenseKey::no_sense;  ///< SENSE KEY
  AdditionalSense code;            ///< ASC / ASCQ
  std::optional<std::uint64_t> information;  ///< INFORMATION (fixed: 32 bits when VALID; descriptor: type 0x00)
  std::uint32_t command_specific = 0;        ///< COMMAND-SPECIFIC INFORMATION (fixed format only)
  std::optional<std::array<std::uint8_t, 3>> key_specific;  ///< SENSE KEY SPECIFIC bytes when SKSV is set
  /// E.g. "ILLEGAL REQUEST, asc 0x20/0x00 (INVALID COMMAND OPERATION CODE)".
  [[nodiscard]] std::string describe() const;
  friend bool operator==(const Sense&, const Sense&) = default;
};

/// Name of a sense key, e.g. "ILLEGAL REQUEST".
std::string_view sense_key_name(SenseKey key);

/// Fixed-format sense bytes (18 bytes: additional length 10).
Bytes encode_fixed_sense(const Sense& sense);
/// Descriptor-format sense bytes (8-byte header, then information 0x00 and
/// sense-key specific 0x02 descriptors when set).
Bytes encode_descriptor_sense(const Sense& sense);
/// Decodes either format; rejects unknown response codes, short buffers and
/// descriptor lists that run past the additional sense length.
Decoded<Sense> decode_sense(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
