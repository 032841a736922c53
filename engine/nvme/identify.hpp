// What Identify (admin opcode 06h) tells the Copy path (NVMe Base
// Specification 2.0, 5.17; NVM Command Set Specification 1.0, 4.1.5): the
// controller's Optional NVM Command Support (ONCS, bytes 521:520; bit 8 =
// Copy), Optional Copy Formats Supported (OCFS, bytes 535:534), Maximum Data
// Transfer Size (MDTS, byte 77), and the namespace's size, LBA format and
// copy limits: MSSRL (bytes 75:74), MCL (79:76), MSRC (byte 80, 0's based).
// The byte layouts are libnvme's (struct nvme_id_ctrl, struct nvme_id_ns in
// <nvme/types.h>); fields are little endian on the wire.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "engine/scsi/bytes.hpp"

namespace offload::nvme {

using scsi::Bytes;
using scsi::Decoded;
using scsi::DecodeError;

/// Bytes of every Identify data structure.
inline constexpr std::size_t kIdentifyBytes = 4096;
/// Admin opcode Identify.
inline constexpr std::uint8_t kIdentifyOpcode = 0x06;
/// CNS values of Identify (CDW10 bits 7:0).
enum class Cns : std::uint8_t { namespace_data = 0x00, controller = 0x01 };

/// The Copy-relevant parts of Identify Controller.
struct ControllerIdentity {
  std::uint16_t vendor_id = 0;     ///< PCI Vendor ID, bytes 1:0
  std::string serial;              ///< SN, bytes 23:4 (trailing spaces dropped)
  std::string model;               ///< MN, bytes 63:24 (trailing spaces dropped)
  std::uint8_t mdts = 0;           ///< MDTS, byte 77: max transfer 2^MDTS minimum pages (0 = no limit)
  std::uint16_t oncs = 0;          ///< ONCS, bytes 521:520
  std::uint16_t ocfs = 0;          ///< OCFS, bytes 535:534: bit n = Copy descriptor format n supported
  /// ONCS bit 8: the controller supports the Copy command.
  [[nodiscard]] bool copy_supported() const { return (oncs & (1U << 8)) != 0; }
  friend bool operator==(const ControllerIdentity&, const ControllerIdentity&) = default;
};

/// The Copy-relevant parts of Identify Namespace (NVM Command Set).
struct NamespaceIdentity {
  std::uint64_t size_blocks = 0;     ///< NSZE, bytes 7:0 (logical blocks)
  std::uint8_t format_count = 0;     ///< NLBAF, byte 25 (0's based)
  std::uint8_t format_index = 0;     ///< FLBAS bits 3:0 and 6:5: the LBA format in use
  std::uint8_t block_shift = 9;      ///< LBADS of that format: blocks are 2^LBADS bytes (>= 9)
  std::uint16_t metadata_bytes = 0;  ///< MS of that format: metadata bytes per block
  std::uint16_t mssrl = 0;           ///< MSSRL: most blocks in one source range (0 = Copy unusable)
  std::uint32_t mcl = 0;             ///< MCL: most blocks one Copy command copies (0 = Copy unusable)
  std::uint8_t msrc = 0;             ///< MSRC: most source ranges per command, 0's based
  /// Bytes per logical block.
  [[nodiscard]] std::uint32_t block_bytes() const { return std::uint32_t{1} << block_shift; }
  /// Source ranges one Copy command may carry (MSRC + 1).
  [[nodiscard]] std::uint32_t max_ranges() const { return std::uint32_t{msrc} + 1; }
  friend bool operator==(const NamespaceIdentity&, const NamespaceIdentity&) = default;
};

/// Identify Controller data (4096 bytes); fields not in ControllerIdentity are 0.
Bytes encode_identify_controller(const ControllerIdentity& identity);
/// Decodes Identify Controller data (at least 4096 bytes).
Decoded<ControllerIdentity> decode_identify_controller(std::span<const std::uint8_t> data);

/// Identify Namespace data (4096 bytes) with one LBA format in use at
/// `format_index`; the other formats are 512-byte formats.
Bytes encode_identify_namespace(const NamespaceIdentity& identity);
/// Decodes Identify Namespace data (at least 4096 bytes): the LBA format in
/// use must exist (index <= NLBAF) and have LBADS of 9 to 31.
Decoded<NamespaceIdentity> decode_identify_namespace(std::span<const std::uint8_t> data);

}  // namespace offload::nvme
