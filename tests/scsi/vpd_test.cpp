// INQUIRY's 3PC bit, the Third Party Copy VPD page (0x8F) and the Device
// Identification VPD page (0x83) against SPC-4 / SBC-3.
#include <gtest/gtest.h>

#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

TEST(ScsiVpd, StandardInquiryThirdPartyCopyBit) {
  Bytes raw = encode_standard_inquiry({.third_party_copy = true, .vendor = "LIO-ORG", .product = "disk0", .revision = "4.0"});
  ASSERT_EQ(raw.size(), 36U);
  EXPECT_EQ(raw[4], 31);           // ADDITIONAL LENGTH
  EXPECT_EQ(raw[5], 0x08);         // 3PC
  EXPECT_EQ(std::string(raw.begin() + 8, raw.begin() + 16), "LIO-ORG ");
  auto q = decode_standard_inquiry(raw);
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->third_party_copy);
  EXPECT_EQ(q->vendor, "LIO-ORG");
  EXPECT_EQ(q->product, "disk0");
  raw[5] = 0x00;
  EXPECT_FALSE(decode_standard_inquiry(raw)->third_party_copy);
  EXPECT_FALSE(decode_standard_inquiry(Bytes(7, 0)));
  Bytes tiny(8, 0);
  tiny[4] = 2;  // claims less than byte 7
  EXPECT_FALSE(decode_standard_inquiry(tiny));
}

ThirdPartyCopyVpd full_page() {
  ThirdPartyCopyVpd page;
  page.rod_token_limits = RodTokenLimits{.max_range_descriptors = 8, .max_inactivity_timeout_s = 3600,
                                         .default_inactivity_timeout_s = 60,
                                         .max_token_transfer_blocks = 524288, .optimal_transfer_blocks = 8192};
  page.supported_commands = {{0x83, {0x00, 0x10, 0x11}}, {0x84, {0x03, 0x07}}};
  page.parameter_data = ParameterDataLimits{2, 1, 1024, 0};
  page.general = GeneralCopyOperations{1, 1, 256U << 20, 9, 0};
  return page;
}

