// EXTENDED COPY (LID1) parameter list against SPC-4 6.4 (header, 0xE4
// identification CSCD descriptor, 0x02 block-to-block segment descriptor).
#include <gtest/gtest.h>

#include "engine/scsi/xcopy_lid1.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

Designator naa(std::uint8_t last) {
  return {.code_set = 1, .association = 0, .type = DesignatorType::naa,
          .value = {0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, last}};
}

ExtendedCopyList two_lun_copy() {
  ExtendedCopyList list;
  list.list_id = 0x42;
  list.priority = 1;
  list.targets = {identification_descriptor(naa(0x01), 512), identification_descriptor(naa(0x02), 4096)};
  list.segments = {{.source_index = 0, .destination_index = 1, .blocks = 0xFFFF,
                    .source_lba = 0x0102030405060708ULL, .destination_lba = 0x1112131415161718ULL}};
  return list;
}

TEST(ScsiXcopy, HeaderLayout) {
  Bytes bytes = encode_extended_copy(two_lun_copy());
  ASSERT_EQ(bytes.size(), 16U + 2 * 32 + 28);
  EXPECT_EQ(bytes[0], 0x42);                 // LIST IDENTIFIER
  EXPECT_EQ(bytes[1], 0x01);                 // STR 0, LIST ID USAGE 00, PRIORITY 1
  EXPECT_EQ(bytes[2], 0x00);
  EXPECT_EQ(bytes[3], 64);                   // CSCD DESCRIPTOR LIST LENGTH (bytes 2-3)
  EXPECT_EQ((Bytes{bytes[8], bytes[9], bytes[10], bytes[11]}), (Bytes{0, 0, 0, 28}));  // SEGMENT DESCRIPTOR LIST LENGTH
  EXPECT_EQ((Bytes{bytes[12], bytes[13], bytes[14], bytes[15]}), (Bytes{0, 0, 0, 0}));  // INLINE DATA LENGTH
  ExtendedCopyList flags = two_lun_copy();
  flags.str = true;
  flags.list_id_usage = 3;
  flags.priority = 7;
  EXPECT_EQ(encode_extended_copy(flags)[1], 0x20 | 0x18 | 0x07);
}

TEST(ScsiXcopy, IdentificationDescriptorLayout) {
  Bytes bytes = encode_extended_copy(two_lun_copy());
  const std::uint8_t* d = bytes.data() + 16;
  EXPECT_EQ(d[0], 0xE4);                     // DESCRIPTOR TYPE CODE
  EXPECT_EQ(d[1], 0x00);                     // peripheral device type: block
  EXPECT_EQ(d[4], 0x01);                     // CODE SET binary
  EXPECT_EQ(d[5], 0x03);                     // ASSOCIATION 0 (LU), DESIGNATOR TYPE 3 (NAA)
  EXPECT_EQ(d[7], 16);                       // DESIGNATOR LENGTH
  EXPECT_EQ(d[8], 0x60);
  EXPECT_EQ(d[23], 0x01);                    // last designator byte
  EXPECT_EQ(d[24], 0x00);                    // zero padding to byte 27
  EXPECT_EQ(d[28], 0x00);                    // PAD clear
  EXPECT_EQ((Bytes{d[29], d[30], d[31]}), (Bytes{0x00, 0x02, 0x00}));  // DISK BLOCK LENGTH 512
  const std::uint8_t* second = d + 32;
  EXPECT_EQ(second[0], 0xE4);
  EXPECT_EQ((Bytes{second[29], second[30], second[31]}), (Bytes{0x00, 0x10, 0x00}));  // 4096
}

TEST(ScsiXcopy, BlockToBlockSegmentLayout) {
  Bytes bytes = encode_extended_copy(two_lun_copy());
  const std::uint8_t* s = bytes.data() + 16 + 64;
  Bytes got(s, s + 28);
  Bytes want{0x02, 0x00, 0x00, 0x18,  0x00, 0x00, 0x00, 0x01,  0x00, 0x00, 0xFF, 0xFF,
             0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
             0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
  EXPECT_EQ(got, want);
}

TEST(ScsiXcopy, RoundTrip) {
  ExtendedCopyList list = two_lun_copy();
  list.segments.push_back({.destination_count = true, .cat = true, .source_index = 1, .destination_index = 0,
                           .blocks = 8, .source_lba = 9, .destination_lba = 10});
  list.targets[1].pad = true;
  list.inline_data = {1, 2, 3, 4};
  auto back = decode_extended_copy(encode_extended_copy(list));
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(*back, list);
}

TEST(ScsiXcopy, RejectsTruncatedAndInconsistentLists) {
  Bytes good = encode_extended_copy(two_lun_copy());
  test::expect_every_prefix_rejected(good, decode_extended_copy);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(decode_extended_copy(trailing)) << "bytes beyond the declared lists";
  Bytes odd = good;
  odd[3] = 63;  // CSCD list not whole descriptors
  auto odd_result = decode_extended_copy(odd);
  ASSERT_FALSE(odd_result);
  EXPECT_NE(odd_result.error().field.find("CSCD DESCRIPTOR LIST LENGTH"), std::string::npos);
  Bytes wrong_type = good;
  wrong_type[16] = 0xE0;  // FC N_Port_Name: not supported here
  EXPECT_FALSE(decode_extended_copy(wrong_type));
  Bytes wrong_segment = good;
  wrong_segment[16 + 64] = 0x00;  // block -> stream
  EXPECT_FALSE(decode_extended_copy(wrong_segment));
  Bytes bad_length = good;
  bad_length[16 + 64 + 3] = 0x14;
  EXPECT_FALSE(decode_extended_copy(bad_length));
  Bytes dangling = good;
  dangling[16 + 64 + 7] = 2;  // destination CSCD 2 of 2
  auto dangling_result = decode_extended_copy(dangling);
  ASSERT_FALSE(dangling_result);
  EXPECT_NE(dangling_result.error().message.find("names CSCD 2"), std::string::npos);
  Bytes long_designator = good;
  long_designator[16 + 7] = 21;
  EXPECT_FALSE(decode_extended_copy(long_designator));
}

TEST(ScsiXcopy, EncoderRefusesOversizedDesignator) {
  ExtendedCopyList list = two_lun_copy();
  list.targets[0].designator.value.resize(21, 0);
  EXPECT_THROW(encode_extended_copy(list), std::invalid_argument);
}

}  // namespace
}  // namespace offload::scsi
