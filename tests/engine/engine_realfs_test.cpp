// The engine on real XFS (reflink), btrfs and ext4 loop mounts: every
// method on every filesystem with every byte verified, sparse files, ranges
// and the atomic publish.
#include <gtest/gtest.h>

#include <cerrno>
#include <tuple>

#include "tests/engine/loop_fs.hpp"
#include "tests/engine/real_copy_util.hpp"

namespace offload {
// The method by name in gtest's test list and failure messages (found by ADL).
void PrintTo(MethodChoice choice, std::ostream* os) { *os << method_choice_name(choice); }
}  // namespace offload

namespace offload::testing {
namespace {

using FsMethod = std::tuple<std::string, MethodChoice>;

class EveryMethod : public ::testing::TestWithParam<FsMethod> {};

TEST_P(EveryMethod, CopiesEveryByte) {
  REQUIRE_LOOP_FS();
  auto [fs, method] = GetParam();
  std::string dir = LoopFs::dir(fs);
  std::string source = dir + "/every-src-" + std::string(method_choice_name(method));
  std::string destination = dir + "/every-dst-" + std::string(method_choice_name(method));
  std::uint64_t size = 8 * kMiB + 4097;  // an unaligned tail
  ASSERT_TRUE(cli::write_pattern_file(source, size, 7));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .method = method});
  bool reflinks = fs != "ext4";
  if (method == MethodChoice::clone && !reflinks) {  // refused at submit
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().errno_value, EOPNOTSUPP);
    EXPECT_FALSE(exists(destination)) << "a refused copy left its destination";
    return;
  }
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->destination_fs, fs);
  ASSERT_EQ(status->state, CopyState::done) << status->error->describe();
  EXPECT_TRUE(cli::files_equal(source, destination, size));
  EXPECT_EQ(std::filesystem::file_size(destination), size);
  EXPECT_EQ(status->bytes_done, size);
  switch (method) {
    case MethodChoice::host: EXPECT_EQ(status->methods_used_text(), "host"); break;
    case MethodChoice::kernel_copy: EXPECT_EQ(status->methods_used_text(), "kernel-copy"); break;
    case MethodChoice::clone:
      EXPECT_EQ(status->methods_used_text(), "clone");
      EXPECT_TRUE(first_extent_shared(destination)) << "clone did not share extents";
      break;
    case MethodChoice::automatic:
      if (reflinks) {
        EXPECT_EQ(status->methods_used_text(), "clone");
        EXPECT_TRUE(status->fallbacks.empty());
      } else {
        EXPECT_EQ(status->methods_used_text(), "kernel-copy");
        ASSERT_EQ(status->fallbacks.size(), 1U);
        EXPECT_EQ(status->fallbacks[0].errno_value, EOPNOTSUPP);
      }
      break;
    default: FAIL() << "not a file method";
  }
}

INSTANTIATE_TEST_SUITE_P(RealFs, EveryMethod,
                         ::testing::Combine(::testing::Values("xfs", "btrfs", "ext4"),
                                            ::testing::Values(MethodChoice::host, MethodChoice::kernel_copy,
                                                              MethodChoice::clone, MethodChoice::automatic)),
                         [](const auto& info) {
                           std::string name = std::get<0>(info.param) + "_" +
                                              std::string(method_choice_name(std::get<1>(info.param)));
                           std::erase(name, '-');
                           return name;
                         });

class OnEachFs : public ::testing::TestWithParam<std::string> {};

TEST_P(OnEachFs, SparseSourceKeepsItsHoles) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir(GetParam());
  std::string source = dir + "/sparse-src";
  write_sparse_file(source, 64 * kMiB, {{0, kMiB}, {40 * kMiB, kMiB}});
  for (MethodChoice method : {MethodChoice::host, MethodChoice::automatic}) {
    std::string destination = dir + "/sparse-dst-" + std::string(method_choice_name(method));
    RealRig rig;
    auto status = rig.copy({.source = source, .destination = destination, .method = method});
    ASSERT_TRUE(status && status->state == CopyState::done);
    EXPECT_EQ(status->hole_bytes, 62 * kMiB);
    EXPECT_EQ(status->bytes_done, 2 * kMiB);
    EXPECT_EQ(std::filesystem::file_size(destination), 64 * kMiB);
    EXPECT_LE(allocated_bytes(destination), 4 * kMiB) << "holes were filled";
    EXPECT_TRUE(read_all(source) == read_all(destination)) << "the bytes differ";
  }
}

