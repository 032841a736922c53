// A host copy across filesystems: reads at the source profile's rate, writes
// at the destination's (cli/advise_cross_fs.hpp).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/advise_cross_fs.hpp"

namespace offload::cli {
namespace {

FsConstants constants(double memcpy_Bps, double write_share) {
  FsConstants fs;
  fs.memcpy_Bps = memcpy_Bps;
  fs.write_share = write_share;
  fs.core_speed = 0.7;
  return fs;
}

TEST(AdviseCrossFs, ReadSideFromTheSourceWriteSideFromTheDestination) {
  // read: (1 - 0.5) / 2 GB/s = 0.25 ns per byte; write: 0.8 / 1 GB/s = 0.8 ns per byte.
  FsConstants combined = combine_read_write(constants(2e9, 0.5), constants(1e9, 0.8));
  EXPECT_NEAR(combined.memcpy_Bps, 1 / 1.05e-9, 1);
  EXPECT_NEAR(combined.write_share, 0.8 / 1.05, 1e-12);
  EXPECT_EQ(combined.core_speed, 0.7);  // the rest is the destination's
  // The same constants on both sides change nothing.
  FsConstants same = combine_read_write(constants(3e9, 0.6), constants(3e9, 0.6));
  EXPECT_NEAR(same.memcpy_Bps, 3e9, 1);
  EXPECT_NEAR(same.write_share, 0.6, 1e-12);
  // No measured rate on one side: the destination's constants as they are.
  EXPECT_EQ(combine_read_write(constants(0, 0.5), constants(1e9, 0.8)).memcpy_Bps, 1e9);
}

TEST(AdviseCrossFs, SourceProfileIsTheSourceFilesystemsFileNextToTheDestinations) {
  std::string pattern = (std::filesystem::temp_directory_path() / "offload-cross-fs-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  std::filesystem::path directory = pattern;
  std::filesystem::copy_file(std::filesystem::path(OFFLOAD_SOURCE_DIR) / "tests/nfs/advise-guest-profile.json",
                             directory / "xfs.json");  // a profile measured on xfs
  CalibrationProfile destination;
  destination.path = (directory / "ext4.json").string();
  destination.fs = "ext4";
  PathProbe probe;
  probe.source_fs = "xfs";
  probe.destination_fs = "ext4";
  std::string why_not;
  auto source = source_profile(probe, destination, why_not);
  ASSERT_TRUE(source.has_value()) << why_not;
  EXPECT_EQ(source->fs, "xfs");
  EXPECT_EQ(source->path, (directory / "xfs.json").string());

  probe.source_fs = "btrfs";  // never calibrated here
  EXPECT_FALSE(source_profile(probe, destination, why_not).has_value());
  EXPECT_EQ(why_not, (directory / "btrfs.json").string() + " does not exist");

  probe.source_fs = "xfs";
  probe.same_fs = true;  // one filesystem: the destination's profile is the source's
  why_not.clear();
  EXPECT_FALSE(source_profile(probe, destination, why_not).has_value());
  EXPECT_TRUE(why_not.empty());
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace offload::cli
