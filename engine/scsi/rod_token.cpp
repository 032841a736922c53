#include "engine/scsi/rod_token.hpp"

#include <algorithm>
#include <stdexcept>

namespace offload::scsi {
namespace {

constexpr std::size_t kRangeBytes = 16;

void put_ranges(Bytes& out, const std::vector<BlockRange>& ranges) {
  for (const BlockRange& r : ranges) {
    std::size_t at = out.size();
    out.resize(at + kRangeBytes, 0);
    put_be(out, at, 8, r.lba);
    put_be(out, at + 8, 4, r.blocks);
  }
}

Decoded<std::vector<BlockRange>> get_ranges(std::span<const std::uint8_t> in, std::size_t at, std::size_t bytes,
                                            std::string_view format, std::string_view field) {
  if (bytes % kRangeBytes != 0) {
    return decode_error(format, field, "is " + std::to_string(bytes) + ", not a multiple of 16");
  }
  if (auto ok = need_claimed(in, at, bytes, format, field); !ok) return pass_on(ok.error());
  std::vector<BlockRange> ranges;
  for (std::size_t i = 0; i < bytes; i += kRangeBytes) {
    ranges.push_back({get_be64(in, at + i), get_be32(in, at + i + 8)});
  }
  return ranges;
}

// A list whose bytes 0-1 count the bytes after them.
Check check_data_length(std::span<const std::uint8_t> in, std::string_view format,
                                                   std::string_view field) {
  std::size_t claimed = get_be16(in, 0);
  if (claimed + 2 != in.size()) {
    return decode_error(format, field, "says " + std::to_string(claimed) + " bytes follow but " +
                                           std::to_string(in.size() - 2) + " do");
  }
  return {};
}

}  // namespace

bool in_progress(CopyOperationStatus status) {
  return status == CopyOperationStatus::in_progress || status == CopyOperationStatus::in_progress_foreground ||
         status == CopyOperationStatus::in_progress_background;
}

RodToken zero_rod_token() {
  RodToken token{};
  put_be(token, 0, 4, kBlockDeviceZeroRodType);
  put_be(token, 6, 2, kRodTokenBytes - 8);
  return token;
}

std::uint32_t rod_token_type(const RodToken& token) { return get_be32(token, 0); }

Decoded<std::uint32_t> decode_rod_token(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "ROD token";
  if (auto ok = need_bytes(in, kRodTokenBytes, kFormat, "token (bytes 0-511)"); !ok) return pass_on(ok.error());
  std::size_t length = get_be16(in, 6);
  if (length != kRodTokenBytes - 8) {
    return decode_error(kFormat, "ROD TOKEN LENGTH (bytes 6-7)", "is " + std::to_string(length) + ", want 504 (0x01F8)");
  }
  return get_be32(in, 0);
}

Bytes encode_populate_token(const PopulateToken& list) {
  Bytes out(16, 0);
  out[2] = static_cast<std::uint8_t>((list.rod_type_valid ? 0x02 : 0) | (list.immediate ? 0x01 : 0));
  put_be(out, 4, 4, list.inactivity_timeout_s);
  put_be(out, 8, 4, list.rod_type);
  put_ranges(out, list.ranges);
  if (out.size() - 16 > 0xFFFF) throw std::invalid_argument("too many block device range descriptors");
  put_be(out, 14, 2, out.size() - 16);
  put_be(out, 0, 2, out.size() - 2);
  return out;
}

Decoded<PopulateToken> decode_populate_token(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "POPULATE TOKEN parameter list";
  if (auto ok = need_bytes(in, 16, kFormat, "header (bytes 0-15)"); !ok) return pass_on(ok.error());
  if (auto ok = check_data_length(in, kFormat, "POPULATE TOKEN DATA LENGTH (bytes 0-1)"); !ok) {
    return pass_on(ok.error());
  }
  PopulateToken list;
  list.rod_type_valid = (in[2] & 0x02) != 0;
  list.immediate = (in[2] & 0x01) != 0;
  list.inactivity_timeout_s = get_be32(in, 4);
  list.rod_type = get_be32(in, 8);
  std::size_t ranges_bytes = get_be16(in, 14);
  if (ranges_bytes != in.size() - 16) {
    return decode_error(kFormat, "BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (bytes 14-15)",
                        "is " + std::to_string(ranges_bytes) + " but " + std::to_string(in.size() - 16) + " bytes follow");
  }
  auto ranges = get_ranges(in, 16, ranges_bytes, kFormat, "BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (bytes 14-15)");
  if (!ranges) return pass_on(ranges.error());
  list.ranges = std::move(*ranges);
  return list;
}

Bytes encode_write_using_token(const WriteUsingToken& list) {
  Bytes out(536, 0);
  out[2] = static_cast<std::uint8_t>((list.delete_token ? 0x02 : 0) | (list.immediate ? 0x01 : 0));
  put_be(out, 8, 8, list.offset_into_rod);
  std::copy(list.token.begin(), list.token.end(), out.begin() + 16);
  put_ranges(out, list.ranges);
  if (out.size() - 536 > 0xFFFF) throw std::invalid_argument("too many block device range descriptors");
  put_be(out, 534, 2, out.size() - 536);
  put_be(out, 0, 2, out.size() - 2);
  return out;
}

Decoded<WriteUsingToken> decode_write_using_token(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "WRITE USING TOKEN parameter list";
  if (auto ok = need_bytes(in, 536, kFormat, "header and ROD token (bytes 0-535)"); !ok) return pass_on(ok.error());
  if (auto ok = check_data_length(in, kFormat, "WRITE USING TOKEN DATA LENGTH (bytes 0-1)"); !ok) {
    return pass_on(ok.error());
  }
  if (auto token = decode_rod_token(in.subspan(16, kRodTokenBytes)); !token) {
    return decode_error(kFormat, "ROD TOKEN (bytes 16-527)", token.error().describe());
  }
  WriteUsingToken list;
  list.delete_token = (in[2] & 0x02) != 0;
  list.immediate = (in[2] & 0x01) != 0;
  list.offset_into_rod = get_be64(in, 8);
  std::copy(in.begin() + 16, in.begin() + 16 + kRodTokenBytes, list.token.begin());
  std::size_t ranges_bytes = get_be16(in, 534);
  if (ranges_bytes != in.size() - 536) {
    return decode_error(kFormat, "BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (bytes 534-535)",
                        "is " + std::to_string(ranges_bytes) + " but " + std::to_string(in.size() - 536) + " bytes follow");
  }
  auto ranges = get_ranges(in, 536, ranges_bytes, kFormat, "BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH (bytes 534-535)");
  if (!ranges) return pass_on(ranges.error());
  list.ranges = std::move(*ranges);
  return list;
}

Bytes encode_rod_token_information(const RodTokenInformation& info) {
  if (info.sense.size() > 255) throw std::invalid_argument("sense data longer than 255 bytes");
  // Sized once: header, sense, ROD token descriptor length, then the token
  // after 2 reserved bytes (growing the vector step by step trips GCC 12's
  // -Warray-bounds false positive in its reallocation).
  const std::size_t at = 32 + info.sense.size();
  Bytes out(at + 4 + (info.token ? 2 + kRodTokenBytes : 0), 0);
  out[4] = info.response_to_service_action & 0x1F;
  out[5] = static_cast<std::uint8_t>(info.status) & 0x7F;
  put_be(out, 6, 2, info.operation_counter);
  put_be(out, 8, 4, info.estimated_status_update_delay_ms);
  out[12] = info.extended_copy_completion_status;
  out[13] = static_cast<std::uint8_t>(info.sense.size());
  out[14] = static_cast<std::uint8_t>(info.sense.size());
  out[15] = info.transfer_count_units;
  put_be(out, 16, 8, info.transfer_count);
  put_be(out, 24, 2, info.segments_processed);
  std::copy(info.sense.begin(), info.sense.end(), out.begin() + 32);
  if (info.token) {
    put_be(out, at, 4, 2 + kRodTokenBytes);
    std::copy(info.token->begin(), info.token->end(), out.begin() + static_cast<std::ptrdiff_t>(at + 4 + 2));
  }
  put_be(out, 0, 4, out.size() - 4);
  return out;
}

Decoded<RodTokenInformation> decode_rod_token_information(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "RECEIVE ROD TOKEN INFORMATION data";
  if (auto ok = need_bytes(in, 32, kFormat, "header (bytes 0-31)"); !ok) return pass_on(ok.error());
  std::uint32_t available = get_be32(in, 0);
  if (auto ok = need_claimed(in, 4, available, kFormat, "AVAILABLE DATA (bytes 0-3)"); !ok) {
    return pass_on(ok.error());
  }
  const std::size_t end = 4 + static_cast<std::size_t>(available);
  RodTokenInformation info;
  info.response_to_service_action = in[4] & 0x1F;
  info.status = static_cast<CopyOperationStatus>(in[5] & 0x7F);
  info.operation_counter = get_be16(in, 6);
  info.estimated_status_update_delay_ms = get_be32(in, 8);
  info.extended_copy_completion_status = in[12];
  std::size_t sense_field = in[13];
  std::size_t sense_length = in[14];
  if (sense_length > sense_field) {
    return decode_error(kFormat, "SENSE DATA LENGTH (byte 14)", "is " + std::to_string(sense_length) +
                                                                    ", larger than the sense data field (byte 13: " +
                                                                    std::to_string(sense_field) + ")");
  }
  info.transfer_count_units = in[15];
  info.transfer_count = get_be64(in, 16);
  info.segments_processed = get_be16(in, 24);
  if (end < 32 + sense_field + 4) {
    return decode_error(kFormat, "LENGTH OF THE SENSE DATA FIELD (byte 13)",
                        "leaves no room for ROD TOKEN DESCRIPTORS LENGTH within AVAILABLE DATA");
  }
  info.sense.assign(in.begin() + 32, in.begin() + 32 + static_cast<std::ptrdiff_t>(sense_length));
  std::size_t at = 32 + sense_field;
  std::size_t descriptors = get_be32(in, at);
  if (descriptors != end - at - 4) {
    return decode_error(kFormat, "ROD TOKEN DESCRIPTORS LENGTH (byte " + std::to_string(at) + ")",
                        "is " + std::to_string(descriptors) + " but AVAILABLE DATA leaves " + std::to_string(end - at - 4));
  }
  if (descriptors != 0) {
    if (descriptors != 2 + kRodTokenBytes) {
      return decode_error(kFormat, "ROD TOKEN DESCRIPTORS LENGTH (byte " + std::to_string(at) + ")",
                          "is " + std::to_string(descriptors) + ", want 0 or 514 (2 reserved + a 512-byte token)");
    }
    RodToken token{};
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(at + 6), in.begin() + static_cast<std::ptrdiff_t>(at + 6 + kRodTokenBytes),
              token.begin());
    info.token = token;
  }
  return info;
}

}  // namespace offload::scsi
