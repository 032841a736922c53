// What a LUN says about itself, learned once when a copy opens it: size
// (READ CAPACITY 16), standard INQUIRY (3PC bit), Device Identification
// (VPD 0x83: the NAA designator XCOPY names it by), unit serial (VPD 0x80),
// Block Limits (VPD 0xB0: maximum transfer length), Third Party Copy (VPD
// 0x8F, when listed) and RECEIVE COPY RESULTS operating parameters (the
// copy manager's segment and descriptor limits). A command the device
// refuses leaves its field empty with the device's answer as the reason.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/targets/scsi_transport.hpp"

namespace offload {

/// One LUN's identity and copy-offload limits.
struct LunProfile {
  std::uint64_t blocks = 0;             ///< capacity, logical blocks
  std::uint32_t block_bytes = 512;      ///< logical block size, bytes
  scsi::StandardInquiry inquiry;        ///< vendor, product, 3PC bit
  std::optional<scsi::DeviceIdentificationVpd> identification;  ///< VPD 0x83
  std::string serial;                   ///< VPD 0x80 unit serial number ("" if none)
  std::uint32_t max_transfer_blocks = 0;  ///< VPD 0xB0 MAXIMUM TRANSFER LENGTH (0 = no limit)
  std::optional<scsi::ThirdPartyCopyVpd> third_party_copy;     ///< VPD 0x8F
  std::optional<scsi::OperatingParameters> copy_parameters;    ///< RECEIVE COPY RESULTS 0x03
  std::string copy_parameters_answer;   ///< what the device answered to RECEIVE COPY RESULTS
  /// Capacity in bytes.
  [[nodiscard]] std::uint64_t bytes() const { return blocks * block_bytes; }
  /// Empty when EXTENDED COPY (LID1, block to block, 0xE4 ids) can run with
  /// this LUN as the copy manager; otherwise why not.
  [[nodiscard]] std::string xcopy_unsupported_reason() const;
  /// Bytes one EXTENDED COPY may move: segment descriptors allowed x
  /// min(MAXIMUM SEGMENT LENGTH, 65,535 blocks), whole blocks.
  [[nodiscard]] std::uint64_t xcopy_max_bytes(std::size_t cscd_descriptors) const;
  /// Segment descriptors one EXTENDED COPY may carry (>= 1).
  [[nodiscard]] std::size_t xcopy_max_segments(std::size_t cscd_descriptors) const;
  /// Bytes one segment descriptor may move (whole blocks; whole MiB from 2 MiB up).
  [[nodiscard]] std::uint64_t xcopy_segment_bytes() const;
  /// Empty when the token copy (POPULATE TOKEN, WRITE USING TOKEN, RECEIVE
  /// ROD TOKEN INFORMATION listed in VPD 0x8F, with ROD token limits) can
  /// run on this LUN; otherwise why not.
  [[nodiscard]] std::string odx_unsupported_reason() const;
  /// Bytes one ROD token may stand for: MAXIMUM TOKEN TRANSFER SIZE blocks
  /// (0 in the page: 2^32 - 1 blocks, the range descriptor's limit).
  [[nodiscard]] std::uint64_t odx_max_bytes() const;
};

/// Asks the LUN behind `session` (any transport); fails only when the LUN cannot be sized.
std::expected<LunProfile, std::string> discover_lun(ScsiTransport& session);

}  // namespace offload
