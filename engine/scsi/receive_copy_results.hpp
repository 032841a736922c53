// RECEIVE COPY RESULTS parameter data (SPC-4 6.18, LID1 service actions):
// copy status (0x00), operating parameters (0x03) and failed segment
// details (0x04). Each starts with a 4-byte AVAILABLE DATA field (bytes
// that follow it).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// COPY MANAGER STATUS values of the copy status data.
enum class CopyManagerStatus : std::uint8_t {
  in_progress = 0x00,            ///< operation in progress
  completed_good = 0x01,         ///< completed without errors
  completed_with_errors = 0x02,  ///< completed with errors (see failed segment details)
};

/// RECEIVE COPY STATUS (LID1) data (service action 0x00): 12 bytes. Not the
/// engine's offload::CopyStatus (a whole copy's progress).
struct Lid1CopyStatus {
  bool held_data_discarded = false;  ///< HDD, byte 4 bit 7
  CopyManagerStatus status = CopyManagerStatus::in_progress;  ///< byte 4 bits 6-0
  std::uint16_t segments_processed = 0;  ///< bytes 5-6
  std::uint8_t transfer_count_units = 0;  ///< byte 7: 0 bytes, 1 KiB, 2 MiB ..., 0xF1 destination blocks
  std::uint32_t transfer_count = 0;       ///< bytes 8-11, in transfer_count_units
  friend bool operator==(const Lid1CopyStatus&, const Lid1CopyStatus&) = default;
};

/// Operating parameters (service action 0x03): the copy manager's limits.
struct OperatingParameters {
  bool supports_no_list_id = false;          ///< SNLID, byte 4 bit 0
  std::uint16_t max_cscd_descriptors = 0;    ///< MAXIMUM CSCD DESCRIPTOR COUNT, bytes 8-9
  std::uint16_t max_segment_descriptors = 0; ///< MAXIMUM SEGMENT DESCRIPTOR COUNT, bytes 10-11
  std::uint32_t max_descriptor_list_length = 0;  ///< bytes 12-15, bytes
  std::uint32_t max_segment_length = 0;      ///< MAXIMUM SEGMENT LENGTH, bytes 16-19, bytes
  std::uint32_t max_inline_data_length = 0;  ///< bytes 20-23, bytes
  std::uint32_t held_data_limit = 0;         ///< bytes 24-27, bytes
  std::uint32_t max_stream_transfer_size = 0;  ///< bytes 28-31, bytes
  std::uint16_t total_concurrent_copies = 0;   ///< bytes 34-35
  std::uint8_t max_concurrent_copies = 0;      ///< byte 36
  std::uint8_t data_segment_granularity_log2 = 0;  ///< byte 37
  std::uint8_t inline_data_granularity_log2 = 0;   ///< byte 38
  std::uint8_t held_data_granularity_log2 = 0;     ///< byte 39
  std::vector<std::uint8_t> implemented_descriptor_codes;  ///< bytes 44.. (count in byte 43)
  /// True when `code` (e.g. 0x02 or 0xE4) is in the implemented list.
  [[nodiscard]] bool implements(std::uint8_t code) const;
  friend bool operator==(const OperatingParameters&, const OperatingParameters&) = default;
};

/// Failed segment details (service action 0x04).
struct FailedSegmentDetails {
  bool present = false;             ///< false when AVAILABLE DATA is 0 (nothing failed)
  std::uint8_t copy_command_status = 0;  ///< byte 56: the EXTENDED COPY's SCSI status
  Bytes sense;                      ///< SENSE DATA, length in bytes 58-59
  friend bool operator==(const FailedSegmentDetails&, const FailedSegmentDetails&) = default;
};

/// Copy status bytes.
Bytes encode_copy_status(const Lid1CopyStatus& status);
/// Decodes copy status; rejects short data and unknown status values.
Decoded<Lid1CopyStatus> decode_copy_status(std::span<const std::uint8_t> data);

/// Operating parameters bytes.
Bytes encode_operating_parameters(const OperatingParameters& parameters);
/// Decodes operating parameters; rejects short data and a descriptor code
/// list that disagrees with AVAILABLE DATA.
Decoded<OperatingParameters> decode_operating_parameters(std::span<const std::uint8_t> data);

/// Failed segment details bytes (4 bytes when nothing failed).
Bytes encode_failed_segment_details(const FailedSegmentDetails& details);
/// Decodes failed segment details; rejects a sense length that disagrees with AVAILABLE DATA.
Decoded<FailedSegmentDetails> decode_failed_segment_details(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
