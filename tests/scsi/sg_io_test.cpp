// The SG_IO transport without a SCSI device: which addresses route to it,
// how an sg_io_hdr's host/driver/SCSI status and sense become an errno and
// a message, READ CAPACITY(16) and READ/WRITE(16) bytes, and the errors
// for paths that are no SCSI LUN (a regular file, /dev/null, a missing node).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "engine/targets/address_router.hpp"
#include "engine/targets/sg_io_transport.hpp"

namespace offload {
namespace {

// Fixed-format sense: key, asc, ascq.
std::vector<std::uint8_t> fixed_sense(std::uint8_t key, std::uint8_t asc, std::uint8_t ascq) {
  std::vector<std::uint8_t> s(18, 0);
  s[0] = 0x70;
  s[2] = key;
  s[7] = 10;
  s[12] = asc;
  s[13] = ascq;
  return s;
}

TEST(SgIoAddress, DevicePathsRouteToLuns) {
  EXPECT_TRUE(is_scsi_device_path("/dev/sg0"));
  EXPECT_TRUE(is_scsi_device_path("/dev/sdb"));
  EXPECT_TRUE(is_scsi_device_path("/dev/sdz"));  // missing nodes too: the LUN target says it is not there
  EXPECT_FALSE(is_scsi_device_path("/dev/vda"));
  EXPECT_FALSE(is_scsi_device_path("dev/sg0"));
  EXPECT_TRUE(is_lun_address("/dev/sdq"));
  EXPECT_TRUE(is_lun_address("iscsi://h:3260/iqn.x/0"));
  EXPECT_TRUE(is_lun_address("/dev/null"));  // a device node: SG_IO decides (and refuses it)
  EXPECT_FALSE(is_lun_address("/etc/hostname"));
  EXPECT_FALSE(is_lun_address("relative/file"));
  EXPECT_TRUE(is_device_node("/dev/null"));
  EXPECT_FALSE(is_device_node("/dev"));
}

TEST(SgIoOutcome, GoodWithResidual) {
  SgIoReply reply{.residual = 1024, .transfer_bytes = 4096};
  ScsiOutcome o = sg_io_outcome(reply, "/dev/sg1", kSgIoTimeoutMs);
  EXPECT_TRUE(o.good());
  EXPECT_EQ(o.data_in_bytes, 3072U);
  EXPECT_EQ(o.to_errno(), 0);
}

TEST(SgIoOutcome, CheckConditionDecodesSense) {
  auto sense = fixed_sense(0x05, 0x20, 0x00);
  SgIoReply reply{.status = 0x02, .driver_status = 0x08, .transfer_bytes = 512, .sense = sense};
  ScsiOutcome o = sg_io_outcome(reply, "/dev/sg1", kSgIoTimeoutMs);
  EXPECT_FALSE(o.good());
  EXPECT_TRUE(o.invalid_operation_code());
  EXPECT_EQ(o.to_errno(), EOPNOTSUPP);
  EXPECT_EQ(o.data_in_bytes, 0U);
  EXPECT_NE(o.describe().find("INVALID COMMAND OPERATION CODE"), std::string::npos) << o.describe();

  auto unreachable = fixed_sense(0x0A, 0x0D, 0x02);
  reply.sense = unreachable;
  EXPECT_EQ(sg_io_outcome(reply, "/dev/sg1", kSgIoTimeoutMs).to_errno(), EXDEV);
  auto attention = fixed_sense(0x06, 0x3F, 0x0E);
  reply.sense = attention;
  EXPECT_TRUE(sg_io_outcome(reply, "/dev/sg1", kSgIoTimeoutMs).unit_attention());
  auto medium = fixed_sense(0x03, 0x11, 0x00);
  reply.sense = medium;
  EXPECT_EQ(sg_io_outcome(reply, "/dev/sg1", kSgIoTimeoutMs).to_errno(), EIO);
}

TEST(SgIoOutcome, StatusByteWithoutSense) {
  SgIoReply busy{.status = 0x08};
  EXPECT_EQ(sg_io_outcome(busy, "/dev/sdb", kSgIoTimeoutMs).describe(), "BUSY");
  EXPECT_EQ(sg_io_outcome(busy, "/dev/sdb", kSgIoTimeoutMs).to_errno(), EBUSY);
  SgIoReply conflict{.status = 0x18};
  EXPECT_EQ(sg_io_outcome(conflict, "/dev/sdb", kSgIoTimeoutMs).to_errno(), EBUSY);
  SgIoReply no_sense{.status = 0x02};
  EXPECT_EQ(sg_io_outcome(no_sense, "/dev/sdb", kSgIoTimeoutMs).describe(), "CHECK CONDITION: no sense data");
  EXPECT_EQ(sg_io_outcome(no_sense, "/dev/sdb", kSgIoTimeoutMs).to_errno(), EIO);
  // GOOD with RECOVERED ERROR sense is still GOOD.
  auto recovered = fixed_sense(0x01, 0x17, 0x01);
  SgIoReply good{.status = 0x00, .driver_status = 0x08, .sense = recovered};
  EXPECT_TRUE(sg_io_outcome(good, "/dev/sdb", kSgIoTimeoutMs).good());
}

TEST(SgIoOutcome, HostAndDriverStatusAreTransportErrors) {
  SgIoReply timeout{.host_status = 0x03};
  ScsiOutcome o = sg_io_outcome(timeout, "/dev/sg3", 60'000);
  EXPECT_EQ(o.to_errno(), ETIMEDOUT);
  EXPECT_EQ(o.describe(), "transport error: SG_IO on /dev/sg3: no answer within 60 s (DID_TIME_OUT; the kernel aborted the command)");
  SgIoReply driver_timeout{.driver_status = 0x06};
  EXPECT_EQ(sg_io_outcome(driver_timeout, "/dev/sg3", 600'000).to_errno(), ETIMEDOUT);
  EXPECT_NE(sg_io_outcome(driver_timeout, "/dev/sg3", 600'000).describe().find("600 s (DRIVER_TIMEOUT"), std::string::npos);

  SgIoReply failfast{.status = 0x02, .host_status = 0x0F};  // host status wins over the SCSI status
  o = sg_io_outcome(failfast, "/dev/sdc", kSgIoTimeoutMs);
  EXPECT_EQ(o.to_errno(), ENOLINK);
  EXPECT_EQ(o.describe(), "transport error: SG_IO on /dev/sdc: host adapter status DID_TRANSPORT_FAILFAST (0x0f)");
  EXPECT_EQ(sg_io_outcome(SgIoReply{.host_status = 0x01}, "/dev/sdc", 1000).to_errno(), ENXIO);
  EXPECT_EQ(sg_io_outcome(SgIoReply{.host_status = 0x10}, "/dev/sdc", 1000).to_errno(), EREMOTEIO);
  EXPECT_EQ(sg_io_outcome(SgIoReply{.host_status = 0x13}, "/dev/sdc", 1000).to_errno(), ENODATA);
  EXPECT_EQ(sg_io_outcome(SgIoReply{.host_status = 0x08}, "/dev/sdc", 1000).to_errno(), ECONNRESET);
  EXPECT_EQ(sg_host_status_name(0x7F), "host status 0x7f");
  EXPECT_EQ(sg_host_status_errno(0x7F), EIO);
  EXPECT_EQ(sg_host_status_name(0), "");

  SgIoReply driver_error{.driver_status = 0x04};
  EXPECT_EQ(sg_io_outcome(driver_error, "/dev/sdc", 1000).describe(), "transport error: SG_IO on /dev/sdc: driver status 0x04");
  SgIoReply ioctl_failed{.ioctl_errno = ENOMEM};
  o = sg_io_outcome(ioctl_failed, "/dev/sg0", 1000);
  EXPECT_EQ(o.to_errno(), ENOMEM);
  EXPECT_EQ(o.describe(), "transport error: SG_IO on /dev/sg0 failed: Cannot allocate memory");
}

TEST(UnitAttention, RetriedUntilItClearsOrTheRetriesEnd) {
  auto attention = fixed_sense(0x06, 0x29, 0x00);  // POWER ON, RESET
  SgIoReply ua{.status = 0x02, .driver_status = 0x08, .sense = attention};
  int calls = 0;
  ScsiOutcome o = retry_unit_attention([&] {
    return ++calls <= 2 ? sg_io_outcome(ua, "/dev/sg0", 1000) : sg_io_outcome(SgIoReply{}, "/dev/sg0", 1000);
  });
  EXPECT_TRUE(o.good());
  EXPECT_EQ(calls, 3);
  calls = 0;
  o = retry_unit_attention([&] { ++calls; return sg_io_outcome(ua, "/dev/sg0", 1000); });
  EXPECT_TRUE(o.unit_attention());
  EXPECT_EQ(calls, 1 + kUnitAttentionRetries);
  EXPECT_EQ(o.to_errno(), EIO);
  calls = 0;
  auto invalid = fixed_sense(0x05, 0x20, 0x00);  // other answers are not repeated
  SgIoReply refused{.status = 0x02, .driver_status = 0x08, .sense = invalid};
  o = retry_unit_attention([&] { ++calls; return sg_io_outcome(refused, "/dev/sg0", 1000); });
  EXPECT_EQ(calls, 1);
}

TEST(SgIoCdb, ReadWriteAndCapacityBytes) {
  scsi::Bytes read = read_write16_cdb(false, 0x0102030405060708ULL, 0x0A0B0C0D);
  EXPECT_EQ(read, (scsi::Bytes{0x88, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0A, 0x0B, 0x0C, 0x0D, 0, 0}));
  EXPECT_EQ(read_write16_cdb(true, 0, 1)[0], 0x8A);
  scsi::Bytes capacity = read_capacity16_cdb(32);
  EXPECT_EQ(capacity, (scsi::Bytes{0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0}));
  scsi::Bytes data(32, 0);
  data[7] = 0xFF;  // last LBA 255
  data[10] = 0x02;  // 512-byte blocks
  auto decoded = decode_read_capacity16(data);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded->first, 256U);
  EXPECT_EQ(decoded->second, 512U);
  EXPECT_NE(decode_read_capacity16(std::span(data).first(11)).error().find("need 12"), std::string::npos);
}

TEST(SgIoOpen, PathsThatAreNoScsiLun) {
  auto missing = SgIoTransport::open("/dev/sdzz-not-here");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value, ENOENT);
  EXPECT_EQ(missing.error().describe(), "/dev/sdzz-not-here: cannot open SCSI device: No such file or directory (ENOENT)");

  auto null = SgIoTransport::open("/dev/null");
  ASSERT_FALSE(null);
  EXPECT_EQ(null.error().errno_value, EINVAL);
  EXPECT_NE(null.error().describe().find("/dev/null: a character device that does not accept SG_IO"), std::string::npos)
      << null.error().describe();

  std::string file = ::testing::TempDir() + "sg_io_test_regular";
  std::ofstream(file) << "x";
  auto regular = SgIoTransport::open(file);
  ASSERT_FALSE(regular);
  EXPECT_NE(regular.error().message.find("not a block or character device"), std::string::npos);
  std::remove(file.c_str());
}

TEST(SgIoRouter, FileAndLunMixIsRefusedNamingTheDevice) {
  AddressRouter router;
  CopyRequest request;
  request.source = "/dev/null";
  request.destination = ::testing::TempDir() + "sg_io_test_out";
  auto opened = router.open(request);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().path, "/dev/null");
  EXPECT_NE(opened.error().message.find("does not accept SG_IO"), std::string::npos);
  request.source = "/dev/sdzz-not-here";
  request.destination = "/dev/sgzz-not-here";
  opened = router.open(request);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().path, "/dev/sdzz-not-here");
  EXPECT_EQ(opened.error().errno_value, ENOENT);
}

}  // namespace
}  // namespace offload
