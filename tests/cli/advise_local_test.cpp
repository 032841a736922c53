// `offload advise` on local filesystems, the pure parts: clone and a
// remapping copy_file_range are one kernel operation (the recommendation
// says so and takes the one with fewer calls, whatever their predicted
// times), the page cache's dirty-page budget from recorded /proc files and
// the write-back charge on a prediction, and the --verify rule (within
// 10 % or inside the fastest's measured spread).
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "cli/advise_answer.hpp"
#include "cli/advise_ext4_delalloc.hpp"
#include "cli/advise_verify.hpp"
#include "cli/page_cache.hpp"
#include "tests/cli/advise_prediction.hpp"

namespace offload::cli {
namespace {

using advise_test::predicted;

TEST(AdviseLocal, CloneAndARemappingCopyFileRangeAreOneOperation) {
  PathProbe probe;
  probe.destination_fs = "btrfs";
  probe.copy_range = CopyRangeBehaviour::remaps;
  AdviceModel model;
  // kernel-copy predicted 3x faster, far beyond the 5 % + 5 % uncertainty: still one kernel operation.
  model.predictions = {predicted("clone", 3e-3, 0.05, 3), predicted("kernel-copy", 1e-3, 0.05, 18),
                       predicted("host", 2.0, 0.05, 600)};
  Recommendation r = recommend(probe, model);
  EXPECT_EQ(r.method, "clone");
  EXPECT_EQ(r.reason, "clone: metadata-only on btrfs, 3 ms vs 2 s host (kernel-copy is the same kernel operation "
                      "here: copy_file_range remaps like the clone ioctl; clone takes fewer calls: 3 vs 18)");
  probe.copy_range = CopyRangeBehaviour::copies;  // a data copy in the kernel is another operation: the times rank
  EXPECT_EQ(recommend(probe, model).method, "kernel-copy");
  // A host copy predicted between the two (a calibration under load): the reason still names the same operation.
  probe.copy_range = CopyRangeBehaviour::remaps;
  model.predictions = {predicted("clone", 3.87e-3, 0.93, 3), predicted("kernel-copy", 0.25e-3, 12, 3),
                       predicted("host", 1.97e-3, 0.34, 600)};
  r = recommend(probe, model);
  EXPECT_EQ(r.method, "kernel-copy");
  EXPECT_NE(r.reason.find("(clone is the same kernel operation here"), std::string::npos) << r.reason;
}

TEST(AdviseLocal, DirtyBudgetFollowsTheKernelsRatiosAndBytes) {
  DirtySettings s;
  s.available_bytes = 20e9;
  s.dirty_now_bytes = 1e9;
  DirtyBudget b = dirty_budget(s);  // 20 % and 10 % of 20 GB: free-run up to 3 GB, 1 GB dirty already
  EXPECT_DOUBLE_EQ(b.threshold_bytes, 4e9);
  EXPECT_DOUBLE_EQ(b.background_bytes, 2e9);
  EXPECT_DOUBLE_EQ(b.freerun_bytes, 3e9);
  EXPECT_DOUBLE_EQ(b.budget_bytes, 2e9);
  s.dirty_bytes = 1e9;  // vm.dirty_bytes wins over the ratio; a background above it is halved
  s.background_bytes = 2e9;
  b = dirty_budget(s);
  EXPECT_DOUBLE_EQ(b.background_bytes, 0.5e9);
  EXPECT_DOUBLE_EQ(b.freerun_bytes, 0.75e9);
  EXPECT_DOUBLE_EQ(b.budget_bytes, 0);
  EXPECT_NE(b.how.find("vm.dirty_bytes"), std::string::npos) << b.how;
}

TEST(AdviseLocal, BytesBeyondTheBudgetGoAtTheWritebackRate) {
  // 4 GB predicted at 2 GB/s (2 s); 3 GB fit the budget, the last 1 GB goes at 100 MB/s: 1.5 s + 10 s.
  EXPECT_DOUBLE_EQ(throttled_seconds(2.0, 4e9, 3e9, 100e6), 11.5);
  EXPECT_DOUBLE_EQ(throttled_seconds(2.0, 4e9, 5e9, 100e6), 2.0);   // inside the budget
  EXPECT_DOUBLE_EQ(throttled_seconds(2.0, 4e9, 0, 4e9), 2.0);       // write-back faster than the copy
  EXPECT_DOUBLE_EQ(throttled_seconds(2.0, 4e9, 0, 0), 2.0);         // not measured
}

TEST(AdviseLocal, Ext4WaitsForWriteBackEachTimeHalfItsFreeSpaceIsDirty) {
  // {on-disk free, dirty before the copy}: ext4_nonda_switch() writes back when free < 2 x dirty.
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1e9, {2.5e9, 0, ""}, 500e6), 0);      // never half the free space
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1e9, {1.9e9, 0, ""}, 500e6), 1.9);    // once: 0.95 GB at 500 MB/s
  // Data dirty before the copy counts, and is written back with the copy's: 1.25 GB.
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1e9, {2.5e9, 0.5e9, ""}, 500e6), 2.5);
  // After a crossing the written bytes are allocated: the next comes at half of the 0.95 GB left free.
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1.5e9, {1.9e9, 0, ""}, 500e6), 1.9 + 0.95);
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1e9, {1.9e9, 0, ""}, 0), 0);         // no write-back rate measured
  EXPECT_DOUBLE_EQ(ext4_delalloc_wait_seconds(1e9, {}, 500e6), 0);                 // no state read
}

