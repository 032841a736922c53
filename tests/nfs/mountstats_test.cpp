// The mountstats parser on a recorded /proc/self/mountstats (Linux 6.1
// NFSv4.2 client) with two mounts: it picks the right mount and every field.
#include <gtest/gtest.h>

#include "tests/nfs/mountstats.hpp"

namespace offload::testing {
namespace {

const char* const kTwoMounts = R"(device proc mounted on /proc with fstype proc
device 127.0.0.1:/srv/other mounted on /mnt/other with fstype nfs4 statvers=1.1
	opts:	rw,vers=4.2
	per-op statistics
	        NULL: 0 0 0 0 0 0 0 0 0
	        READ: 99 99 0 9 9 0 0 0 0
device 127.0.0.1:/srv/export mounted on /mnt/nfs with fstype nfs4 statvers=1.1
	opts:	rw,vers=4.2,rsize=131072,wsize=131072
	bytes:	0 0 0 0 2097152 2097152 512 512
	per-op statistics
	        NULL: 1 1 0 44 24 0 0 0 0
	        READ: 16 16 0 2880 2098816 177 772 1014 0
	       WRITE: 16 16 0 2100352 2944 742 3740 4487 0
	        COPY: 1 1 0 300 200 0 5 5 0
device sysfs mounted on /sys with fstype sysfs
)";

TEST(Mountstats, ReadsTheNamedMountOnly) {
  auto counters = parse_mountstats(kTwoMounts, "/mnt/nfs");
  ASSERT_TRUE(counters);
  EXPECT_EQ(counters->ops.size(), 4U);
  EXPECT_EQ(counters->op("READ").ops, 16U);
  EXPECT_EQ(counters->op("READ").bytes_sent, 2880U);
  EXPECT_EQ(counters->op("READ").bytes_recv, 2098816U);
  EXPECT_EQ(counters->op("WRITE").bytes_sent, 2100352U);
  EXPECT_EQ(counters->op("COPY").ops, 1U);
  EXPECT_EQ(counters->op("CLONE").ops, 0U);  // absent: zeros
  EXPECT_EQ(counters->wire_bytes(), 44U + 24 + 2880 + 2098816 + 2100352 + 2944 + 300 + 200);
  auto other = parse_mountstats(kTwoMounts, "/mnt/other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->op("READ").ops, 99U);
  EXPECT_FALSE(parse_mountstats(kTwoMounts, "/mnt")) << "a prefix of a mount point is not that mount";
  EXPECT_FALSE(parse_mountstats(kTwoMounts, "/proc")) << "not an NFS mount";
}

TEST(Mountstats, DifferenceIsPerOperation) {
  NfsMountCounters before{{{"READ", {2, 100, 1000}}, {"COPY", {0, 0, 0}}}};
  NfsMountCounters after{{{"READ", {5, 400, 9000}}, {"COPY", {1, 10, 20}}, {"CLONE", {1, 1, 1}}}};
  auto delta = after.since(before);
  EXPECT_EQ(delta.op("READ").ops, 3U);
  EXPECT_EQ(delta.op("READ").bytes_recv, 8000U);
  EXPECT_EQ(delta.op("COPY").wire_bytes(), 30U);
  EXPECT_EQ(delta.op("CLONE").ops, 1U);
}

}  // namespace
}  // namespace offload::testing
