#include "engine/scsi/xcopy_lid1.hpp"

#include <stdexcept>

namespace offload::scsi {
namespace {

constexpr std::string_view kFormat = "EXTENDED COPY (LID1) parameter list";
constexpr std::size_t kHeaderBytes = 16;

void put_target(Bytes& out, const IdentificationDescriptor& t) {
  if (t.designator.value.size() > 20) throw std::invalid_argument("0xE4 designator longer than 20 bytes");
  std::size_t at = out.size();
  out.resize(at + kCscdDescriptorBytes, 0);
  std::span<std::uint8_t> d(out.data() + at, kCscdDescriptorBytes);
  d[0] = kIdentificationDescriptor;
  d[1] = t.peripheral_device_type & 0x1F;
  put_be(d, 2, 2, t.relative_initiator_port);
  d[4] = t.designator.code_set & 0x0F;
  d[5] = static_cast<std::uint8_t>(((t.designator.association & 0x3) << 4) |
                                   (static_cast<std::uint8_t>(t.designator.type) & 0x0F));
  d[7] = static_cast<std::uint8_t>(t.designator.value.size());
  for (std::size_t i = 0; i < t.designator.value.size(); ++i) d[8 + i] = t.designator.value[i];
  d[28] = t.pad ? 0x04 : 0x00;
  put_be(d, 29, 3, t.block_length);
}

void put_segment(Bytes& out, const BlockSegment& s) {
  std::size_t at = out.size();
  out.resize(at + kBlockSegmentBytes, 0);
  std::span<std::uint8_t> d(out.data() + at, kBlockSegmentBytes);
  d[0] = kBlockToBlockSegment;
  d[1] = static_cast<std::uint8_t>((s.destination_count ? 0x02 : 0) | (s.cat ? 0x01 : 0));
  put_be(d, 2, 2, kBlockSegmentBytes - 4);
  put_be(d, 4, 2, s.source_index);
  put_be(d, 6, 2, s.destination_index);
  put_be(d, 10, 2, s.blocks);
  put_be(d, 12, 8, s.source_lba);
  put_be(d, 20, 8, s.destination_lba);
}

Decoded<IdentificationDescriptor> decode_target(std::span<const std::uint8_t> d, std::size_t index) {
  std::string where = "CSCD descriptor " + std::to_string(index);
  if (d[0] != kIdentificationDescriptor) {
    return decode_error(kFormat, where + " DESCRIPTOR TYPE CODE (byte 0)",
                        "unsupported type " + std::to_string(d[0]) + " (only 0xE4 identification)");
  }
  IdentificationDescriptor t;
  t.peripheral_device_type = d[1] & 0x1F;
  t.relative_initiator_port = get_be16(d, 2);
  t.designator.code_set = d[4] & 0x0F;
  t.designator.association = (d[5] >> 4) & 0x3;
  t.designator.type = static_cast<DesignatorType>(d[5] & 0x0F);
  std::size_t length = d[7];
  if (length > 20) {
    return decode_error(kFormat, where + " DESIGNATOR LENGTH (byte 7)",
                        "is " + std::to_string(length) + ", at most 20 fit in an 0xE4 descriptor");
  }
  t.designator.value.assign(d.begin() + 8, d.begin() + 8 + static_cast<std::ptrdiff_t>(length));
  t.pad = (d[28] & 0x04) != 0;
  t.block_length = static_cast<std::uint32_t>(get_be(d, 29, 3));
  return t;
}

}  // namespace

IdentificationDescriptor identification_descriptor(const Designator& designator, std::uint32_t block_length) {
  IdentificationDescriptor t;
  t.designator = designator;
  t.designator.protocol_identifier = 0;
  t.designator.protocol_identifier_valid = false;
  t.block_length = block_length;
  return t;
}

Bytes encode_extended_copy(const ExtendedCopyList& list) {
  Bytes out(kHeaderBytes, 0);
  out[0] = list.list_id;
  out[1] = static_cast<std::uint8_t>((list.str ? 0x20 : 0) | ((list.list_id_usage & 0x3) << 3) | (list.priority & 0x7));
  for (const auto& t : list.targets) put_target(out, t);
  std::size_t targets_bytes = out.size() - kHeaderBytes;
  for (const auto& s : list.segments) put_segment(out, s);
  std::size_t segments_bytes = out.size() - kHeaderBytes - targets_bytes;
  out.insert(out.end(), list.inline_data.begin(), list.inline_data.end());
  put_be(out, 2, 2, targets_bytes);
  put_be(out, 8, 4, segments_bytes);
  put_be(out, 12, 4, list.inline_data.size());
  return out;
}

Decoded<ExtendedCopyList> decode_extended_copy(std::span<const std::uint8_t> in) {
  if (auto ok = need_bytes(in, kHeaderBytes, kFormat, "header (bytes 0-15)"); !ok) return std::unexpected(ok.error());
  ExtendedCopyList list;
  list.list_id = in[0];
  list.str = (in[1] & 0x20) != 0;
  list.list_id_usage = (in[1] >> 3) & 0x3;
  list.priority = in[1] & 0x7;
  std::uint64_t targets_bytes = get_be16(in, 2);
  std::uint64_t segments_bytes = get_be32(in, 8);
  std::uint64_t inline_bytes = get_be32(in, 12);
  if (targets_bytes % kCscdDescriptorBytes != 0) {
    return decode_error(kFormat, "CSCD DESCRIPTOR LIST LENGTH (bytes 2-3)",
                        "is " + std::to_string(targets_bytes) + ", not a multiple of 32");
  }
  std::uint64_t body = targets_bytes + segments_bytes + inline_bytes;
  if (body != in.size() - kHeaderBytes) {
    return decode_error(kFormat, "list lengths (bytes 2-3, 8-11, 12-15)",
                        "add up to " + std::to_string(body) + " bytes but " + std::to_string(in.size() - kHeaderBytes) +
                            " follow the header");
  }
  std::size_t at = kHeaderBytes;
  for (std::size_t i = 0; i < targets_bytes / kCscdDescriptorBytes; ++i, at += kCscdDescriptorBytes) {
    auto target = decode_target(in.subspan(at, kCscdDescriptorBytes), i);
    if (!target) return std::unexpected(target.error());
    list.targets.push_back(std::move(*target));
  }
  const std::size_t segments_end = at + segments_bytes;
  while (at < segments_end) {
    std::string where = "segment descriptor at byte " + std::to_string(at);
    if (segments_end - at < 4) return decode_error(kFormat, where, "header cut off by SEGMENT DESCRIPTOR LIST LENGTH");
    if (in[at] != kBlockToBlockSegment) {
      return decode_error(kFormat, where + " DESCRIPTOR TYPE CODE",
                          "unsupported type " + std::to_string(in[at]) + " (only 0x02 block to block)");
    }
    std::size_t length = get_be16(in, at + 2);
    if (length != kBlockSegmentBytes - 4) {
      return decode_error(kFormat, where + " DESCRIPTOR LENGTH (bytes 2-3)",
                          "is " + std::to_string(length) + ", must be 24 for type 0x02");
    }
    if (segments_end - at < kBlockSegmentBytes) {
      return decode_error(kFormat, where, "runs past SEGMENT DESCRIPTOR LIST LENGTH");
    }
    BlockSegment s;
    s.destination_count = (in[at + 1] & 0x02) != 0;
    s.cat = (in[at + 1] & 0x01) != 0;
    s.source_index = get_be16(in, at + 4);
    s.destination_index = get_be16(in, at + 6);
    s.blocks = get_be16(in, at + 10);
    s.source_lba = get_be64(in, at + 12);
    s.destination_lba = get_be64(in, at + 20);
    for (std::uint16_t index : {s.source_index, s.destination_index}) {
      if (index >= list.targets.size()) {
        return decode_error(kFormat, where + " CSCD DESCRIPTOR ID",
                            "names CSCD " + std::to_string(index) + " but the list has " +
                                std::to_string(list.targets.size()));
      }
    }
    list.segments.push_back(s);
    at += kBlockSegmentBytes;
  }
  list.inline_data.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.end());
  return list;
}

}  // namespace offload::scsi
