// Sense data, fixed and descriptor formats (SPC-4 4.5.2, 4.5.3).
#include <gtest/gtest.h>

#include "engine/scsi/sense.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

TEST(ScsiSense, FixedFormatLayout) {
  // ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE as tgt returns it for 0x83.
  Bytes raw{0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00};
  auto sense = decode_sense(raw);
  ASSERT_TRUE(sense) << test::error_text(sense);
  EXPECT_FALSE(sense->descriptor_format);
  EXPECT_EQ(sense->key, SenseKey::illegal_request);
  EXPECT_EQ(sense->code, asc::invalid_operation_code);
  EXPECT_FALSE(sense->information);
  EXPECT_FALSE(sense->key_specific);
  EXPECT_EQ(sense->describe(), "ILLEGAL REQUEST, asc 0x20/0x00 (INVALID COMMAND OPERATION CODE)");
  EXPECT_EQ(encode_fixed_sense(*sense), raw);
}

TEST(ScsiSense, FixedFormatAllFields) {
  Sense s;
  s.deferred = true;
  s.key = SenseKey::copy_aborted;
  s.code = asc::copy_target_device_not_reachable;
  s.information = 0x11223344;
  s.command_specific = 0x55667788;
  s.key_specific = std::array<std::uint8_t, 3>{0x40, 0x00, 0x10};
  Bytes raw = encode_fixed_sense(s);
  ASSERT_EQ(raw.size(), 18U);
  EXPECT_EQ(raw[0], 0xF1);  // VALID | 0x71 deferred
  EXPECT_EQ(raw[2], 0x0A);
  EXPECT_EQ((Bytes{raw[3], raw[4], raw[5], raw[6]}), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(raw[7], 10);
  EXPECT_EQ((Bytes{raw[8], raw[9], raw[10], raw[11]}), (Bytes{0x55, 0x66, 0x77, 0x88}));
  EXPECT_EQ(raw[12], 0x0D);
  EXPECT_EQ(raw[13], 0x02);
  EXPECT_EQ(raw[15], 0xC0);  // SKSV | 0x40
  EXPECT_EQ(raw[17], 0x10);
  auto back = decode_sense(raw);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->deferred);
  EXPECT_EQ(back->information, 0x11223344U);
  EXPECT_EQ(back->command_specific, 0x55667788U);
  EXPECT_EQ(back->key_specific, s.key_specific);
}

TEST(ScsiSense, DescriptorFormatLayout) {
  Sense s;
  s.key = SenseKey::unit_attention;
  s.code = asc::luns_changed;
  s.information = 0x0102030405060708ULL;
  s.key_specific = std::array<std::uint8_t, 3>{0x00, 0x01, 0x02};
  Bytes raw = encode_descriptor_sense(s);
  Bytes want{0x72, 0x06, 0x3F, 0x0E, 0, 0, 0, 20,
             0x00, 0x0A, 0x80, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
             0x02, 0x06, 0x00, 0x00, 0x80, 0x01, 0x02, 0x00};
  EXPECT_EQ(raw, want);
  auto back = decode_sense(raw);
  ASSERT_TRUE(back) << test::error_text(back);
  EXPECT_TRUE(back->descriptor_format);
  EXPECT_EQ(back->key, SenseKey::unit_attention);
  EXPECT_EQ(back->code, asc::luns_changed);
  EXPECT_EQ(back->information, 0x0102030405060708ULL);
  EXPECT_EQ(back->key_specific, s.key_specific);
  test::expect_every_prefix_rejected(raw, decode_sense);
}

TEST(ScsiSense, RejectsInconsistentInput) {
  Bytes fixed = encode_fixed_sense({.key = SenseKey::illegal_request, .code = asc::invalid_field_in_cdb});
  test::expect_every_prefix_rejected(fixed, decode_sense);
  fixed[7] = 40;  // claims more than the buffer
  auto long_claim = decode_sense(fixed);
  ASSERT_FALSE(long_claim);
  EXPECT_NE(long_claim.error().field.find("ADDITIONAL SENSE LENGTH"), std::string::npos);
  Bytes desc = encode_descriptor_sense({.key = SenseKey::not_ready, .information = 5});
  desc[9] = 0x30;  // information descriptor runs past the sense
  EXPECT_FALSE(decode_sense(desc));
  desc[9] = 0x04;  // wrong length for type 0x00
  EXPECT_FALSE(decode_sense(desc));
  EXPECT_FALSE(decode_sense(Bytes{0x7F, 0, 0, 0, 0, 0, 0, 0}));  // vendor response code
}

}  // namespace
}  // namespace offload::scsi
