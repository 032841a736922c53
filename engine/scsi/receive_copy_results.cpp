#include "engine/scsi/receive_copy_results.hpp"

#include <algorithm>
#include <stdexcept>

namespace offload::scsi {
namespace {

// Reads AVAILABLE DATA and checks that the buffer holds it.
Decoded<std::uint32_t> available_data(std::span<const std::uint8_t> in, std::string_view format) {
  if (auto ok = need_bytes(in, 4, format, "AVAILABLE DATA (bytes 0-3)"); !ok) return pass_on(ok.error());
  std::uint32_t available = get_be32(in, 0);
  if (auto ok = need_claimed(in, 4, available, format, "AVAILABLE DATA (bytes 0-3)"); !ok) {
    return pass_on(ok.error());
  }
  return available;
}

}  // namespace

bool OperatingParameters::implements(std::uint8_t code) const {
  return std::find(implemented_descriptor_codes.begin(), implemented_descriptor_codes.end(), code) !=
         implemented_descriptor_codes.end();
}

Bytes encode_copy_status(const Lid1CopyStatus& status) {
  Bytes out(12, 0);
  put_be(out, 0, 4, 8);
  out[4] = static_cast<std::uint8_t>((status.held_data_discarded ? 0x80 : 0) | (static_cast<std::uint8_t>(status.status) & 0x7F));
  put_be(out, 5, 2, status.segments_processed);
  out[7] = status.transfer_count_units;
  put_be(out, 8, 4, status.transfer_count);
  return out;
}

Decoded<Lid1CopyStatus> decode_copy_status(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "RECEIVE COPY RESULTS copy status";
  auto available = available_data(in, kFormat);
  if (!available) return pass_on(available.error());
  if (*available < 8) {
    return decode_error(kFormat, "AVAILABLE DATA (bytes 0-3)", "is " + std::to_string(*available) + ", must be at least 8");
  }
  Lid1CopyStatus status;
  status.held_data_discarded = (in[4] & 0x80) != 0;
  std::uint8_t value = in[4] & 0x7F;
  if (value > 0x02) {
    return decode_error(kFormat, "COPY MANAGER STATUS (byte 4)", "unknown value " + std::to_string(value));
  }
  status.status = static_cast<CopyManagerStatus>(value);
  status.segments_processed = get_be16(in, 5);
  status.transfer_count_units = in[7];
  status.transfer_count = get_be32(in, 8);
  return status;
}

Bytes encode_operating_parameters(const OperatingParameters& p) {
  if (p.implemented_descriptor_codes.size() > 255) throw std::invalid_argument("more than 255 descriptor codes");
  // Sized once (appending trips GCC 12's -Warray-bounds false positive in the reallocation).
  Bytes out(44 + p.implemented_descriptor_codes.size(), 0);
  put_be(out, 0, 4, 40 + p.implemented_descriptor_codes.size());
  out[4] = p.supports_no_list_id ? 0x01 : 0x00;
  put_be(out, 8, 2, p.max_cscd_descriptors);
  put_be(out, 10, 2, p.max_segment_descriptors);
  put_be(out, 12, 4, p.max_descriptor_list_length);
  put_be(out, 16, 4, p.max_segment_length);
  put_be(out, 20, 4, p.max_inline_data_length);
  put_be(out, 24, 4, p.held_data_limit);
  put_be(out, 28, 4, p.max_stream_transfer_size);
  put_be(out, 34, 2, p.total_concurrent_copies);
  out[36] = p.max_concurrent_copies;
  out[37] = p.data_segment_granularity_log2;
  out[38] = p.inline_data_granularity_log2;
  out[39] = p.held_data_granularity_log2;
  out[43] = static_cast<std::uint8_t>(p.implemented_descriptor_codes.size());
  std::copy(p.implemented_descriptor_codes.begin(), p.implemented_descriptor_codes.end(), out.begin() + 44);
  return out;
}

Decoded<OperatingParameters> decode_operating_parameters(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "RECEIVE COPY RESULTS operating parameters";
  auto available = available_data(in, kFormat);
  if (!available) return pass_on(available.error());
  if (*available < 40) {
    return decode_error(kFormat, "AVAILABLE DATA (bytes 0-3)", "is " + std::to_string(*available) + ", must be at least 40");
  }
  std::size_t codes = in[43];
  if (*available != 40 + codes) {
    return decode_error(kFormat, "IMPLEMENTED DESCRIPTOR LIST LENGTH (byte 43)",
                        "lists " + std::to_string(codes) + " codes but AVAILABLE DATA leaves room for " +
                            std::to_string(*available - 40));
  }
  OperatingParameters p;
  p.supports_no_list_id = (in[4] & 0x01) != 0;
  p.max_cscd_descriptors = get_be16(in, 8);
  p.max_segment_descriptors = get_be16(in, 10);
  p.max_descriptor_list_length = get_be32(in, 12);
  p.max_segment_length = get_be32(in, 16);
  p.max_inline_data_length = get_be32(in, 20);
  p.held_data_limit = get_be32(in, 24);
  p.max_stream_transfer_size = get_be32(in, 28);
  p.total_concurrent_copies = get_be16(in, 34);
  p.max_concurrent_copies = in[36];
  p.data_segment_granularity_log2 = in[37];
  p.inline_data_granularity_log2 = in[38];
  p.held_data_granularity_log2 = in[39];
  p.implemented_descriptor_codes.assign(in.begin() + 44, in.begin() + 44 + static_cast<std::ptrdiff_t>(codes));
  return p;
}

Bytes encode_failed_segment_details(const FailedSegmentDetails& d) {
  if (!d.present) return Bytes(4, 0);
  if (d.sense.size() > 0xFFFF) throw std::invalid_argument("sense data longer than 65535 bytes");
  Bytes out(60, 0);
  put_be(out, 0, 4, 56 + d.sense.size());
  out[56] = d.copy_command_status;
  put_be(out, 58, 2, d.sense.size());
  out.insert(out.end(), d.sense.begin(), d.sense.end());
  return out;
}

Decoded<FailedSegmentDetails> decode_failed_segment_details(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "RECEIVE COPY RESULTS failed segment details";
  auto available = available_data(in, kFormat);
  if (!available) return pass_on(available.error());
  FailedSegmentDetails d;
  if (*available == 0) return d;
  if (*available < 56) {
    return decode_error(kFormat, "AVAILABLE DATA (bytes 0-3)", "is " + std::to_string(*available) + ", must be 0 or at least 56");
  }
  std::size_t sense_length = get_be16(in, 58);
  if (*available != 56 + sense_length) {
    return decode_error(kFormat, "SENSE DATA LENGTH (bytes 58-59)",
                        "is " + std::to_string(sense_length) + " but AVAILABLE DATA leaves " + std::to_string(*available - 56));
  }
  d.present = true;
  d.copy_command_status = in[56];
  d.sense.assign(in.begin() + 60, in.begin() + 60 + static_cast<std::ptrdiff_t>(sense_length));
  return d;
}

}  // namespace offload::scsi
