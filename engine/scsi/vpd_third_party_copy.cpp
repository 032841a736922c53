#include "engine/scsi/vpd_third_party_copy.hpp"

#include <algorithm>
#include <stdexcept>

namespace offload::scsi {
namespace {

constexpr std::string_view kVpdFormat = "Third Party Copy VPD page (0x8F)";

std::string ascii_field(std::span<const std::uint8_t> in, std::size_t at, std::size_t bytes) {
  std::string text(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + bytes));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

void put_ascii(Bytes& out, std::size_t at, std::size_t bytes, const std::string& text) {
  for (std::size_t i = 0; i < bytes; ++i) out[at + i] = i < text.size() ? static_cast<std::uint8_t>(text[i]) : ' ';
}

// Appends one descriptor: type, length (padded to a multiple of 4), body.
void put_descriptor(Bytes& out, std::uint16_t type, Bytes body) {
  body.resize((body.size() + 3) / 4 * 4, 0);
  if (body.size() > 0xFFFF) throw std::invalid_argument("third-party copy descriptor too long");
  std::size_t at = out.size();
  out.resize(at + 4, 0);
  put_be(out, at, 2, type);
  put_be(out, at + 2, 2, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

Bytes supported_commands_body(const std::vector<SupportedCommand>& commands) {
  Bytes body(1, 0);
  for (const SupportedCommand& c : commands) {
    body.push_back(c.opcode);
    body.push_back(static_cast<std::uint8_t>(c.service_actions.size()));
    body.insert(body.end(), c.service_actions.begin(), c.service_actions.end());
  }
  if (body.size() - 1 > 255) throw std::invalid_argument("supported commands list longer than 255 bytes");
  body[0] = static_cast<std::uint8_t>(body.size() - 1);
  return body;
}

Decoded<std::vector<SupportedCommand>> decode_supported_commands(std::span<const std::uint8_t> body) {
  const std::string field = "Supported Commands descriptor (0x0001)";
  if (body.empty()) return decode_error(kVpdFormat, field, "empty: no COMMANDS SUPPORTED LIST LENGTH");
  std::size_t list = body[0];
  if (list > body.size() - 1) {
    return decode_error(kVpdFormat, field + " COMMANDS SUPPORTED LIST LENGTH",
                        "is " + std::to_string(list) + ", past the descriptor's " + std::to_string(body.size() - 1) + " bytes");
  }
  std::vector<SupportedCommand> commands;
  std::size_t at = 1;
  while (at < 1 + list) {
    if (1 + list - at < 2) return decode_error(kVpdFormat, field, "command entry cut off at byte " + std::to_string(at));
    SupportedCommand c;
    c.opcode = body[at];
    std::size_t actions = body[at + 1];
    if (actions > 1 + list - at - 2) {
      return decode_error(kVpdFormat, field + " SUPPORTED SERVICE ACTIONS LIST LENGTH",
                          "of opcode " + std::to_string(c.opcode) + " runs past the command list");
    }
    c.service_actions.assign(body.begin() + static_cast<std::ptrdiff_t>(at + 2),
                             body.begin() + static_cast<std::ptrdiff_t>(at + 2 + actions));
    commands.push_back(std::move(c));
    at += 2 + actions;
  }
  return commands;
}

// Checks a fixed-size descriptor's length (the bytes after its 4-byte header).
Check need_body(std::span<const std::uint8_t> body, std::size_t bytes, std::string_view name) {
  if (body.size() >= bytes) return {};
  return decode_error(kVpdFormat, std::string(name) + " DESCRIPTOR LENGTH",
                      "is " + std::to_string(body.size()) + ", must be at least " + std::to_string(bytes));
}

}  // namespace

Bytes encode_standard_inquiry(const StandardInquiry& q) {
  Bytes out(36, 0);
  out[0] = static_cast<std::uint8_t>((q.peripheral_qualifier << 5) | (q.device_type & 0x1F));
  out[2] = q.version;
  out[3] = 0x02;  // RESPONSE DATA FORMAT 2
  out[4] = 36 - 5;
  out[5] = q.third_party_copy ? 0x08 : 0x00;
  put_ascii(out, 8, 8, q.vendor);
  put_ascii(out, 16, 16, q.product);
  put_ascii(out, 32, 4, q.revision);
  return out;
}

Decoded<StandardInquiry> decode_standard_inquiry(std::span<const std::uint8_t> in) {
  constexpr std::string_view kFormat = "standard INQUIRY data";
  if (auto ok = need_bytes(in, 8, kFormat, "bytes 0-7 (3PC in byte 5)"); !ok) return pass_on(ok.error());
  std::size_t total = 5 + static_cast<std::size_t>(in[4]);
  if (total < 8) {
    return decode_error(kFormat, "ADDITIONAL LENGTH (byte 4)", "is " + std::to_string(in[4]) + ", must be at least 3");
  }
  StandardInquiry q;
  q.peripheral_qualifier = in[0] >> 5;
  q.device_type = in[0] & 0x1F;
  q.version = in[2];
  q.third_party_copy = (in[5] & 0x08) != 0;
  std::size_t have = std::min(total, in.size());  // allocation length may cut the data short
  if (have >= 16) q.vendor = ascii_field(in, 8, 8);
  if (have >= 32) q.product = ascii_field(in, 16, 16);
  if (have >= 36) q.revision = ascii_field(in, 32, 4);
  return q;
}

bool ThirdPartyCopyVpd::supports(std::uint8_t opcode, std::uint8_t service_action) const {
  return std::any_of(supported_commands.begin(), supported_commands.end(), [&](const SupportedCommand& c) {
    return c.opcode == opcode && std::find(c.service_actions.begin(), c.service_actions.end(), service_action) !=
                                     c.service_actions.end();
  });
}

Bytes encode_third_party_copy_vpd(const ThirdPartyCopyVpd& page) {
  Bytes out(4, 0);
  out[0] = page.peripheral;
  out[1] = 0x8F;
  if (page.rod_token_limits) {
    const RodTokenLimits& l = *page.rod_token_limits;
    Bytes body(32, 0);  // descriptor bytes 4-35
    put_be(body, 6, 2, l.max_range_descriptors);
    put_be(body, 8, 4, l.max_inactivity_timeout_s);
    put_be(body, 12, 4, l.default_inactivity_timeout_s);
    put_be(body, 16, 8, l.max_token_transfer_blocks);
    put_be(body, 24, 8, l.optimal_transfer_blocks);
    put_descriptor(out, 0x0000, std::move(body));
  }
  if (!page.supported_commands.empty()) put_descriptor(out, 0x0001, supported_commands_body(page.supported_commands));
  if (page.parameter_data) {
    const ParameterDataLimits& p = *page.parameter_data;
    Bytes body(28, 0);  // descriptor bytes 4-31
    put_be(body, 4, 2, p.max_cscd_descriptors);
    put_be(body, 6, 2, p.max_segment_descriptors);
    put_be(body, 8, 4, p.max_descriptor_list_length);
    put_be(body, 12, 4, p.max_inline_data_length);
    put_descriptor(out, 0x0004, std::move(body));
  }
  if (page.general) {
    const GeneralCopyOperations& g = *page.general;
    Bytes body(32, 0);  // descriptor bytes 4-35
    put_be(body, 0, 4, g.total_concurrent_copies);
    put_be(body, 4, 4, g.max_identified_concurrent_copies);
    put_be(body, 8, 4, g.max_segment_length);
    body[12] = g.data_segment_granularity_log2;
    body[13] = g.inline_data_granularity_log2;
    put_descriptor(out, 0x8001, std::move(body));
  }
  for (const RawCopyDescriptor& raw : page.other) put_descriptor(out, raw.type, raw.body);
  if (out.size() - 4 > 0xFFFF) throw std::invalid_argument("third party copy page too long");
  put_be(out, 2, 2, out.size() - 4);
  return out;
}

Decoded<ThirdPartyCopyVpd> decode_third_party_copy_vpd(std::span<const std::uint8_t> in) {
  if (auto ok = need_bytes(in, 4, kVpdFormat, "header (bytes 0-3)"); !ok) return pass_on(ok.error());
  if (in[1] != 0x8F) return decode_error(kVpdFormat, "PAGE CODE (byte 1)", "is " + std::to_string(in[1]) + ", want 0x8F");
  std::size_t length = get_be16(in, 2);
  if (auto ok = need_claimed(in, 4, length, kVpdFormat, "PAGE LENGTH (bytes 2-3)"); !ok) return pass_on(ok.error());
  ThirdPartyCopyVpd page;
  page.peripheral = in[0];
  std::size_t at = 4;
  const std::size_t end = 4 + length;
  while (at < end) {
    if (end - at < 4) return decode_error(kVpdFormat, "descriptor at byte " + std::to_string(at), "header cut off by the page length");
    std::uint16_t type = get_be16(in, at);
    std::size_t body_length = get_be16(in, at + 2);
    if (body_length > end - at - 4) {
      return decode_error(kVpdFormat, "THIRD-PARTY COPY DESCRIPTOR LENGTH at byte " + std::to_string(at + 2),
                          "is " + std::to_string(body_length) + ", past the page end");
    }
    if (body_length % 4 != 0) {  // SPC-4 7.8.17.1: descriptors are whole 4-byte units
      return decode_error(kVpdFormat, "THIRD-PARTY COPY DESCRIPTOR LENGTH at byte " + std::to_string(at + 2),
                          "is " + std::to_string(body_length) + ", not a multiple of 4");
    }
    auto body = in.subspan(at + 4, body_length);
    switch (type) {
      case 0x0000: {
        if (auto ok = need_body(body, 32, "Block Device ROD Token Limits (0x0000)"); !ok) return pass_on(ok.error());
        page.rod_token_limits = RodTokenLimits{get_be16(body, 6), get_be32(body, 8), get_be32(body, 12),
                                               get_be64(body, 16), get_be64(body, 24)};
        break;
      }
      case 0x0001: {
        auto commands = decode_supported_commands(body);
        if (!commands) return pass_on(commands.error());
        page.supported_commands = std::move(*commands);
        break;
      }
      case 0x0004: {
        if (auto ok = need_body(body, 16, "Parameter Data (0x0004)"); !ok) return pass_on(ok.error());
        page.parameter_data = ParameterDataLimits{get_be16(body, 4), get_be16(body, 6), get_be32(body, 8), get_be32(body, 12)};
        break;
      }
      case 0x8001: {
        if (auto ok = need_body(body, 14, "General Copy Operations (0x8001)"); !ok) return pass_on(ok.error());
        page.general = GeneralCopyOperations{get_be32(body, 0), get_be32(body, 4), get_be32(body, 8), body[12], body[13]};
        break;
      }
      default: page.other.push_back({type, Bytes(body.begin(), body.end())}); break;
    }
    at += 4 + body_length;
  }
  return page;
}

}  // namespace offload::scsi
