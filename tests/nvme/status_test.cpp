// NVMe Status Field decoding against NVMe Base 2.0, 4.6.1 (SC bits 7:0, SCT
// 10:8, CRD 12:11, M 13, DNR 14) and the errno table of status.hpp.
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/nvme/status.hpp"

namespace offload::nvme {
namespace {

TEST(NvmeStatus, SplitsTheFieldsOfTheStatusField) {
  // DNR | More | CRD 2 | SCT 1 | SC 0x83: Command Size Limit Exceeded.
  Status status = decode_status(0x4000 | 0x2000 | 0x1000 | 0x0100 | 0x83);
  EXPECT_EQ(status.code, 0x83);
  EXPECT_EQ(status.code_type, 1);
  EXPECT_EQ(status.retry_delay, 2);
  EXPECT_TRUE(status.more);
  EXPECT_TRUE(status.do_not_retry);
  EXPECT_EQ(encode_status(status), 0x7183);
}

TEST(NvmeStatus, EncodeDecodeRoundTripsEvery15BitValue) {
  for (std::uint32_t field = 0; field < 0x8000; ++field) {
    ASSERT_EQ(encode_status(decode_status(static_cast<std::uint16_t>(field))), field);
  }
}

TEST(NvmeStatus, NamesTheCodesTheCopyPathMeets) {
  EXPECT_EQ(describe(decode_status(0x4001)), "Invalid Command Opcode (generic status 0x01, DNR)");
  EXPECT_EQ(describe(decode_status(0x0183)), "Command Size Limit Exceeded (command specific status 0x83)");
  EXPECT_EQ(describe(decode_status(0x0080)), "LBA Out of Range (generic status 0x80)");
  EXPECT_EQ(describe(decode_status(0x0281)), "Unrecovered Read Error (media error status 0x81)");
  EXPECT_EQ(describe(decode_status(0x0370)), "Host Pathing Error (path status 0x70)");
  EXPECT_EQ(describe(decode_status(0x0742)), "status (vendor specific status 0x42)");
  EXPECT_EQ(describe(decode_status(0x2000 | 0x06)), "Internal Error (generic status 0x06, more in the Error Information log)");
}

TEST(NvmeStatus, ErrnoFollowsLinux) {
  EXPECT_EQ(errno_for(decode_status(0)), 0);
  EXPECT_EQ(errno_for(decode_status(0x4001)), EOPNOTSUPP);
  EXPECT_TRUE(is_invalid_opcode(decode_status(0x4001)));
  EXPECT_FALSE(is_invalid_opcode(decode_status(0x0101)));  // command specific 01h is another code
  EXPECT_EQ(errno_for(decode_status(0x0002)), EINVAL);   // Invalid Field in Command
  EXPECT_EQ(errno_for(decode_status(0x0080)), EINVAL);   // LBA Out of Range
  EXPECT_EQ(errno_for(decode_status(0x0183)), EINVAL);   // Command Size Limit Exceeded
  EXPECT_EQ(errno_for(decode_status(0x0081)), ENOSPC);   // Capacity Exceeded
  EXPECT_EQ(errno_for(decode_status(0x0082)), EAGAIN);   // Namespace Not Ready
  EXPECT_EQ(errno_for(decode_status(0x0083)), EBADE);    // Reservation Conflict
  EXPECT_EQ(errno_for(decode_status(0x0182)), EROFS);    // Attempted Write to Read Only Range
  EXPECT_EQ(errno_for(decode_status(0x0286)), EROFS);    // Access Denied
  EXPECT_EQ(errno_for(decode_status(0x0280)), EIO);      // Write Fault
  EXPECT_EQ(errno_for(decode_status(0x0006)), EIO);      // Internal Error
  EXPECT_EQ(errno_for(decode_status(0x0302)), ENOLINK);  // ANA Inaccessible
}

}  // namespace
}  // namespace offload::nvme
