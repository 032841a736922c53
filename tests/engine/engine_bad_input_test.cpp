// Bad input and failures on real files: each gives a clear error naming the
// file and the cause, and nothing is lost (source intact, no partial
// destination under the final name).
#include <gtest/gtest.h>

#include <cerrno>

#include "tests/engine/loop_fs.hpp"
#include "tests/engine/real_copy_util.hpp"

namespace offload::testing {
namespace {

TEST(BadInput, MissingSource) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  RealRig rig;
  auto status = rig.copy({.source = dir + "/no-such-file", .destination = dir + "/missing-dst"});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().errno_value, ENOENT);
  EXPECT_EQ(status.error().path, dir + "/no-such-file");
  EXPECT_FALSE(exists(dir + "/missing-dst"));
}

TEST(BadInput, DestinationExists) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("xfs");
  ASSERT_TRUE(cli::write_pattern_file(dir + "/exists-src", kMiB, 1));
  ASSERT_TRUE(cli::write_pattern_file(dir + "/exists-dst", 1000, 2));
  std::string before = read_all(dir + "/exists-dst");
  for (bool atomic : {false, true}) {
    RealRig rig;
    auto status = rig.copy({.source = dir + "/exists-src", .destination = dir + "/exists-dst", .atomic = atomic});
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().errno_value, EEXIST);
    EXPECT_EQ(status.error().path, dir + "/exists-dst");
    EXPECT_NE(status.error().message.find("exists"), std::string::npos);
    EXPECT_EQ(read_all(dir + "/exists-dst"), before);
  }
}

TEST(BadInput, DestinationDirectoryMissing) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  ASSERT_TRUE(cli::write_pattern_file(dir + "/nodir-src", kMiB, 1));
  RealRig rig;
  auto status = rig.copy({.source = dir + "/nodir-src", .destination = dir + "/absent/dst"});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().errno_value, ENOENT);
  EXPECT_NE(status.error().message.find("directory"), std::string::npos) << status.error().message;
}

TEST(BadInput, SourceOrDestinationIsADirectory) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  ASSERT_TRUE(cli::write_pattern_file(dir + "/dirs-src", kMiB, 1));
  RealRig rig;
  auto from_dir = rig.copy({.source = dir, .destination = dir + "/dirs-dst"});
  ASSERT_FALSE(from_dir);
  EXPECT_EQ(from_dir.error().errno_value, EISDIR);
  auto onto_dir = rig.copy({.source = dir + "/dirs-src", .destination = LoopFs::dir("xfs"), .overwrite = true});
  ASSERT_FALSE(onto_dir);
  EXPECT_EQ(onto_dir.error().errno_value, EISDIR);
}

TEST(BadInput, SameFileOverlappingRangesAreRejected) {
  REQUIRE_LOOP_FS();
  std::string file = LoopFs::dir("xfs") + "/same-file";
  ASSERT_TRUE(cli::write_pattern_file(file, 4 * kMiB, 4));
  std::string before = read_all(file);
  RealRig rig;
  auto overlap = rig.copy({.source = file, .destination = file, .source_offset = 0, .destination_offset = 4096,
                           .length = 65536, .overwrite = true});
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().errno_value, EINVAL);
  EXPECT_NE(overlap.error().message.find("overlap"), std::string::npos);
  auto whole = rig.copy({.source = file, .destination = file, .overwrite = true});
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().errno_value, EINVAL);
  EXPECT_EQ(read_all(file), before);
  // Disjoint ranges of one file are a legal copy.
  auto disjoint = rig.copy({.source = file, .destination = file, .source_offset = 0,
                            .destination_offset = 2 * kMiB, .length = kMiB, .overwrite = true});
  ASSERT_TRUE(disjoint && disjoint->state == CopyState::done);
  std::string after = read_all(file);
  EXPECT_EQ(after.substr(2 * kMiB, kMiB), before.substr(0, kMiB));
  EXPECT_EQ(after.substr(0, 2 * kMiB), before.substr(0, 2 * kMiB));
}

TEST(BadInput, RangePastTheEndOfTheSource) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  ASSERT_TRUE(cli::write_pattern_file(dir + "/short-src", kMiB, 1));
  RealRig rig;
  auto status = rig.copy({.source = dir + "/short-src", .destination = dir + "/short-dst", .source_offset = 4096,
                          .length = kMiB});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().errno_value, EINVAL);
  EXPECT_FALSE(exists(dir + "/short-dst"));
}

