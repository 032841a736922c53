// The destination rules (README "Destination rules"): an atomic replace
// keeps the replaced file's owner, mode and extended attributes, refuses to
// split hard links, and follows the same permission rule as an in-place
// overwrite; a symbolic link as destination is followed in both modes and
// a dangling one is refused before any data moves.
#include <gtest/gtest.h>

#include <sys/xattr.h>

#include <cstdlib>
#include <fstream>

#include "tests/engine/loop_fs.hpp"
#include "tests/engine/real_copy_util.hpp"

namespace offload::testing {
namespace {

std::string xattr_of(const std::string& path, const char* name) {
  char value[256];
  ssize_t size = lgetxattr(path.c_str(), name, value, sizeof value);
  return size < 0 ? "" : std::string(value, static_cast<std::size_t>(size));
}

TEST(AtomicReplace, KeepsOwnerModeAndExtendedAttributes) {
  REQUIRE_LOOP_FS();
  for (const char* fs : {"xfs", "btrfs", "ext4"}) {
    std::string dir = LoopFs::dir(fs);
    std::string source = dir + "/identity-src";
    std::string destination = dir + "/identity-dst";
    ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 60));
    std::ofstream(destination) << "old";
    ASSERT_EQ(chown(destination.c_str(), 1234, 5678), 0);
    ASSERT_EQ(chmod(destination.c_str(), 0600), 0);
    ASSERT_EQ(setxattr(destination.c_str(), "user.offload-test", "kept", 4, 0), 0) << fs;
    RealRig rig;
    auto status = rig.copy({.source = source, .destination = destination, .overwrite = true, .atomic = true});
    ASSERT_TRUE(status) << status.error().describe();
    ASSERT_EQ(status->state, CopyState::done) << status->error->describe();
    struct stat st {};
    ASSERT_EQ(stat(destination.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1234U) << fs;
    EXPECT_EQ(st.st_gid, 5678U) << fs;
    EXPECT_EQ(st.st_mode & 07777, 0600U) << fs;
    EXPECT_EQ(xattr_of(destination, "user.offload-test"), "kept") << fs;
    EXPECT_EQ(read_all(destination), read_all(source)) << fs;
    unlink(destination.c_str());
    unlink(source.c_str());
  }
}

TEST(AtomicReplace, RefusesToSplitHardLinksWhereInPlaceWritesThroughThem) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("xfs");
  std::string source = dir + "/links-src";
  std::string destination = dir + "/links-dst";
  std::string other = dir + "/links-other";
  ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 61));
  std::ofstream(destination) << "old";
  ASSERT_EQ(link(destination.c_str(), other.c_str()), 0);
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .overwrite = true, .atomic = true});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().errno_value, EMLINK) << status.error().describe();
  EXPECT_EQ(read_all(destination), "old");
  status = rig.copy({.source = source, .destination = destination, .overwrite = true});
  ASSERT_TRUE(status && status->state == CopyState::done);
  EXPECT_EQ(read_all(other), read_all(source)) << "the in-place copy did not write through the other link";
  for (const auto& path : {destination, other, source}) unlink(path.c_str());
}

// Run as nobody: a read-only destination is refused by both modes (GNU cp
// refuses it too: "Permission denied").
TEST(AtomicReplace, ReadOnlyDestinationIsRefusedLikeInPlace) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4") + "/nobody";
  std::filesystem::create_directories(dir);
  ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
  std::string source = dir + "/src";
  std::string destination = dir + "/read-only";
  ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 62));
  std::ofstream(destination) << "old";
  ASSERT_EQ(chown(destination.c_str(), 65534, 65534), 0);
  ASSERT_EQ(chmod(destination.c_str(), 0444), 0);
  for (std::string mode : {"", " --atomic"}) {
    std::string command = "setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(OFFLOAD_BINARY) +
                          " cp " + source + " " + destination + " --overwrite" + mode + " 2>" + dir + "/err";
    int status = std::system(command.c_str());
    std::string message = read_all(dir + "/err");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << mode << ": " << message;
    EXPECT_NE(message.find("(EACCES)"), std::string::npos) << mode << ": " << message;
    EXPECT_EQ(read_all(destination), "old") << mode;
  }
  std::filesystem::remove_all(dir);
}

TEST(SymlinkDestination, IsFollowedInBothModesAndTheLinkStays) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("btrfs");
  std::string source = dir + "/link-src";
  std::string target = dir + "/link-target";
  std::string destination = dir + "/link-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 63));
  ASSERT_EQ(symlink("link-target", destination.c_str()), 0);
  for (bool atomic : {false, true}) {
    std::ofstream(target) << "old";
    RealRig rig;
    auto status = rig.copy({.source = source, .destination = destination, .overwrite = true, .atomic = atomic});
    ASSERT_TRUE(status) << status.error().describe();
    ASSERT_EQ(status->state, CopyState::done);
    struct stat st {};
    ASSERT_EQ(lstat(destination.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode)) << "atomic " << atomic << ": the link was replaced";
    EXPECT_EQ(read_all(target), read_all(source)) << "atomic " << atomic;
  }
  for (const auto& path : {destination, target, source}) unlink(path.c_str());
}

TEST(SymlinkDestination, DanglingIsRefusedBeforeAnyDataMoves) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("xfs");
  std::string source = dir + "/dangling-src";
  std::string destination = dir + "/dangling-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, kMiB, 64));
  ASSERT_EQ(symlink("nowhere", destination.c_str()), 0);
  for (bool atomic : {false, true}) {
    RealRig rig;
    auto status = rig.copy({.source = source, .destination = destination, .overwrite = true, .atomic = atomic});
    ASSERT_FALSE(status) << "atomic " << atomic << ": submitted, state " << state_name(status->state);
    EXPECT_EQ(status.error().errno_value, ENOENT);
    EXPECT_NE(status.error().message.find("dangling symbolic link"), std::string::npos) << status.error().describe();
    EXPECT_FALSE(exists(dir + "/nowhere"));
    EXPECT_TRUE(hidden_entries(dir).empty());
  }
  unlink(destination.c_str());
  unlink(source.c_str());
}

}  // namespace
}  // namespace offload::testing
