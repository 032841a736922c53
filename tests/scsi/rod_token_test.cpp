// ODX parameter lists and ROD token data against SBC-3 / SPC-4.
#include <gtest/gtest.h>

#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

TEST(ScsiRodToken, ZeroTokenLayout) {
  RodToken token = zero_rod_token();
  EXPECT_EQ((Bytes{token[0], token[1], token[2], token[3]}), (Bytes{0xFF, 0xFF, 0x00, 0x01}));
  EXPECT_EQ(token[6], 0x01);
  EXPECT_EQ(token[7], 0xF8);  // ROD TOKEN LENGTH 504
  for (std::size_t i = 8; i < token.size(); ++i) ASSERT_EQ(token[i], 0) << "byte " << i;
  EXPECT_EQ(rod_token_type(token), kBlockDeviceZeroRodType);
  auto type = decode_rod_token(token);
  ASSERT_TRUE(type);
  EXPECT_EQ(*type, kBlockDeviceZeroRodType);
  token[7] = 0xF0;
  EXPECT_FALSE(decode_rod_token(token));
}

TEST(ScsiRodToken, PopulateTokenLayout) {
  PopulateToken list{.immediate = true, .rod_type_valid = true, .inactivity_timeout_s = 60,
                     .rod_type = kPointInTimeDefaultRodType,
                     .ranges = {{0x0102030405060708ULL, 0x11223344}, {9, 10}}};
  Bytes raw = encode_populate_token(list);
  ASSERT_EQ(raw.size(), 16U + 32);
  EXPECT_EQ(raw[0], 0);
  EXPECT_EQ(raw[1], 46);            // POPULATE TOKEN DATA LENGTH = n - 1
  EXPECT_EQ(raw[2], 0x03);          // RTV | IMMED
  EXPECT_EQ(raw[7], 60);            // INACTIVITY TIMEOUT
  EXPECT_EQ((Bytes{raw[8], raw[9], raw[10], raw[11]}), (Bytes{0x00, 0x80, 0x00, 0x00}));  // ROD TYPE
  EXPECT_EQ(raw[15], 32);           // BLOCK DEVICE RANGE DESCRIPTOR LIST LENGTH
  EXPECT_EQ(raw[16], 0x01);         // first LBA, big-endian
  EXPECT_EQ(raw[23], 0x08);
  EXPECT_EQ((Bytes{raw[24], raw[25], raw[26], raw[27]}), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ((Bytes{raw[28], raw[29], raw[30], raw[31]}), (Bytes{0, 0, 0, 0}));  // reserved
  auto back = decode_populate_token(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(*back, list);
  test::expect_every_prefix_rejected(raw, decode_populate_token);
  Bytes bad = raw;
  bad[15] = 24;  // not whole descriptors, and disagrees with the data length
  EXPECT_FALSE(decode_populate_token(bad));
}

TEST(ScsiRodToken, WriteUsingZeroTokenLayout) {
  WriteUsingToken list{.immediate = false, .delete_token = true, .offset_into_rod = 0x0A0B,
                       .token = zero_rod_token(), .ranges = {{100, 8}}};
  Bytes raw = encode_write_using_token(list);
  ASSERT_EQ(raw.size(), 536U + 16);
  EXPECT_EQ(raw[0], 0x02);
  EXPECT_EQ(raw[1], 0x26);          // 550 = n - 1
  EXPECT_EQ(raw[2], 0x02);          // DEL_TKN
  EXPECT_EQ(raw[14], 0x0A);
  EXPECT_EQ(raw[15], 0x0B);         // OFFSET INTO ROD, bytes 8-15
  EXPECT_EQ(raw[16], 0xFF);         // ROD TOKEN from byte 16
  EXPECT_EQ(raw[19], 0x01);
  EXPECT_EQ(raw[23], 0xF8);
  EXPECT_EQ(raw[535], 16);          // range list length, bytes 534-535
  EXPECT_EQ(raw[543], 100);         // LBA bytes 536-543
  EXPECT_EQ(raw[547], 8);           // blocks bytes 544-547
  auto back = decode_write_using_token(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(*back, list);
  test::expect_every_prefix_rejected(raw, decode_write_using_token);
  Bytes bad_token = raw;
  bad_token[23] = 0;  // token length field wrong
  auto bad = decode_write_using_token(bad_token);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().field.find("ROD TOKEN"), std::string::npos);
}

TEST(ScsiRodToken, RodTokenInformationLayout) {
  RodToken token{};
  for (std::size_t i = 0; i < token.size(); ++i) token[i] = static_cast<std::uint8_t>(i);
  Bytes sense = encode_fixed_sense({.key = SenseKey::no_sense});
  RodTokenInformation info{.response_to_service_action = 0x10, .status = CopyOperationStatus::completed,
                           .operation_counter = 0x0102, .estimated_status_update_delay_ms = 500,
                           .extended_copy_completion_status = 0, .sense = sense, .transfer_count_units = 0xF1,
                           .transfer_count = 0x1122334455667788ULL, .segments_processed = 3, .token = token};
  Bytes raw = encode_rod_token_information(info);
  ASSERT_EQ(raw.size(), 32U + 18 + 4 + 2 + 512);
  EXPECT_EQ(get_be32(raw, 0), raw.size() - 4);  // AVAILABLE DATA
  EXPECT_EQ(raw[4], 0x10);
  EXPECT_EQ(raw[5], 0x01);
  EXPECT_EQ(raw[7], 0x02);
  EXPECT_EQ(get_be32(raw, 8), 500U);
  EXPECT_EQ(raw[13], 18);           // LENGTH OF THE SENSE DATA FIELD
  EXPECT_EQ(raw[14], 18);           // SENSE DATA LENGTH
  EXPECT_EQ(raw[15], 0xF1);
  EXPECT_EQ(get_be64(raw, 16), 0x1122334455667788ULL);
  EXPECT_EQ(raw[25], 3);
  EXPECT_EQ(raw[32], 0x70);         // sense from byte 32
  EXPECT_EQ(get_be32(raw, 50), 514U);  // ROD TOKEN DESCRIPTORS LENGTH after the sense field
  EXPECT_EQ(raw[56], 0);            // token after 2 reserved bytes
  EXPECT_EQ(raw[57], 1);
  auto back = decode_rod_token_information(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(*back, info);
  test::expect_every_prefix_rejected(raw, decode_rod_token_information);
  Bytes bad = raw;
  bad[14] = 19;  // valid sense longer than its field
  EXPECT_FALSE(decode_rod_token_information(bad));
  RodTokenInformation progress{.response_to_service_action = 0x11, .status = CopyOperationStatus::in_progress_foreground};
  auto p = decode_rod_token_information(encode_rod_token_information(progress));
  ASSERT_TRUE(p);
  EXPECT_TRUE(in_progress(p->status));
  EXPECT_FALSE(p->token);
}

}  // namespace
}  // namespace offload::scsi
