// The iSCSI LUN target's pure logic: address parsing, XCOPY limits from a
// LUN's operating parameters (LIO's and others), and why XCOPY is refused.
#include <gtest/gtest.h>

#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/iscsi_session.hpp"
#include "engine/targets/scsi_lun_profile.hpp"

namespace offload {
namespace {

LunProfile lio_profile() {
  LunProfile p;
  p.blocks = 2097152;
  p.block_bytes = 512;
  p.inquiry.third_party_copy = true;
  p.copy_parameters = scsi::OperatingParameters{.supports_no_list_id = true, .max_cscd_descriptors = 2,
                                                .max_segment_descriptors = 1, .max_descriptor_list_length = 1024,
                                                .max_segment_length = 256U << 20,
                                                .implemented_descriptor_codes = {0x02, 0xE4}};
  scsi::DeviceIdentificationVpd id;
  id.designators.push_back({.code_set = 1, .type = scsi::DesignatorType::naa, .value = scsi::Bytes(16, 0x60)});
  p.identification = id;
  return p;
}

TEST(IscsiAddress, ParsesHostPortIqnLun) {
  auto a = parse_iscsi_url("iscsi://127.0.0.1:3261/iqn.2003-01.org.linux-iscsi.x:lio/3");
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(a->portal, "127.0.0.1:3261");
  EXPECT_EQ(a->target, "iqn.2003-01.org.linux-iscsi.x:lio");
  EXPECT_EQ(a->lun, 3);
  EXPECT_EQ(a->url(), "iscsi://127.0.0.1:3261/iqn.2003-01.org.linux-iscsi.x:lio/3");
  EXPECT_EQ(parse_iscsi_url("iscsi://host/iqn.x/0")->portal, "host:3260");  // default port
}

TEST(IscsiAddress, RejectsMalformedAddresses) {
  EXPECT_NE(parse_iscsi_url("/dev/sdb").error().find("not an iscsi://"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi:///iqn.x/0").error().find("HOST:PORT"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:1/iqn.x").error().find("IQN or LUN"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:1/iqn.x/1a").error().find("not a number"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:1/iqn.x/99999").error().find("not a number"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://u%p@h:1/iqn.x/1").error().find("user names"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://:3260/iqn.x/0").error().find("empty host"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:/iqn.x/0").error().find("empty port"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:65536/iqn.x/0").error().find("port '65536' is not a number from 1 to 65535"),
            std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:0/iqn.x/0").error().find("port '0'"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://h:32x/iqn.x/0").error().find("port '32x'"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://[::1/iqn.x/0").error().find("closing ]"), std::string::npos);
  EXPECT_NE(parse_iscsi_url("iscsi://[]:3260/iqn.x/0").error().find("empty host"), std::string::npos);
}

TEST(IscsiAddress, Ipv6HostsKeepTheirBrackets) {
  EXPECT_EQ(parse_iscsi_url("iscsi://[::1]:3261/iqn.x/0")->portal, "[::1]:3261");
  EXPECT_EQ(parse_iscsi_url("iscsi://[fe80::1]/iqn.x/0")->portal, "[fe80::1]:3260");
}

TEST(LunProfile, LioLimitsGiveOne31MiBSegmentPerCommand) {
  LunProfile p = lio_profile();
  EXPECT_EQ(p.xcopy_unsupported_reason(), "");
  // min(256 MiB, 65,535 x 512 = 32 MiB - 512) rounded to whole MiB.
  EXPECT_EQ(p.xcopy_segment_bytes(), 31U << 20);
  EXPECT_EQ(p.xcopy_max_segments(2), 1U);
  EXPECT_EQ(p.xcopy_max_bytes(2), 31U << 20);
}

TEST(LunProfile, SegmentLimitsFromOtherArrays) {
  LunProfile p = lio_profile();
  p.block_bytes = 4096;  // 65,535 x 4 KiB = 256 MiB - 4 KiB: the 256 MiB maximum segment length wins
  EXPECT_EQ(p.xcopy_segment_bytes(), 255U << 20);
  p.copy_parameters->max_segment_length = 1U << 20;  // 1 MiB: below the MiB rounding, whole blocks
  EXPECT_EQ(p.xcopy_segment_bytes(), 1U << 20);
  p.copy_parameters->max_segment_length = 6000;
  p.block_bytes = 512;
  EXPECT_EQ(p.xcopy_segment_bytes(), 5632U);  // 11 blocks
  p.copy_parameters->max_segment_descriptors = 64;  // but the list length allows (1024 - 2 x 32) / 28 = 34 (no header)
  EXPECT_EQ(p.xcopy_max_segments(2), 34U);
  p.copy_parameters->max_descriptor_list_length = 0;  // no list limit reported
  EXPECT_EQ(p.xcopy_max_segments(2), 64U);
}

TEST(LunProfile, SaysWhyXcopyCannotRun) {
  LunProfile tgt = lio_profile();
  tgt.inquiry.third_party_copy = false;
  tgt.copy_parameters.reset();
  tgt.copy_parameters_answer = "CHECK CONDITION: ILLEGAL REQUEST, asc 0x20/0x00 (INVALID COMMAND OPERATION CODE)";
  EXPECT_EQ(tgt.xcopy_unsupported_reason(),
            "RECEIVE COPY RESULTS (operating parameters) answered CHECK CONDITION: ILLEGAL REQUEST, asc 0x20/0x00 "
            "(INVALID COMMAND OPERATION CODE); INQUIRY's 3PC bit is clear");
  LunProfile no_e4 = lio_profile();
  no_e4.copy_parameters->implemented_descriptor_codes = {0x02, 0xE0};
  EXPECT_NE(no_e4.xcopy_unsupported_reason().find("0xE4"), std::string::npos);
  LunProfile no_id = lio_profile();
  no_id.identification->designators.clear();
  EXPECT_NE(no_id.xcopy_unsupported_reason().find("designator"), std::string::npos);
}

TEST(ScsiOutcome, MapsDeviceAnswersToErrno) {
  ScsiOutcome invalid{.status = 2, .sense = scsi::Sense{.key = scsi::SenseKey::illegal_request,
                                                         .code = scsi::asc::invalid_operation_code}};
  EXPECT_TRUE(invalid.invalid_operation_code());
  EXPECT_EQ(invalid.to_errno(), EOPNOTSUPP);
  ScsiOutcome unreachable{.status = 2, .sense = scsi::Sense{.key = scsi::SenseKey::copy_aborted,
                                                             .code = scsi::asc::copy_target_device_not_reachable}};
  EXPECT_EQ(unreachable.to_errno(), EXDEV);
  ScsiOutcome bad_field{.status = 2, .sense = scsi::Sense{.key = scsi::SenseKey::illegal_request,
                                                           .code = scsi::asc::invalid_field_in_parameter_list}};
  EXPECT_EQ(bad_field.to_errno(), EINVAL);
  ScsiOutcome medium{.status = 2, .sense = scsi::Sense{.key = scsi::SenseKey::medium_error,
                                                      .code = scsi::asc::unrecovered_read_error}};
  EXPECT_EQ(medium.to_errno(), EIO);
  auto errno_of = [](scsi::SenseKey key, scsi::AdditionalSense code) {
    return ScsiOutcome{.status = scsi::status::check_condition, .sense = scsi::Sense{.key = key, .code = code}}.to_errno();
  };
  using Key = scsi::SenseKey;
  EXPECT_EQ(errno_of(Key::illegal_request, scsi::asc::invalid_field_in_cdb), EOPNOTSUPP);  // a service action it lacks
  EXPECT_EQ(errno_of(Key::copy_aborted, scsi::asc::third_party_device_failure), EREMOTEIO);
  EXPECT_EQ(errno_of(Key::illegal_request, scsi::asc::token_expired), ESTALE);
  EXPECT_EQ(errno_of(Key::data_protect, scsi::asc::space_allocation_failed), ENOSPC);
  EXPECT_EQ(errno_of(Key::data_protect, scsi::asc::write_protected), EROFS);
  EXPECT_EQ(ScsiOutcome{.status = scsi::status::reservation_conflict}.to_errno(), EBUSY);
  EXPECT_EQ(ScsiOutcome{.status = scsi::status::task_aborted}.describe(), "TASK ABORTED");
  EXPECT_EQ(ScsiOutcome{.status = 0x7E}.describe(), "SCSI status 126");
  ScsiOutcome transport{.status = 0x0f000001, .transport_error = "connection reset"};
  EXPECT_EQ(transport.to_errno(), ECONNRESET);
  EXPECT_EQ(transport.describe(), "transport error: connection reset");
  EXPECT_EQ(ScsiOutcome{}.to_errno(), 0);
}

}  // namespace
}  // namespace offload
