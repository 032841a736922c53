// RECEIVE COPY RESULTS parameter data against SPC-4 6.18.
#include <gtest/gtest.h>

#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/sense.hpp"
#include "tests/scsi/wire_check.hpp"

namespace offload::scsi {
namespace {

// Operating parameters as Linux LIO reports them (target_core_xcopy.c):
// 2 CSCD, 1 segment, 1024-byte lists, 256 MB segments, 1 concurrent copy,
// descriptor codes 0x02 and 0xE4.
Bytes lio_operating_parameters() {
  Bytes raw(46, 0);
  raw[3] = 42;                  // AVAILABLE DATA = 40 + 2 codes
  raw[4] = 0x01;                // SNLID
  raw[9] = 2;                   // MAXIMUM CSCD DESCRIPTOR COUNT
  raw[11] = 1;                  // MAXIMUM SEGMENT DESCRIPTOR COUNT
  raw[14] = 0x04;               // MAXIMUM DESCRIPTOR LIST LENGTH 1024
  raw[16] = 0x10;               // MAXIMUM SEGMENT LENGTH 0x10000000 = 256 MiB
  raw[35] = 1;                  // TOTAL CONCURRENT COPIES
  raw[36] = 1;                  // MAXIMUM CONCURRENT COPIES
  raw[37] = 9;                  // DATA SEGMENT GRANULARITY 512
  raw[43] = 2;                  // IMPLEMENTED DESCRIPTOR LIST LENGTH
  raw[44] = 0x02;
  raw[45] = 0xE4;
  return raw;
}

TEST(ScsiReceiveCopyResults, OperatingParametersLayout) {
  auto p = decode_operating_parameters(lio_operating_parameters());
  ASSERT_TRUE(p) << test::error_text(p);
  EXPECT_TRUE(p->supports_no_list_id);
  EXPECT_EQ(p->max_cscd_descriptors, 2);
  EXPECT_EQ(p->max_segment_descriptors, 1);
  EXPECT_EQ(p->max_descriptor_list_length, 1024U);
  EXPECT_EQ(p->max_segment_length, 256U * 1024 * 1024);
  EXPECT_EQ(p->total_concurrent_copies, 1);
  EXPECT_EQ(p->max_concurrent_copies, 1);
  EXPECT_EQ(p->data_segment_granularity_log2, 9);
  EXPECT_TRUE(p->implements(0x02));
  EXPECT_TRUE(p->implements(0xE4));
  EXPECT_FALSE(p->implements(0xE0));
  EXPECT_EQ(encode_operating_parameters(*p), lio_operating_parameters());
}

TEST(ScsiReceiveCopyResults, OperatingParametersRoundTripEveryField) {
  OperatingParameters p{.supports_no_list_id = false, .max_cscd_descriptors = 0x0102, .max_segment_descriptors = 0x0304,
                        .max_descriptor_list_length = 0x05060708, .max_segment_length = 0x090A0B0C,
                        .max_inline_data_length = 0x0D0E0F10, .held_data_limit = 0x11121314,
                        .max_stream_transfer_size = 0x15161718, .total_concurrent_copies = 0x191A,
                        .max_concurrent_copies = 0x1B, .data_segment_granularity_log2 = 0x1C,
                        .inline_data_granularity_log2 = 0x1D, .held_data_granularity_log2 = 0x1E,
                        .implemented_descriptor_codes = {0x02, 0x0A, 0xE4}};
  Bytes raw = encode_operating_parameters(p);
  EXPECT_EQ(raw[20], 0x0D);
  EXPECT_EQ(raw[24], 0x11);
  EXPECT_EQ(raw[28], 0x15);
  EXPECT_EQ(raw[34], 0x19);
  EXPECT_EQ(raw[39], 0x1E);
  auto back = decode_operating_parameters(raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
}

TEST(ScsiReceiveCopyResults, OperatingParametersRejectsBadLengths) {
  Bytes raw = lio_operating_parameters();
  test::expect_every_prefix_rejected(raw, decode_operating_parameters);
  raw[43] = 3;  // one more code than AVAILABLE DATA holds
  auto bad = decode_operating_parameters(raw);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().field.find("IMPLEMENTED DESCRIPTOR LIST LENGTH"), std::string::npos);
  Bytes short_available = lio_operating_parameters();
  short_available[3] = 30;
  EXPECT_FALSE(decode_operating_parameters(short_available));
}

TEST(ScsiReceiveCopyResults, CopyStatusLayout) {
  Bytes raw{0, 0, 0, 8, 0x81, 0x00, 0x03, 0xF1, 0x00, 0x01, 0x00, 0x00};
  auto status = decode_copy_status(raw);
  ASSERT_TRUE(status) << test::error_text(status);
  EXPECT_TRUE(status->held_data_discarded);
  EXPECT_EQ(status->status, CopyManagerStatus::completed_good);
  EXPECT_EQ(status->segments_processed, 3);
  EXPECT_EQ(status->transfer_count_units, 0xF1);
  EXPECT_EQ(status->transfer_count, 0x10000U);
  EXPECT_EQ(encode_copy_status(*status), raw);
  test::expect_every_prefix_rejected(raw, decode_copy_status);
  raw[4] = 0x05;
  EXPECT_FALSE(decode_copy_status(raw)) << "unknown copy manager status";
}

TEST(ScsiReceiveCopyResults, FailedSegmentDetails) {
  Bytes sense = encode_fixed_sense({.key = SenseKey::copy_aborted, .code = asc::copy_target_device_not_reachable});
  FailedSegmentDetails d{.present = true, .copy_command_status = 0x02, .sense = sense};
  Bytes raw = encode_failed_segment_details(d);
  ASSERT_EQ(raw.size(), 60U + 18);
  EXPECT_EQ(raw[3], 56 + 18);    // AVAILABLE DATA
  EXPECT_EQ(raw[56], 0x02);      // COPY COMMAND STATUS: CHECK CONDITION
  EXPECT_EQ(raw[59], 18);        // SENSE DATA LENGTH
  EXPECT_EQ(raw[60], 0x70);
  auto back = decode_failed_segment_details(raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, d);
  test::expect_every_prefix_rejected(raw, decode_failed_segment_details);
  raw[59] = 17;
  EXPECT_FALSE(decode_failed_segment_details(raw));
  auto none = decode_failed_segment_details(Bytes{0, 0, 0, 0});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->present);
}

}  // namespace
}  // namespace offload::scsi
