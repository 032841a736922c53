#include "engine/scsi/vpd_device_identification.hpp"

#include <cstdio>
#include <stdexcept>

namespace offload::scsi {
namespace {
constexpr std::string_view kFormat = "Device Identification VPD page (0x83)";
}  // namespace

const Designator* DeviceIdentificationVpd::logical_unit_naa() const {
  for (const Designator& d : designators) {
    if (d.association == 0 && d.type == DesignatorType::naa) return &d;
  }
  return nullptr;
}

const Designator* DeviceIdentificationVpd::best_for_copy() const {
  for (DesignatorType want : {DesignatorType::naa, DesignatorType::eui64, DesignatorType::t10_vendor_id,
                              DesignatorType::vendor_specific}) {
    for (const Designator& d : designators) {
      if (d.association == 0 && d.type == want && d.value.size() <= 20) return &d;
    }
  }
  return nullptr;
}

std::string designator_hex(const Designator& designator) {
  std::string out;
  char digits[3];
  for (std::uint8_t byte : designator.value) {
    std::snprintf(digits, sizeof digits, "%02x", byte);
    out += digits;
  }
  return out;
}

Bytes encode_device_identification_vpd(const DeviceIdentificationVpd& page) {
  Bytes out(4, 0);
  out[0] = page.peripheral;
  out[1] = 0x83;
  for (const Designator& d : page.designators) {
    if (d.value.size() > 255) throw std::invalid_argument("designator longer than 255 bytes");
    out.push_back(static_cast<std::uint8_t>((d.protocol_identifier << 4) | (d.code_set & 0x0F)));
    out.push_back(static_cast<std::uint8_t>((d.protocol_identifier_valid ? 0x80 : 0) | ((d.association & 0x3) << 4) |
                                            (static_cast<std::uint8_t>(d.type) & 0x0F)));
    out.push_back(0);
    out.push_back(static_cast<std::uint8_t>(d.value.size()));
    out.insert(out.end(), d.value.begin(), d.value.end());
  }
  if (out.size() - 4 > 0xFFFF) throw std::invalid_argument("device identification page too long");
  put_be(out, 2, 2, out.size() - 4);
  return out;
}

Decoded<DeviceIdentificationVpd> decode_device_identification_vpd(std::span<const std::uint8_t> in) {
  if (auto ok = need_bytes(in, 4, kFormat, "header (bytes 0-3)"); !ok) return std::unexpected(ok.error());
  if (in[1] != 0x83) {
    return decode_error(kFormat, "PAGE CODE (byte 1)", "is " + std::to_string(in[1]) + ", want 0x83");
  }
  std::size_t length = get_be16(in, 2);
  if (auto ok = need_claimed(in, 4, length, kFormat, "PAGE LENGTH (bytes 2-3)"); !ok) return std::unexpected(ok.error());
  DeviceIdentificationVpd page;
  page.peripheral = in[0];
  std::size_t at = 4;
  const std::size_t end = 4 + length;
  while (at < end) {
    if (end - at < 4) {
      return decode_error(kFormat, "designation descriptor at byte " + std::to_string(at), "header cut off by the page length");
    }
    std::size_t value_length = in[at + 3];
    if (value_length > end - at - 4) {
      return decode_error(kFormat, "DESIGNATOR LENGTH at byte " + std::to_string(at + 3),
                          "says " + std::to_string(value_length) + " bytes, past the page end");
    }
    Designator d;
    d.protocol_identifier = in[at] >> 4;
    d.code_set = in[at] & 0x0F;
    d.protocol_identifier_valid = (in[at + 1] & 0x80) != 0;
    d.association = (in[at + 1] >> 4) & 0x3;
    d.type = static_cast<DesignatorType>(in[at + 1] & 0x0F);
    d.value.assign(in.begin() + static_cast<std::ptrdiff_t>(at + 4),
                   in.begin() + static_cast<std::ptrdiff_t>(at + 4 + value_length));
    page.designators.push_back(std::move(d));
    at += 4 + value_length;
  }
  return page;
}

}  // namespace offload::scsi
