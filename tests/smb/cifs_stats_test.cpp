// The cifs counter parser: a recorded /proc/fs/cifs/Stats (Linux 6.12 SMB
// client, two shares of one ksmbd) where the named share's block and each
// of its counters must be picked, and the difference of two readings.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "cli/cifs_stats.hpp"

namespace offload::testing {
using cli::parse_cifs_stats;
using cli::read_counter_sum;
namespace {

std::string stats(std::uint64_t xfs_ioctls, std::uint64_t xfs_bytes_read) {
  return R"(Resources in use
CIFS Session: 1
Share (unique mount targets): 3
Total vfs operations: 18 maximum at one time: 3

1) \\127.0.0.1\ext4
SMBs: 14 since 2026-12-05 09:37:00 UTC
Bytes read: 7  Bytes written: 8
Open files: 0 total (local), 0 open on server
TreeConnects: 1 total 0 failed
Reads: 99 total 0 failed
Writes: 98 total 0 failed
IOCTLs: 97 total 0 failed
OplockBreaks: 0 sent 0 failed
2) \\127.0.0.1\xfs
SMBs: 15 since 2026-12-05 09:36:58 UTC
Bytes read: )" + std::to_string(xfs_bytes_read) +
         R"(  Bytes written: 3145728
Open files: 0 total (local), 0 open on server
Creates: 6 total 0 failed
Reads: 3 total 0 failed
Writes: 1 total 0 failed
IOCTLs: )" + std::to_string(xfs_ioctls) +
         R"( total 1 failed
OplockBreaks: 2 sent 0 failed
)";
}

TEST(CifsStats, ReadsTheNamedShareOnly) {
  auto xfs = parse_cifs_stats(stats(6, 3145728), "xfs");
  ASSERT_TRUE(xfs);
  EXPECT_EQ(xfs->of("IOCTLs"), 6U);
  EXPECT_EQ(xfs->of("Reads"), 3U);
  EXPECT_EQ(xfs->of("Writes"), 1U);
  EXPECT_EQ(xfs->of("Creates"), 6U);
  EXPECT_EQ(xfs->of("OplockBreaks"), 2U);
  EXPECT_EQ(xfs->failed_of("IOCTLs"), 1U);  // "IOCTLs: 6 total 1 failed"
  EXPECT_EQ(xfs->failed_of("Reads"), 0U);
  EXPECT_EQ(xfs->bytes_read, 3145728U);
  EXPECT_EQ(xfs->bytes_written, 3145728U);
  auto ext4 = parse_cifs_stats(stats(6, 0), "EXT4");  // share names are case-insensitive
  ASSERT_TRUE(ext4);
  EXPECT_EQ(ext4->of("IOCTLs"), 97U);
  EXPECT_EQ(ext4->bytes_read, 7U);
  EXPECT_EQ(ext4->of("Creates"), 0U);
}

TEST(CifsStats, AbsentShareIsNullopt) {
  EXPECT_FALSE(parse_cifs_stats(stats(1, 1), "btrfs"));
  EXPECT_FALSE(parse_cifs_stats("", "xfs"));
}

TEST(CifsStats, SinceSubtractsEveryCounter) {
  auto before = parse_cifs_stats(stats(6, 100), "xfs");
  auto after = parse_cifs_stats(stats(12, 4194404), "xfs");
  ASSERT_TRUE(before && after);
  auto delta = after->since(*before);
  EXPECT_EQ(delta.of("IOCTLs"), 6U);
  EXPECT_EQ(delta.failed_of("IOCTLs"), 0U);
  EXPECT_EQ(delta.of("Reads"), 0U);
  EXPECT_EQ(delta.bytes_read, 4194304U);
  EXPECT_EQ(delta.bytes_written, 0U);
}

TEST(CifsStats, CounterSumAddsTheFiles) {
  std::string a = ::testing::TempDir() + "cifs_stats_a", b = ::testing::TempDir() + "cifs_stats_b";
  std::ofstream(a) << "1000\n";
  std::ofstream(b) << "234\n";
  EXPECT_EQ(read_counter_sum(a + " " + b), 1234U);
  EXPECT_FALSE(read_counter_sum(a + " " + b + "-missing"));
  EXPECT_FALSE(read_counter_sum(""));
  std::remove(a.c_str());
  std::remove(b.c_str());
}

}  // namespace
}  // namespace offload::testing
