#include "engine/nvme/command.hpp"

#include <endian.h>
#include <nvme/types.h>

#include <cstring>
#include <numeric>

namespace offload::nvme {
namespace {

constexpr std::string_view kReadWrite = "NVMe Read/Write";
constexpr std::string_view kCopy = "NVMe Copy";

static_assert(sizeof(nvme_copy_range) == 32 && sizeof(nvme_copy_range_f1) == 40);
static_assert(static_cast<int>(IoOpcode::copy) == nvme_cmd_copy && static_cast<int>(IoOpcode::read) == nvme_cmd_read &&
              static_cast<int>(IoOpcode::write) == nvme_cmd_write);

// The SLBA and NLB both formats put at the same bytes.
static_assert(offsetof(nvme_copy_range, slba) == 8 && offsetof(nvme_copy_range_f1, slba) == 8);
static_assert(offsetof(nvme_copy_range, nlb) == 16 && offsetof(nvme_copy_range_f1, nlb) == 16);

void put_lba(Command& command, std::uint64_t lba) {
  command.cdw[0] = static_cast<std::uint32_t>(lba);
  command.cdw[1] = static_cast<std::uint32_t>(lba >> 32);
}

std::uint64_t get_lba(const Command& command) { return command.cdw[0] | std::uint64_t{command.cdw[1]} << 32; }

}  // namespace

Command identify_command(std::uint8_t cns, std::uint32_t nsid) {
  Command command{.opcode = 0x06, .nsid = nsid};
  command.cdw[0] = cns;
  return command;
}

Command flush_command(std::uint32_t nsid) { return Command{.opcode = static_cast<std::uint8_t>(IoOpcode::flush), .nsid = nsid}; }

Command encode_read_write(const ReadWrite& io) {
  Command command{.opcode = static_cast<std::uint8_t>(io.write ? IoOpcode::write : IoOpcode::read), .nsid = io.nsid};
  put_lba(command, io.lba);
  command.cdw[2] = (io.blocks - 1) & 0xFFFF;
  return command;
}

Decoded<ReadWrite> decode_read_write(const Command& command) {
  if (command.opcode != static_cast<std::uint8_t>(IoOpcode::read) && command.opcode != static_cast<std::uint8_t>(IoOpcode::write)) {
    return scsi::decode_error(kReadWrite, "opcode", "is " + std::to_string(command.opcode) + ", not 01h (Write) or 02h (Read)");
  }
  return ReadWrite{.write = command.opcode == static_cast<std::uint8_t>(IoOpcode::write), .nsid = command.nsid,
                   .lba = get_lba(command), .blocks = (command.cdw[2] & 0xFFFF) + 1};
}

std::uint64_t Copy::blocks() const {
  return std::accumulate(ranges.begin(), ranges.end(), std::uint64_t{0},
                         [](std::uint64_t sum, const SourceRange& range) { return sum + range.blocks; });
}

std::size_t range_entry_bytes(std::uint8_t format) {
  switch (format) {
    case 0: return sizeof(nvme_copy_range);
    case 1: return sizeof(nvme_copy_range_f1);
    default: return 0;
  }
}

EncodedCopy encode_copy(const Copy& copy) {
  EncodedCopy encoded{.command = {.opcode = static_cast<std::uint8_t>(IoOpcode::copy), .nsid = copy.nsid}};
  put_lba(encoded.command, copy.destination_lba);
  encoded.command.cdw[2] = ((copy.ranges.size() - 1) & 0xFF) | std::uint32_t{copy.format & 0x0FU} << 8;
  const std::size_t entry = range_entry_bytes(copy.format);
  encoded.ranges.assign(copy.ranges.size() * entry, 0);
  for (std::size_t i = 0; i < copy.ranges.size(); ++i) {
    std::uint64_t slba = htole64(copy.ranges[i].lba);
    std::uint16_t nlb = htole16(static_cast<std::uint16_t>(copy.ranges[i].blocks - 1));
    std::memcpy(&encoded.ranges[i * entry + offsetof(nvme_copy_range, slba)], &slba, sizeof slba);
    std::memcpy(&encoded.ranges[i * entry + offsetof(nvme_copy_range, nlb)], &nlb, sizeof nlb);
  }
  return encoded;
}

Decoded<Copy> decode_copy(const Command& command, std::span<const std::uint8_t> ranges) {
  if (command.opcode != static_cast<std::uint8_t>(IoOpcode::copy)) {
    return scsi::decode_error(kCopy, "opcode", "is " + std::to_string(command.opcode) + ", not 19h");
  }
  Copy copy{.nsid = command.nsid, .destination_lba = get_lba(command),
            .format = static_cast<std::uint8_t>((command.cdw[2] >> 8) & 0x0F)};
  const std::size_t entry = range_entry_bytes(copy.format);
  if (entry == 0) {
    return scsi::decode_error(kCopy, "Descriptor Format (CDW12 bits 11:8)",
                              std::to_string(copy.format) + "h is not supported (0h and 1h are)");
  }
  const std::size_t count = (command.cdw[2] & 0xFF) + 1;
  if (auto ok = scsi::need_bytes(ranges, count * entry, kCopy, "Source Range Entries (Number of Ranges, CDW12 bits 7:0)"); !ok) {
    return scsi::pass_on(ok.error());
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t slba;
    std::uint16_t nlb;
    std::memcpy(&slba, &ranges[i * entry + offsetof(nvme_copy_range, slba)], sizeof slba);
    std::memcpy(&nlb, &ranges[i * entry + offsetof(nvme_copy_range, nlb)], sizeof nlb);
    copy.ranges.push_back({.lba = le64toh(slba), .blocks = std::uint32_t{le16toh(nlb)} + 1});
  }
  return copy;
}

}  // namespace offload::nvme
