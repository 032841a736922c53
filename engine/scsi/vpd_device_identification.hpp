// The Device Identification VPD page (0x83, SPC-4 7.8.6): the designators
// (NAA, EUI-64, T10 vendor id, ...) that name a logical unit. EXTENDED COPY
// names its source and destination LUNs by one of them (the 0xE4 CSCD
// descriptor), and two LUNs with the same NAA designator are
// indistinguishable to the copy manager.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi {

/// Designator types (SPC-4 Table 637) used here.
enum class DesignatorType : std::uint8_t {
  vendor_specific = 0x0, t10_vendor_id = 0x1, eui64 = 0x2, naa = 0x3, relative_target_port = 0x4,
  target_port_group = 0x5, logical_unit_group = 0x6, md5 = 0x7, scsi_name_string = 0x8,
};

/// One designation descriptor.
struct Designator {
  std::uint8_t protocol_identifier = 0;  ///< byte 0 bits 7-4 (valid with PIV)
  std::uint8_t code_set = 1;             ///< byte 0 bits 3-0: 1 binary, 2 ASCII, 3 UTF-8
  bool protocol_identifier_valid = false;  ///< byte 1 bit 7 (PIV)
  std::uint8_t association = 0;          ///< byte 1 bits 5-4: 0 logical unit, 1 target port, 2 target device
  DesignatorType type = DesignatorType::naa;  ///< byte 1 bits 3-0
  Bytes value;                           ///< DESIGNATOR (byte 3 gives its length, at most 255)
  friend bool operator==(const Designator&, const Designator&) = default;
};

/// The whole page.
struct DeviceIdentificationVpd {
  std::uint8_t peripheral = 0;          ///< byte 0: qualifier and device type
  std::vector<Designator> designators;  ///< in page order
  /// The logical unit's NAA designator (association 0), if any.
  [[nodiscard]] const Designator* logical_unit_naa() const;
  /// The designator to put in an 0xE4 CSCD descriptor: NAA, else EUI-64, else
  /// T10 vendor id, else vendor specific, of the logical unit and at most 20 bytes.
  [[nodiscard]] const Designator* best_for_copy() const;
  friend bool operator==(const DeviceIdentificationVpd&, const DeviceIdentificationVpd&) = default;
};

/// Hex text of a designator's value, e.g. "6001405abcdef0123".
std::string designator_hex(const Designator& designator);

/// The page's bytes (byte 1 = 0x83).
Bytes encode_device_identification_vpd(const DeviceIdentificationVpd& page);
/// Decodes the page; rejects a wrong page code, a page length past the
/// buffer and descriptors that run past the page.
Decoded<DeviceIdentificationVpd> decode_device_identification_vpd(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
