// EXTENDED COPY (LID1) parameter list (SPC-4 6.4.3; VMware VAAI "XCOPY"):
// a 16-byte header, 32-byte CSCD descriptors (only the identification
// descriptor, type 0xE4, that names a LUN by a VPD 0x83 designator) and
// block-to-block segment descriptors (type 0x02, 28 bytes, a 16-bit block
// count: at most 65,535 blocks per segment).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/scsi/bytes.hpp"
#include "engine/scsi/vpd_device_identification.hpp"

namespace offload::scsi {

/// Size of a CSCD descriptor, bytes.
inline constexpr std::size_t kCscdDescriptorBytes = 32;
/// Size of a block-to-block segment descriptor, bytes.
inline constexpr std::size_t kBlockSegmentBytes = 28;
/// Most blocks one block-to-block segment descriptor can move.
inline constexpr std::uint32_t kMaxSegmentBlocks = 0xFFFF;
/// CSCD descriptor type: identification descriptor.
inline constexpr std::uint8_t kIdentificationDescriptor = 0xE4;
/// Segment descriptor type: copy from block device to block device.
inline constexpr std::uint8_t kBlockToBlockSegment = 0x02;

/// An identification CSCD descriptor (type 0xE4): a LUN named by a designator.
struct IdentificationDescriptor {
  std::uint8_t peripheral_device_type = 0;   ///< byte 1 bits 4-0 (0 = block device)
  std::uint16_t relative_initiator_port = 0; ///< bytes 2-3
  Designator designator;                     ///< bytes 4-27 (code set, association, type, length, value <= 20 bytes)
  bool pad = false;                          ///< byte 28 bit 2
  std::uint32_t block_length = 512;          ///< DISK BLOCK LENGTH, bytes 29-31
  friend bool operator==(const IdentificationDescriptor&, const IdentificationDescriptor&) = default;
};

/// A block-to-block segment descriptor (type 0x02).
struct BlockSegment {
  bool destination_count = false;   ///< DC, byte 1 bit 1: block count in destination blocks
  bool cat = false;                 ///< CAT, byte 1 bit 0
  std::uint16_t source_index = 0;   ///< SOURCE CSCD DESCRIPTOR ID (index into the CSCD list), bytes 4-5
  std::uint16_t destination_index = 1;  ///< DESTINATION CSCD DESCRIPTOR ID, bytes 6-7
  std::uint16_t blocks = 0;         ///< NUMBER OF BLOCKS, bytes 10-11
  std::uint64_t source_lba = 0;     ///< bytes 12-19
  std::uint64_t destination_lba = 0;  ///< bytes 20-27
  friend bool operator==(const BlockSegment&, const BlockSegment&) = default;
};

/// The whole parameter list.
struct ExtendedCopyList {
  std::uint8_t list_id = 0;        ///< LIST IDENTIFIER, byte 0
  bool str = false;                ///< STR (sequential striped), byte 1 bit 5
  std::uint8_t list_id_usage = 0;  ///< LIST ID USAGE, byte 1 bits 4-3 (0 = held for RECEIVE COPY RESULTS, 3 = none)
  std::uint8_t priority = 0;       ///< PRIORITY, byte 1 bits 2-0
  std::vector<IdentificationDescriptor> targets;  ///< CSCD descriptors
  std::vector<BlockSegment> segments;             ///< segment descriptors
  Bytes inline_data;                              ///< INLINE DATA (usually empty)
  friend bool operator==(const ExtendedCopyList&, const ExtendedCopyList&) = default;
};

/// The 0xE4 descriptor for a LUN with this designator and block size.
IdentificationDescriptor identification_descriptor(const Designator& designator, std::uint32_t block_length);

/// The parameter list's bytes; throws std::invalid_argument on a designator
/// longer than 20 bytes.
Bytes encode_extended_copy(const ExtendedCopyList& list);
/// Decodes a parameter list; rejects a short header, list lengths that do
/// not match the buffer, CSCD lists not a multiple of 32 bytes, descriptor
/// types other than 0xE4 / 0x02, and segments naming a missing CSCD.
Decoded<ExtendedCopyList> decode_extended_copy(std::span<const std::uint8_t> data);

}  // namespace offload::scsi
