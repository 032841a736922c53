// Read, Write and Copy commands against NVM Command Set 1.0 (Copy: CDW10-11
// SDLBA, CDW12 bits 7:0 NR 0's based, bits 11:8 Descriptor Format; Source
// Range Entries format 0h 32 bytes with SLBA at 15:8 and NLB at 17:16,
// format 1h 40 bytes), built by hand byte by byte.
#include <gtest/gtest.h>

#include "engine/nvme/command.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::nvme {
namespace {

TEST(NvmeCommand, ReadWriteDwords) {
  Command write = encode_read_write({.write = true, .nsid = 1, .lba = 0x0000000123456789ULL, .blocks = 65536});
  EXPECT_EQ(write.opcode, 0x01);
  EXPECT_EQ(write.nsid, 1U);
  EXPECT_EQ(write.cdw[0], 0x23456789U);  // CDW10: SLBA bits 31:0
  EXPECT_EQ(write.cdw[1], 0x00000001U);  // CDW11: SLBA bits 63:32
  EXPECT_EQ(write.cdw[2], 0xFFFFU);      // CDW12: NLB 0's based
  Command read = encode_read_write({.write = false, .nsid = 2, .lba = 8, .blocks = 1});
  EXPECT_EQ(read.opcode, 0x02);
  EXPECT_EQ(read.cdw[2], 0U);
  auto decoded = decode_read_write(write);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->blocks, 65536U);
  EXPECT_EQ(decoded->lba, 0x0000000123456789ULL);
  EXPECT_FALSE(decode_read_write(Command{.opcode = 0x19}));
}

TEST(NvmeCommand, CopyFormat0Bytes) {
  Copy copy{.nsid = 1, .destination_lba = 0x100000002ULL, .format = 0,
            .ranges = {{.lba = 0x0807060504030201ULL, .blocks = 1}, {.lba = 16, .blocks = 256}}};
  EncodedCopy encoded = encode_copy(copy);
  EXPECT_EQ(encoded.command.opcode, 0x19);
  EXPECT_EQ(encoded.command.cdw[0], 2U);     // SDLBA low
  EXPECT_EQ(encoded.command.cdw[1], 1U);     // SDLBA high
  EXPECT_EQ(encoded.command.cdw[2], 0x001U); // NR 1 (two ranges), format 0h
  Bytes expected(64, 0);
  for (int i = 0; i < 8; ++i) expected[8 + i] = static_cast<std::uint8_t>(i + 1);  // SLBA, little endian
  expected[16] = 0; expected[17] = 0;                                            // NLB 0: one block
  expected[32 + 8] = 16;
  expected[32 + 16] = 0xFF; expected[32 + 17] = 0x00;                            // NLB 255: 256 blocks
  EXPECT_EQ(encoded.ranges, expected);
  auto decoded = decode_copy(encoded.command, encoded.ranges);
  ASSERT_TRUE(decoded) << scsi::test::error_text(decoded);
  EXPECT_EQ(*decoded, copy);
  EXPECT_EQ(decoded->blocks(), 257U);
}

TEST(NvmeCommand, CopyFormat1EntriesAre40Bytes) {
  Copy copy{.nsid = 3, .destination_lba = 7, .format = 1,
            .ranges = {{.lba = 1, .blocks = 2}, {.lba = 9, .blocks = 65536}, {.lba = 0, .blocks = 3}}};
  EncodedCopy encoded = encode_copy(copy);
  EXPECT_EQ(encoded.command.cdw[2], 0x102U);  // NR 2, format 1h
  ASSERT_EQ(encoded.ranges.size(), 120U);
  EXPECT_EQ(encoded.ranges[40 + 8], 9);
  EXPECT_EQ(encoded.ranges[40 + 16], 0xFF);
  EXPECT_EQ(encoded.ranges[40 + 17], 0xFF);
  EXPECT_EQ(*decode_copy(encoded.command, encoded.ranges), copy);
}

TEST(NvmeCommand, CopyWith256Ranges) {
  Copy copy{.nsid = 1, .destination_lba = 0};
  for (std::uint64_t i = 0; i < 256; ++i) copy.ranges.push_back({.lba = 1000 + i * 4, .blocks = 4});
  EncodedCopy encoded = encode_copy(copy);
  EXPECT_EQ(encoded.command.cdw[2] & 0xFF, 0xFFU);
  EXPECT_EQ(*decode_copy(encoded.command, encoded.ranges), copy);
}

TEST(NvmeCommand, CopyDecodeNamesTheBrokenField) {
  EncodedCopy encoded = encode_copy({.nsid = 1, .destination_lba = 0, .ranges = {{0, 1}, {8, 1}}});
  Bytes short_ranges(encoded.ranges.begin(), encoded.ranges.end() - 1);
  auto decoded = decode_copy(encoded.command, short_ranges);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().field.find("Number of Ranges"), std::string::npos);
  Command format2 = encoded.command;
  format2.cdw[2] |= 2U << 8;
  decoded = decode_copy(format2, encoded.ranges);
  ASSERT_FALSE(decoded);
  EXPECT_NE(decoded.error().field.find("Descriptor Format"), std::string::npos);
  Command read = encoded.command;
  read.opcode = 0x02;
  EXPECT_FALSE(decode_copy(read, encoded.ranges));
}

TEST(NvmeCommand, IdentifyDwords) {
  Command identify = identify_command(1, 0);
  EXPECT_EQ(identify.opcode, 0x06);
  EXPECT_EQ(identify.cdw[0], 1U);
  EXPECT_EQ(identify_command(0, 5).nsid, 5U);
}

}  // namespace
}  // namespace offload::nvme
