// NVM Command Set I/O commands as the engine sends them (NVM Command Set
// Specification 1.0): Read (02h), Write (01h), Flush (00h) and Copy (19h), plus the
// Identify admin command. A command is its submission queue entry's
// opcode, NSID and CDW10-15 (what Linux passthrough takes in struct
// nvme_passthru_cmd64) and, for Copy, the Source Range Entries it points
// at. Copy (NVM Command Set 1.0, 3.2.2): CDW10-11 Starting Destination LBA;
// CDW12 bits 7:0 Number of Ranges (0's based), bits 11:8 Descriptor Format.
// Format 0h entries are 32 bytes (struct nvme_copy_range: SLBA at bytes
// 15:8, NLB 0's based at 17:16); format 1h entries are 40 bytes (struct
// nvme_copy_range_f1, the same SLBA and NLB with wider protection fields).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/scsi/bytes.hpp"

namespace offload::nvme {

using scsi::Bytes;
using scsi::Decoded;

/// I/O opcodes of the NVM Command Set (libnvme's enum nvme_io_opcode values).
enum class IoOpcode : std::uint8_t { flush = 0x00, write = 0x01, read = 0x02, copy = 0x19 };

/// One submission queue entry, as far as passthrough carries it.
struct Command {
  std::uint8_t opcode = 0;               ///< CDW0 bits 7:0
  std::uint32_t nsid = 0;                ///< Namespace Identifier
  std::array<std::uint32_t, 6> cdw{};    ///< CDW10 to CDW15
  friend bool operator==(const Command&, const Command&) = default;
};

/// Identify with `cns` for namespace `nsid` (0 for the controller).
Command identify_command(std::uint8_t cns, std::uint32_t nsid);
/// Flush (00h) of namespace `nsid`: volatile write cache contents to media.
Command flush_command(std::uint32_t nsid);

/// A Read or Write of whole blocks.
struct ReadWrite {
  bool write = false;        ///< Write (01h) rather than Read (02h)
  std::uint32_t nsid = 0;    ///< namespace
  std::uint64_t lba = 0;     ///< SLBA, CDW10-11
  std::uint32_t blocks = 0;  ///< NLB, CDW12 bits 15:0 plus one (1 to 65536)
  friend bool operator==(const ReadWrite&, const ReadWrite&) = default;
};

/// Most blocks one Read, Write or Copy source range names (a 16-bit 0's based count).
inline constexpr std::uint32_t kMaxBlocksPerField = 65536;

/// The Read/Write command; `blocks` must be 1 to 65536.
Command encode_read_write(const ReadWrite& io);
/// Decodes a Read (02h) or Write (01h); an error names the field.
Decoded<ReadWrite> decode_read_write(const Command& command);

/// One source range of a Copy.
struct SourceRange {
  std::uint64_t lba = 0;     ///< SLBA
  std::uint32_t blocks = 0;  ///< NLB plus one (1 to 65536)
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
};

/// A Copy command with its Source Range Entries.
struct Copy {
  std::uint32_t nsid = 0;              ///< namespace (source and destination)
  std::uint64_t destination_lba = 0;   ///< SDLBA, CDW10-11
  std::uint8_t format = 0;             ///< Descriptor Format, CDW12 bits 11:8 (0h or 1h)
  std::vector<SourceRange> ranges;     ///< 1 to 256 entries, copied in order to consecutive LBAs
  /// Blocks the command copies (sum of the ranges).
  [[nodiscard]] std::uint64_t blocks() const;
  friend bool operator==(const Copy&, const Copy&) = default;
};

/// Bytes of one Source Range Entry in descriptor format `format` (32 for 0h, 40 for 1h, 0 otherwise).
std::size_t range_entry_bytes(std::uint8_t format);

/// A Copy's submission queue entry and its Source Range Entries (the data
/// the command transfers to the controller).
struct EncodedCopy {
  Command command;  ///< opcode 19h
  Bytes ranges;     ///< ranges.size() x range_entry_bytes(format)
};
/// Encodes `copy` (1 to 256 ranges of 1 to 65536 blocks; format 0h or 1h).
EncodedCopy encode_copy(const Copy& copy);
/// Decodes a Copy from its entry and the Source Range Entries it sent; the
/// error names the field (opcode, format, number of ranges vs the data).
Decoded<Copy> decode_copy(const Command& command, std::span<const std::uint8_t> ranges);

}  // namespace offload::nvme