TEST_P(OnEachFs, RangeLandsAtItsOffset) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir(GetParam());
  std::string source = dir + "/range-src";
  std::string destination = dir + "/range-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 4 * kMiB, 3));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .source_offset = kMiB,
                          .destination_offset = 8192, .length = 2 * kMiB + 5});
  ASSERT_TRUE(status && status->state == CopyState::done);
  std::string src = read_all(source);
  std::string dst = read_all(destination);
  ASSERT_EQ(dst.size(), 8192 + 2 * kMiB + 5);
  EXPECT_EQ(dst.substr(0, 8192), std::string(8192, '\0'));
  EXPECT_EQ(dst.substr(8192), src.substr(kMiB, 2 * kMiB + 5));
}

TEST_P(OnEachFs, AtomicCopyAppearsOnlyWhenDone) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir(GetParam());
  std::string source = dir + "/atomic-src";
  std::string destination = dir + "/atomic-dst";
  const std::uint64_t size = 16 * kMiB;
  ASSERT_TRUE(cli::write_pattern_file(source, size, 5));
  EngineConfig config;
  config.queue_depth = 1;
  config.host_chunk_bytes = kMiB;
  // Held after three operations (the map, a read, a write): in the middle.
  RealRig rig(config, HoldPoint{.ops_before = 3});
  auto cookie = rig.engine.submit({.source = source, .destination = destination, .method = MethodChoice::host,
                                   .atomic = true});
  ASSERT_TRUE(cookie);
  ASSERT_TRUE(rig.reached_hold(*cookie));
  CopyStatus middle = *rig.engine.poll(*cookie);
  EXPECT_GT(middle.bytes_done, 0U);
  EXPECT_LT(middle.bytes_done, size);
  EXPECT_FALSE(exists(destination)) << "the final name appeared in the middle of the copy";
  // Held again just before the publish: every byte copied, still no name.
  rig.gate.release(HoldPoint{.ops_before = 0, .kind = OpKind::finish});
  ASSERT_TRUE(rig.reached_hold(*cookie));
  EXPECT_EQ(rig.gate.held_kind(), OpKind::finish);
  CopyStatus copied = *rig.engine.poll(*cookie);
  EXPECT_EQ(copied.bytes_done, size);
  EXPECT_FALSE(is_final(copied.state));
  EXPECT_FALSE(exists(destination)) << "the final name appeared before the copy was published";
  rig.gate.release();
  CopyStatus status = *rig.engine.wait(*cookie);
  ASSERT_EQ(status.state, CopyState::done) << (status.error ? status.error->describe() : "");
  EXPECT_TRUE(cli::files_equal(source, destination, size));
  EXPECT_TRUE(hidden_entries(dir).empty());
}

TEST_P(OnEachFs, AtomicOverwriteReplacesTheOldFile) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir(GetParam());
  std::string source = dir + "/replace-src";
  std::string destination = dir + "/replace-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 3 * kMiB, 8));
  ASSERT_TRUE(cli::write_pattern_file(destination, 5 * kMiB, 9));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .overwrite = true, .atomic = true});
  ASSERT_TRUE(status && status->state == CopyState::done);
  EXPECT_TRUE(read_all(source) == read_all(destination)) << "the bytes differ";
  EXPECT_TRUE(hidden_entries(dir).empty());
}

TEST_P(OnEachFs, OverwritingARangeZeroesTheSourcesHoles) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir(GetParam());
  std::string source = dir + "/holes-src";
  std::string destination = dir + "/holes-dst";
  write_sparse_file(source, 8 * kMiB, {{0, kMiB}, {7 * kMiB, kMiB}});
  write_sparse_file(destination, 8 * kMiB, {{0, 8 * kMiB}});
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .source_offset = 0,
                          .destination_offset = 0, .length = 8 * kMiB - 1, .overwrite = true});
  ASSERT_TRUE(status && status->state == CopyState::done);
  std::string src = read_all(source);
  std::string dst = read_all(destination);
  ASSERT_EQ(dst.size(), 8 * kMiB);
  EXPECT_EQ(dst.substr(0, 8 * kMiB - 1), src.substr(0, 8 * kMiB - 1));
}

INSTANTIATE_TEST_SUITE_P(RealFs, OnEachFs, ::testing::Values("xfs", "btrfs", "ext4"));

}  // namespace
}  // namespace offload::testing
