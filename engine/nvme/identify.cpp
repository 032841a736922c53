#include "engine/nvme/identify.hpp"

#include <endian.h>
#include <nvme/types.h>

#include <algorithm>
#include <cstring>

namespace offload::nvme {
namespace {

constexpr std::string_view kController = "Identify Controller";
constexpr std::string_view kNamespace = "Identify Namespace";

static_assert(sizeof(nvme_id_ctrl) == kIdentifyBytes && sizeof(nvme_id_ns) == kIdentifyBytes);

// An ASCII field padded with spaces (NVMe Base 2.0, 1.5: ASCII strings are space padded).
std::string ascii_field(const char* field, std::size_t bytes) {
  std::string text(field, bytes);
  text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

void put_ascii(char* field, std::size_t bytes, const std::string& text) {
  std::memset(field, ' ', bytes);
  std::memcpy(field, text.data(), std::min(bytes, text.size()));
}

template <class T>
Bytes to_bytes(const T& value) {
  Bytes bytes(sizeof value);
  std::memcpy(bytes.data(), &value, sizeof value);
  return bytes;
}

}  // namespace

Bytes encode_identify_controller(const ControllerIdentity& identity) {
  nvme_id_ctrl ctrl{};
  ctrl.vid = htole16(identity.vendor_id);
  put_ascii(ctrl.sn, sizeof ctrl.sn, identity.serial);
  put_ascii(ctrl.mn, sizeof ctrl.mn, identity.model);
  ctrl.mdts = identity.mdts;
  ctrl.oncs = htole16(identity.oncs);
  ctrl.ocfs = htole16(identity.ocfs);
  return to_bytes(ctrl);
}

Decoded<ControllerIdentity> decode_identify_controller(std::span<const std::uint8_t> data) {
  if (auto ok = scsi::need_bytes(data, kIdentifyBytes, kController, "data structure (bytes 4095:0)"); !ok) {
    return scsi::pass_on(ok.error());
  }
  nvme_id_ctrl ctrl;
  std::memcpy(&ctrl, data.data(), sizeof ctrl);
  return ControllerIdentity{.vendor_id = le16toh(ctrl.vid),
                            .serial = ascii_field(ctrl.sn, sizeof ctrl.sn),
                            .model = ascii_field(ctrl.mn, sizeof ctrl.mn),
                            .mdts = ctrl.mdts,
                            .oncs = le16toh(ctrl.oncs),
                            .ocfs = le16toh(ctrl.ocfs)};
}

Bytes encode_identify_namespace(const NamespaceIdentity& identity) {
  nvme_id_ns ns{};
  ns.nsze = htole64(identity.size_blocks);
  ns.ncap = ns.nsze;
  ns.nuse = ns.nsze;
  ns.nlbaf = identity.format_count;
  ns.flbas = static_cast<std::uint8_t>((identity.format_index & 0x0F) | ((identity.format_index >> 4) & 3) << 5);
  for (std::size_t i = 0; i <= identity.format_count && i < std::size(ns.lbaf); ++i) ns.lbaf[i].ds = 9;
  if (identity.format_index < std::size(ns.lbaf)) {
    ns.lbaf[identity.format_index].ds = identity.block_shift;
    ns.lbaf[identity.format_index].ms = htole16(identity.metadata_bytes);
  }
  ns.mssrl = htole16(identity.mssrl);
  ns.mcl = htole32(identity.mcl);
  ns.msrc = identity.msrc;
  return to_bytes(ns);
}

Decoded<NamespaceIdentity> decode_identify_namespace(std::span<const std::uint8_t> data) {
  if (auto ok = scsi::need_bytes(data, kIdentifyBytes, kNamespace, "data structure (bytes 4095:0)"); !ok) {
    return scsi::pass_on(ok.error());
  }
  nvme_id_ns ns;
  std::memcpy(&ns, data.data(), sizeof ns);
  NamespaceIdentity identity{.size_blocks = le64toh(ns.nsze), .format_count = ns.nlbaf};
  // FLBAS bits 3:0 are the format's low bits, bits 6:5 its high bits (NVM Command Set 1.0, Figure 97).
  identity.format_index = static_cast<std::uint8_t>((ns.flbas & 0x0F) | ((ns.flbas >> 5) & 3) << 4);
  if (identity.format_index > identity.format_count) {
    return scsi::decode_error(kNamespace, "FLBAS (byte 26)",
                              "selects LBA format " + std::to_string(identity.format_index) + " but NLBAF (byte 25) lists " +
                                  std::to_string(identity.format_count + 1) + " formats");
  }
  const nvme_lbaf& format = ns.lbaf[identity.format_index];
  if (format.ds < 9 || format.ds > 31) {
    return scsi::decode_error(kNamespace, "LBAF" + std::to_string(identity.format_index) + " LBADS",
                              "block size 2^" + std::to_string(format.ds) + " is outside 2^9 to 2^31 bytes");
  }
  identity.block_shift = format.ds;
  identity.metadata_bytes = le16toh(format.ms);
  identity.mssrl = le16toh(ns.mssrl);
  identity.mcl = le32toh(ns.mcl);
  identity.msrc = ns.msrc;
  return identity;
}

}  // namespace offload::nvme
