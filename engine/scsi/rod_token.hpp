// ODX token copy (SBC-3 5.x / SPC-4 6.x): POPULATE TOKEN and WRITE USING
// TOKEN parameter lists with their 16-byte block device range descriptors,
// the 512-byte ROD token (including the well-known block device zero token,
// ROD type 0xFFFF0001) and RECEIVE ROD TOKEN INFORMATION parameter data.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// Size of a ROD token, bytes.
inline constexpr std::size_t kRodTokenBytes = 512;
/// ROD type of the block device zero token.
inline constexpr std::uint32_t kBlockDeviceZeroRodType = 0xFFFF0001;
/// ROD type "point in time copy - default".
inline constexpr std::uint32_t kPointInTimeDefaultRodType = 0x00800000;

/// A ROD token: opaque to the initiator but for its type and length.
using RodToken = std::array<std::uint8_t, kRodTokenBytes>;

/// One block device range descriptor (16 bytes).
struct BlockRange {
  std::uint64_t lba = 0;      ///< LOGICAL BLOCK ADDRESS, bytes 0-7
  std::uint32_t blocks = 0;   ///< NUMBER OF LOGICAL BLOCKS, bytes 8-11
  friend bool operator==(const BlockRange&, const BlockRange&) = default;
};

/// POPULATE TOKEN parameter list.
struct PopulateToken {
  bool immediate = false;               ///< IMMED, byte 2 bit 0
  bool rod_type_valid = false;          ///< RTV, byte 2 bit 1: rod_type is meaningful
  std::uint32_t inactivity_timeout_s = 0;  ///< bytes 4-7, seconds (0 = device default)
  std::uint32_t rod_type = 0;           ///< bytes 8-11
  std::vector<BlockRange> ranges;       ///< descriptors from byte 16 (list length in bytes 14-15)
  friend bool operator==(const PopulateToken&, const PopulateToken&) = default;
};

/// WRITE USING TOKEN parameter list.
struct WriteUsingToken {
  bool immediate = false;              ///< IMMED, byte 2 bit 0
  bool delete_token = false;           ///< DEL_TKN, byte 2 bit 1
  std::uint64_t offset_into_rod = 0;   ///< OFFSET INTO ROD, bytes 8-15, logical blocks
  RodToken token{};                    ///< ROD TOKEN, bytes 16-527
  std::vector<BlockRange> ranges;      ///< descriptors from byte 536 (list length in bytes 534-535)
  friend bool operator==(const WriteUsingToken&, const WriteUsingToken&) = default;
};

/// COPY OPERATION STATUS values of RECEIVE ROD TOKEN INFORMATION.
enum class CopyOperationStatus : std::uint8_t {
  completed = 0x01,                ///< completed without errors
  completed_with_errors = 0x02,    ///< completed with errors
  completed_partial_token = 0x03,  ///< completed without errors, part of the ROD used
  completed_residual = 0x04,       ///< completed without errors, residual data
  in_progress = 0x10,              ///< in progress, foreground or background unknown
  in_progress_foreground = 0x11,   ///< in progress in the foreground
  in_progress_background = 0x12,   ///< in progress in the background
  terminated = 0x60,               ///< aborted (COPY OPERATION ABORT or a reset)
};

/// True for the three in-progress values.
bool in_progress(CopyOperationStatus status);

/// RECEIVE ROD TOKEN INFORMATION parameter data.
struct RodTokenInformation {
  std::uint8_t response_to_service_action = 0;  ///< byte 4 bits 4-0: 0x10 POPULATE TOKEN, 0x11 WRITE USING TOKEN
  CopyOperationStatus status = CopyOperationStatus::completed;  ///< byte 5 bits 6-0
  std::uint16_t operation_counter = 0;         ///< bytes 6-7
  std::uint32_t estimated_status_update_delay_ms = 0;  ///< bytes 8-11, milliseconds
  std::uint8_t extended_copy_completion_status = 0;    ///< byte 12: the command's SCSI status
  Bytes sense;                                 ///< SENSE DATA (field length byte 13, valid length byte 14)
  std::uint8_t transfer_count_units = 0xF1;    ///< byte 15 (0xF1 = logical blocks)
  std::uint64_t transfer_count = 0;            ///< bytes 16-23
  std::uint16_t segments_processed = 0;        ///< bytes 24-25
  std::optional<RodToken> token;               ///< the ROD token, after POPULATE TOKEN
  friend bool operator==(const RodTokenInformation&, const RodTokenInformation&) = default;
};

/// The block device zero ROD token: type 0xFFFF0001, length 0x01F8, rest zero.
RodToken zero_rod_token();
/// ROD TYPE of a token (bytes 0-3).
std::uint32_t rod_token_type(const RodToken& token);
/// Checks a token's ROD TOKEN LENGTH (bytes 6-7 = 0x01F8 for a 512-byte token).
Decoded<std::uint32_t> decode_rod_token(std::span<const std::uint8_t> data);

/// POPULATE TOKEN parameter list bytes.
Bytes encode_populate_token(const PopulateToken& list);
/// Decodes a POPULATE TOKEN list; rejects lengths that disagree with the
/// buffer and a range list that is not whole 16-byte descriptors.
Decoded<PopulateToken> decode_populate_token(std::span<const std::uint8_t> data);

/// WRITE USING TOKEN parameter list bytes.
Bytes encode_write_using_token(const WriteUsingToken& list);
/// Decodes a WRITE USING TOKEN list (same checks, plus the token's length).
Decoded<WriteUsingToken> decode_write_using_token(std::span<const std::uint8_t> data);

/// RECEIVE ROD TOKEN INFORMATION bytes (token descriptor only when `token` is set).
Bytes encode_rod_token_information(const RodTokenInformation& info);
/// Decodes RECEIVE ROD TOKEN INFORMATION; rejects sense and token lengths
/// that disagree with AVAILABLE DATA.
Decoded<RodTokenInformation> decode_rod_token_information(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