TEST(BadInput, NoSpaceLeavesNothingAndKeepsTheSource) {
  REQUIRE_LOOP_FS();
  std::string source = LoopFs::dir("ext4") + "/enospc-src";
  ASSERT_TRUE(cli::write_pattern_file(source, 40 * kMiB, 6));
  std::string before = read_all(source);
  for (bool atomic : {true, false}) {
    std::string destination = LoopFs::dir("small") + "/enospc-dst";
    RealRig rig;
    auto status = rig.copy({.source = source, .destination = destination, .atomic = atomic});
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, CopyState::failed);
    EXPECT_EQ(status->error->errno_value, ENOSPC);
    EXPECT_EQ(status->error->path, destination);
    EXPECT_FALSE(exists(destination)) << "atomic=" << atomic;
    EXPECT_TRUE(hidden_entries(LoopFs::dir("small")).empty());
  }
  EXPECT_EQ(read_all(source), before);
}

TEST(BadInput, SourceTruncatedWhileCopying) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  std::string source = dir + "/truncated-src";
  std::string destination = dir + "/truncated-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 16 * kMiB, 10));
  EngineConfig config;
  config.queue_depth = 1;
  config.host_chunk_bytes = kMiB;
  // Held before its first operation: opened (source size taken), nothing read.
  RealRig rig(config, HoldPoint{.ops_before = 0});
  auto cookie = rig.engine.submit({.source = source, .destination = destination, .method = MethodChoice::host});
  ASSERT_TRUE(cookie);
  ASSERT_TRUE(rig.reached_hold(*cookie));
  ASSERT_EQ(truncate(source.c_str(), static_cast<off_t>(kMiB)), 0);
  rig.gate.release();
  CopyStatus status = *rig.engine.wait(*cookie);
  EXPECT_EQ(status.state, CopyState::failed);
  ASSERT_TRUE(status.error);
  EXPECT_EQ(status.error->errno_value, ENODATA);
  EXPECT_EQ(status.error->path, source);
  EXPECT_FALSE(exists(destination));
}

TEST(BadInput, CancelMidCopyLeavesNothing) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("btrfs");
  std::string source = dir + "/cancel-src";
  const std::uint64_t size = 16 * kMiB;
  ASSERT_TRUE(cli::write_pattern_file(source, size, 11));
  for (bool atomic : {false, true}) {
    std::string destination = dir + "/cancel-dst";
    EngineConfig config;
    config.queue_depth = 1;
    config.host_chunk_bytes = 256 * 1024;
    // Held after the map, a read and a write: some bytes done, most not.
    RealRig rig(config, HoldPoint{.ops_before = 3});
    auto cookie = rig.engine.submit({.source = source, .destination = destination, .method = MethodChoice::host,
                                     .atomic = atomic});
    ASSERT_TRUE(cookie);
    ASSERT_TRUE(rig.reached_hold(*cookie));
    EXPECT_GT(rig.engine.poll(*cookie)->bytes_done, 0U);
    ASSERT_TRUE(rig.engine.cancel(*cookie));
    rig.gate.release();
    CopyStatus status = *rig.engine.wait(*cookie);
    EXPECT_EQ(status.state, CopyState::cancelled);
    EXPECT_LT(status.bytes_done, size);
    EXPECT_FALSE(exists(destination)) << "atomic=" << atomic;
    EXPECT_TRUE(hidden_entries(dir).empty());
  }
}

TEST(BadInput, CrossFilesystemAutoFallsBackAndSaysSo) {
  REQUIRE_LOOP_FS();
  std::string source = LoopFs::dir("xfs") + "/xdev-src";
  std::string destination = LoopFs::dir("btrfs") + "/xdev-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 6 * kMiB + 1, 12));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination});
  ASSERT_TRUE(status && status->state == CopyState::done);
  EXPECT_TRUE(cli::files_equal(source, destination, 6 * kMiB + 1));
  ASSERT_FALSE(status->fallbacks.empty());
  EXPECT_EQ(status->fallbacks[0].from, Method::clone);
  EXPECT_EQ(status->fallbacks[0].errno_value, EXDEV);
  EXPECT_EQ(status->bytes_by_method[static_cast<int>(Method::clone)], 0U);
}

TEST(BadInput, CrossFilesystemPinnedCloneIsAnError) {
  REQUIRE_LOOP_FS();
  std::string source = LoopFs::dir("xfs") + "/xdev-pinned-src";
  std::string destination = LoopFs::dir("btrfs") + "/xdev-pinned-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 13));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .method = MethodChoice::clone});
  ASSERT_FALSE(status) << "refused at submit, before the destination is created";
  EXPECT_EQ(status.error().errno_value, EXDEV);
  EXPECT_NE(status.error().message.find("clone"), std::string::npos);
  EXPECT_FALSE(exists(destination));
}

}  // namespace
}  // namespace offload::testing
