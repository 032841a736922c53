// CDBs of the copy-offload commands against SPC-4 / SBC-3 layouts.
#include <gtest/gtest.h>

#include "engine/scsi/cdb.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

TEST(ScsiCdb, InquiryVpdPage) {
  Bytes cdb = inquiry_cdb(true, 0x8F, 0x1234);
  EXPECT_EQ(cdb, (Bytes{0x12, 0x01, 0x8F, 0x12, 0x34, 0x00}));
  EXPECT_EQ(inquiry_cdb(false, 0x8F, 36), (Bytes{0x12, 0x00, 0x00, 0x00, 36, 0x00}));  // no page without EVPD
  auto decoded = decode_cdb(cdb);
  ASSERT_TRUE(decoded) << test::error_text(decoded);
  EXPECT_EQ(decoded->opcode, Opcode::inquiry);
  EXPECT_TRUE(decoded->evpd);
  EXPECT_EQ(decoded->page_code, 0x8F);
  EXPECT_EQ(decoded->allocation_length, 0x1234U);
}

TEST(ScsiCdb, ExtendedCopyLid1) {
  Bytes cdb = extended_copy_lid1_cdb(0x01020304);
  Bytes want(16, 0);
  want[0] = 0x83;
  want[10] = 0x01; want[11] = 0x02; want[12] = 0x03; want[13] = 0x04;
  EXPECT_EQ(cdb, want);
  auto decoded = decode_cdb(cdb);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->service_action, 0x00);
  EXPECT_EQ(decoded->parameter_list_length, 0x01020304U);
}

TEST(ScsiCdb, ReceiveCopyResults) {
  Bytes cdb = receive_copy_results_cdb(CopyInAction::copy_status_lid1, 0x7E, 1024);
  Bytes want(16, 0);
  want[0] = 0x84; want[1] = 0x00; want[2] = 0x7E; want[12] = 0x04; want[13] = 0x00;
  EXPECT_EQ(cdb, want);
  Bytes op = receive_copy_results_cdb(CopyInAction::operating_parameters, 0x7E, 44);
  EXPECT_EQ(op[1], 0x03);
  EXPECT_EQ(op[2], 0x00) << "operating parameters carry no list id";
  EXPECT_EQ(op[13], 44);
  auto decoded = decode_cdb(cdb);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->list_id, 0x7EU);
  EXPECT_EQ(decoded->allocation_length, 1024U);
}

TEST(ScsiCdb, TokenCommandsCarryA32BitListIdInBytes6To9) {
  Bytes pt = populate_token_cdb(0xA1B2C3D4, 0x20, 5);
  Bytes want(16, 0);
  want[0] = 0x83; want[1] = 0x10;
  want[6] = 0xA1; want[7] = 0xB2; want[8] = 0xC3; want[9] = 0xD4;
  want[13] = 0x20; want[14] = 5;
  EXPECT_EQ(pt, want);
  Bytes wut = write_using_token_cdb(7, 552);
  EXPECT_EQ(wut[1], 0x11);
  EXPECT_EQ(wut[9], 7);
  EXPECT_EQ(wut[12], 0x02);
  EXPECT_EQ(wut[13], 0x28);
  auto decoded = decode_cdb(pt);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->list_id, 0xA1B2C3D4U);
  EXPECT_EQ(decoded->parameter_list_length, 0x20U);
  EXPECT_EQ(decoded->group_number, 5);
}

TEST(ScsiCdb, RodTokenInformationAndAbortCarryTheListIdInBytes2To5) {
  Bytes rrti = receive_rod_token_information_cdb(0x01020304, 600);
  EXPECT_EQ(rrti[0], 0x84);
  EXPECT_EQ(rrti[1], 0x07);
  EXPECT_EQ((Bytes{rrti[2], rrti[3], rrti[4], rrti[5]}), (Bytes{1, 2, 3, 4}));
  EXPECT_EQ(rrti[12], 0x02);
  EXPECT_EQ(rrti[13], 0x58);
  Bytes abort = copy_operation_abort_cdb(0x0A0B0C0D);
  EXPECT_EQ(abort[0], 0x83);
  EXPECT_EQ(abort[1], 0x1C);
  EXPECT_EQ(abort[2], 0x0A);
  EXPECT_EQ(abort[5], 0x0D);
  auto decoded = decode_cdb(abort);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->list_id, 0x0A0B0C0DU);
}

TEST(ScsiCdb, RejectsWrongLengthsAndUnknownActions) {
  Bytes cdb = extended_copy_lid1_cdb(100);
  test::expect_every_prefix_rejected(cdb, decode_cdb);
  cdb[1] = 0x1F;
  auto bad = decode_cdb(cdb);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().field.find("SERVICE ACTION"), std::string::npos);
  EXPECT_FALSE(decode_cdb(Bytes{0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0}));  // READ(10) is not one of ours
  Bytes inquiry = inquiry_cdb(false, 0, 36);
  inquiry[2] = 0x80;  // page code without EVPD
  EXPECT_FALSE(decode_cdb(inquiry));
}

}  // namespace
}  // namespace offload::scsi