TEST(AdviseLocal, ReadsExt4FreeAndDelayedAllocationBytes) {
  auto root = std::filesystem::temp_directory_path() / ("advise-local-sys-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  struct stat st {};
  ASSERT_EQ(stat(root.parent_path().c_str(), &st), 0);
  std::filesystem::create_directories(root / "dev/block");
  std::filesystem::create_directories(root / "fs/ext4/fakeblk0");
  std::filesystem::create_symlink("../../devices/virtual/block/fakeblk0",
                                  root / "dev/block" / (std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev))));
  EXPECT_THROW(read_ext4_space(root.parent_path(), root.string()), std::runtime_error);  // no counter yet
  std::ofstream(root / "fs/ext4/fakeblk0/delayed_allocation_blocks") << "256\n";
  struct statvfs fs {};
  ASSERT_EQ(statvfs(root.parent_path().c_str(), &fs), 0);
  Ext4SpaceState state = read_ext4_space(root.parent_path(), root.string());
  EXPECT_DOUBLE_EQ(state.dirty_bytes, 256.0 * static_cast<double>(fs.f_bsize));
  // statfs's free space excludes the dirty clusters; ext4_nonda_switch's free counter includes them.
  double statfs_free = static_cast<double>(fs.f_bfree) * static_cast<double>(fs.f_frsize);
  EXPECT_NEAR(state.free_bytes - state.dirty_bytes, statfs_free, 0.01 * statfs_free);  // other writers to /tmp
  EXPECT_NE(state.how.find("delayed_allocation_blocks"), std::string::npos);
  std::filesystem::remove_all(root);
}

TEST(AdviseLocal, ReadsTheDirtySettingsFromProcFiles) {
  auto root = std::filesystem::temp_directory_path() / ("advise-local-proc-" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "sys/vm");
  auto put = [&](const std::string& name, const std::string& text) { std::ofstream(root / name) << text; };
  put("sys/vm/dirty_ratio", "20\n");
  put("sys/vm/dirty_bytes", "0\n");
  put("sys/vm/dirty_background_ratio", "10\n");
  put("sys/vm/dirty_background_bytes", "0\n");
  put("meminfo", "MemTotal:       24000000 kB\nMemAvailable:   20000000 kB\nDirty:             37660 kB\n"
                 "Writeback:           100 kB\n");
  DirtySettings s = read_dirty_settings(root.string());
  EXPECT_DOUBLE_EQ(s.available_bytes, 20000000.0 * 1024);
  EXPECT_DOUBLE_EQ(s.dirty_now_bytes, 37760.0 * 1024);
  EXPECT_DOUBLE_EQ(s.dirty_ratio, 20);
  std::filesystem::remove(root / "meminfo");
  EXPECT_THROW(read_dirty_settings(root.string()), std::runtime_error);
  std::filesystem::remove_all(root);
}

TEST(AdviseLocal, VerifiedRightWithinTenPercentOrInsideTheFastestsSpread) {
  MeasuredMethod fastest{"kernel-copy", "ok", 1.0e-3, 0, {}, 0.6e-3, 2.5e-3};
  MeasuredMethod chosen{"clone", "ok", 1.09e-3, 0, {}, 0.5e-3, 3e-3};
  EXPECT_TRUE(measured_right(chosen, fastest));  // +9 %
  chosen.seconds = 2.4e-3;                       // +140 %, but inside 0.6-2.5 ms
  EXPECT_TRUE(measured_right(chosen, fastest));
  chosen.seconds = 2.6e-3;
  EXPECT_FALSE(measured_right(chosen, fastest));
}

TEST(AdviseLocal, RetimesMethodsMoreThanTenPercentSlowerWhoseSpreadOverlapsTheFastests) {
  // run 14's ext4 256 MiB pair, and a third method far away.
  MeasuredMethod host{"host", "ok", 72.8e-3, 0, {69.3e-3, 72.8e-3, 75.8e-3}, 69.3e-3, 75.8e-3};
  MeasuredMethod kernel{"kernel-copy", "ok", 85.0e-3, 0, {82.1e-3, 85.0e-3, 97.8e-3}, 82.1e-3, 97.8e-3};
  MeasuredMethod failed{"clone", "EOPNOTSUPP", 0, 0, {}, 0, 0};
  EXPECT_TRUE(retime_overlapping({failed, kernel, host}).empty());  // 82.1 ms > 75.8 ms: the copies differ
  kernel.min_s = 74e-3;                                              // now the spreads overlap, medians +17 %
  EXPECT_EQ(retime_overlapping({failed, kernel, host}), (std::vector<std::size_t>{2, 1}));  // the fastest first
  kernel.seconds = 79e-3;                                            // within 10 %: right either way
  EXPECT_TRUE(retime_overlapping({failed, kernel, host}).empty());
  // Under 10 ms a median is of kShortCopySamples copies already.
  MeasuredMethod clone{"clone", "ok", 0.2e-3, 0, {0.2e-3}, 0.1e-3, 4e-3};
  MeasuredMethod remap{"kernel-copy", "ok", 0.3e-3, 0, {0.3e-3}, 0.15e-3, 4e-3};
  EXPECT_TRUE(retime_overlapping({clone, remap}).empty());
}

}  // namespace
}  // namespace offload::cli