TEST(ScsiVpd, ThirdPartyCopyLayout) {
  Bytes raw = encode_third_party_copy_vpd(full_page());
  EXPECT_EQ(raw[1], 0x8F);
  EXPECT_EQ(get_be16(raw, 2), raw.size() - 4);
  // Block Device ROD Token Limits at byte 4: type 0x0000, length 0x0020.
  EXPECT_EQ(get_be16(raw, 4), 0x0000);
  EXPECT_EQ(get_be16(raw, 6), 0x0020);
  EXPECT_EQ(get_be16(raw, 4 + 10), 8);
  EXPECT_EQ(get_be32(raw, 4 + 12), 3600U);
  EXPECT_EQ(get_be32(raw, 4 + 16), 60U);
  EXPECT_EQ(get_be64(raw, 4 + 20), 524288U);
  EXPECT_EQ(get_be64(raw, 4 + 28), 8192U);
  // Supported Commands at byte 40: list length 9 (2 + 3 + 2 + 2), padded to 12.
  EXPECT_EQ(get_be16(raw, 40), 0x0001);
  EXPECT_EQ(get_be16(raw, 42), 12);
  EXPECT_EQ(raw[44], 9);
  EXPECT_EQ((Bytes{raw[45], raw[46], raw[47], raw[48], raw[49]}), (Bytes{0x83, 3, 0x00, 0x10, 0x11}));
  EXPECT_EQ((Bytes{raw[50], raw[51], raw[52], raw[53]}), (Bytes{0x84, 2, 0x03, 0x07}));
  // Parameter Data at byte 56: length 0x1C.
  EXPECT_EQ(get_be16(raw, 56), 0x0004);
  EXPECT_EQ(get_be16(raw, 58), 0x001C);
  EXPECT_EQ(get_be16(raw, 56 + 8), 2);
  EXPECT_EQ(get_be16(raw, 56 + 10), 1);
  EXPECT_EQ(get_be32(raw, 56 + 12), 1024U);
  // General Copy Operations at byte 88.
  EXPECT_EQ(get_be16(raw, 88), 0x8001);
  EXPECT_EQ(get_be32(raw, 88 + 12), 256U << 20);
  EXPECT_EQ(raw[88 + 16], 9);
  auto back = decode_third_party_copy_vpd(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(*back, full_page());
  EXPECT_TRUE(back->supports(0x83, 0x10));
  EXPECT_FALSE(back->supports(0x83, 0x01));
}

TEST(ScsiVpd, ThirdPartyCopyRejectsInconsistentPages) {
  Bytes raw = encode_third_party_copy_vpd(full_page());
  test::expect_every_prefix_rejected(raw, decode_third_party_copy_vpd);
  Bytes wrong_page = raw;
  wrong_page[1] = 0x83;
  EXPECT_FALSE(decode_third_party_copy_vpd(wrong_page));
  Bytes long_descriptor = raw;
  long_descriptor[7] = 0xF0;  // ROD token limits descriptor runs past the page
  EXPECT_FALSE(decode_third_party_copy_vpd(long_descriptor));
  Bytes short_limits = raw;
  short_limits[7] = 0x10;  // ROD token limits too short (the rest then misparses)
  EXPECT_FALSE(decode_third_party_copy_vpd(short_limits));
  Bytes bad_commands = raw;
  bad_commands[44] = 12;  // list longer than the descriptor
  EXPECT_FALSE(decode_third_party_copy_vpd(bad_commands));
  Bytes bad_actions = raw;
  bad_actions[46] = 9;  // service actions run past the list
  EXPECT_FALSE(decode_third_party_copy_vpd(bad_actions));
  // A descriptor whose length is not a multiple of 4 (SPC-4 7.8.17.1; found by
  // fuzz/scsi_fuzz.cpp: kept raw, it came back 2 bytes longer after a re-encode).
  Bytes odd = {0x00, 0x8F, 0x00, 0x06, 0x01, 0x02, 0x00, 0x02, 0xAA, 0xBB};
  auto odd_back = decode_third_party_copy_vpd(odd);
  ASSERT_FALSE(odd_back);
  EXPECT_NE(odd_back.error().describe().find("not a multiple of 4"), std::string::npos) << odd_back.error().describe();
}

TEST(ScsiVpd, DeviceIdentificationLayoutAndNaa) {
  DeviceIdentificationVpd page;
  page.designators = {
      {.code_set = 2, .association = 0, .type = DesignatorType::t10_vendor_id, .value = {'L', 'I', 'O', '-', 'O', 'R', 'G', ' ', 'x'}},
      {.code_set = 1, .association = 0, .type = DesignatorType::naa, .value = {0x60, 0x01, 0x40, 0x5a, 0xbc, 0xde, 0xf0, 0x12,
                                                                              0x34, 0x50, 0, 0, 0, 0, 0, 0}},
      {.protocol_identifier = 5, .code_set = 1, .protocol_identifier_valid = true, .association = 1,
       .type = DesignatorType::relative_target_port, .value = {0, 0, 0, 1}}};
  Bytes raw = encode_device_identification_vpd(page);
  EXPECT_EQ(raw[1], 0x83);
  EXPECT_EQ(get_be16(raw, 2), raw.size() - 4);
  EXPECT_EQ(raw[4], 0x02);          // code set ASCII
  EXPECT_EQ(raw[5], 0x01);          // LU, T10 vendor id
  EXPECT_EQ(raw[7], 9);
  EXPECT_EQ(raw[17], 0x01);         // second: code set binary
  EXPECT_EQ(raw[18], 0x03);         // LU, NAA
  EXPECT_EQ(raw[20], 16);
  EXPECT_EQ(raw[37], 0x51);         // third: protocol 5, binary
  EXPECT_EQ(raw[38], 0x94);         // PIV, target port, relative port
  auto back = decode_device_identification_vpd(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_EQ(back->designators, page.designators);
  ASSERT_NE(back->logical_unit_naa(), nullptr);
  EXPECT_EQ(designator_hex(*back->logical_unit_naa()), "6001405abcdef0123450000000000000");
  EXPECT_EQ(back->best_for_copy(), back->logical_unit_naa());
  test::expect_every_prefix_rejected(raw, decode_device_identification_vpd);
  raw[7] = 200;
  EXPECT_FALSE(decode_device_identification_vpd(raw));
}

}  // namespace
}  // namespace offload::scsi
