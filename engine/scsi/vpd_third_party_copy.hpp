// How a LUN announces copy offload: the 3PC bit of standard INQUIRY data
// (SPC-4 6.6.2, byte 5 bit 3) and the Third Party Copy VPD page (0x8F,
// SPC-4 7.8.17) with its descriptors: Block Device ROD Token Limits
// (0x0000, SBC-3), Supported Commands (0x0001), Parameter Data (0x0004)
// and General Copy Operations (0x8001). Other descriptors are kept raw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// The parts of standard INQUIRY data the copy paths use.
struct StandardInquiry {
  std::uint8_t peripheral_qualifier = 0;  ///< byte 0 bits 7-5
  std::uint8_t device_type = 0;           ///< byte 0 bits 4-0 (0 = block device)
  std::uint8_t version = 6;               ///< byte 2 (6 = SPC-4)
  bool third_party_copy = false;          ///< 3PC, byte 5 bit 3
  std::string vendor;                     ///< T10 VENDOR IDENTIFICATION, bytes 8-15 (trailing spaces dropped)
  std::string product;                    ///< PRODUCT IDENTIFICATION, bytes 16-31
  std::string revision;                   ///< PRODUCT REVISION LEVEL, bytes 32-35
  friend bool operator==(const StandardInquiry&, const StandardInquiry&) = default;
};

/// Standard INQUIRY data (36 bytes).
Bytes encode_standard_inquiry(const StandardInquiry& inquiry);
/// Decodes standard INQUIRY data; needs at least bytes 0-7 and that the
/// ADDITIONAL LENGTH (byte 4) cover what the buffer holds; identification
/// strings are read when present.
Decoded<StandardInquiry> decode_standard_inquiry(std::span<const std::uint8_t> data);

/// Block Device ROD Token Limits descriptor (type 0x0000).
struct RodTokenLimits {
  std::uint16_t max_range_descriptors = 0;       ///< bytes 10-11
  std::uint32_t max_inactivity_timeout_s = 0;    ///< bytes 12-15, seconds
  std::uint32_t default_inactivity_timeout_s = 0;  ///< bytes 16-19, seconds
  std::uint64_t max_token_transfer_blocks = 0;   ///< MAXIMUM TOKEN TRANSFER SIZE, bytes 20-27, logical blocks
  std::uint64_t optimal_transfer_blocks = 0;     ///< OPTIMAL TRANSFER COUNT, bytes 28-35, logical blocks
  friend bool operator==(const RodTokenLimits&, const RodTokenLimits&) = default;
};

/// One command of the Supported Commands descriptor.
struct SupportedCommand {
  std::uint8_t opcode = 0;                     ///< OPERATION CODE
  std::vector<std::uint8_t> service_actions;   ///< its supported service actions
  friend bool operator==(const SupportedCommand&, const SupportedCommand&) = default;
};

/// Parameter Data descriptor (type 0x0004).
struct ParameterDataLimits {
  std::uint16_t max_cscd_descriptors = 0;       ///< bytes 8-9
  std::uint16_t max_segment_descriptors = 0;    ///< bytes 10-11
  std::uint32_t max_descriptor_list_length = 0; ///< bytes 12-15, bytes
  std::uint32_t max_inline_data_length = 0;     ///< bytes 16-19, bytes
  friend bool operator==(const ParameterDataLimits&, const ParameterDataLimits&) = default;
};

/// General Copy Operations descriptor (type 0x8001).
struct GeneralCopyOperations {
  std::uint32_t total_concurrent_copies = 0;       ///< bytes 4-7
  std::uint32_t max_identified_concurrent_copies = 0;  ///< bytes 8-11
  std::uint32_t max_segment_length = 0;            ///< bytes 12-15, bytes
  std::uint8_t data_segment_granularity_log2 = 0;  ///< byte 16
  std::uint8_t inline_data_granularity_log2 = 0;   ///< byte 17
  friend bool operator==(const GeneralCopyOperations&, const GeneralCopyOperations&) = default;
};

/// A descriptor this module does not interpret.
struct RawCopyDescriptor {
  std::uint16_t type = 0;  ///< THIRD-PARTY COPY DESCRIPTOR TYPE
  Bytes body;              ///< the bytes after the 4-byte descriptor header
  friend bool operator==(const RawCopyDescriptor&, const RawCopyDescriptor&) = default;
};

/// The Third Party Copy VPD page.
struct ThirdPartyCopyVpd {
  std::uint8_t peripheral = 0;                      ///< byte 0
  std::optional<RodTokenLimits> rod_token_limits;   ///< descriptor 0x0000
  std::vector<SupportedCommand> supported_commands; ///< descriptor 0x0001 (empty when absent)
  std::optional<ParameterDataLimits> parameter_data;  ///< descriptor 0x0004
  std::optional<GeneralCopyOperations> general;     ///< descriptor 0x8001
  std::vector<RawCopyDescriptor> other;             ///< any other descriptor
  /// True when the Supported Commands descriptor lists this opcode and service action.
  [[nodiscard]] bool supports(std::uint8_t opcode, std::uint8_t service_action) const;
  friend bool operator==(const ThirdPartyCopyVpd&, const ThirdPartyCopyVpd&) = default;
};

/// The page's bytes (byte 1 = 0x8F); descriptors padded to multiples of 4 bytes.
Bytes encode_third_party_copy_vpd(const ThirdPartyCopyVpd& page);
/// Decodes the page; rejects a wrong page code, descriptors that run past
/// the page, known descriptors of the wrong length and inconsistent command lists.
Decoded<ThirdPartyCopyVpd> decode_third_party_copy_vpd(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
