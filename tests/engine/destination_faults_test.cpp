// What a failed, cancelled or killed copy leaves under its destination name:
// the previous file, nothing, or a prefix of the source no longer than the
// data written, and the command line says which. A pinned offload that
// cannot work is refused before the destination changes; SIGHUP and SIGPIPE
// cancel like SIGINT and SIGTERM. Kills and cancels land at named stop
// points (engine/targets/stop_point.hpp), never after a guessed delay.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/engine/loop_fs.hpp"
#include "tests/engine/offload_process.hpp"
#include "tests/engine/real_copy_util.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kChunk = 64 * 1024;  // --host-chunk of the command-line copies

/// True when `file` holds the first bytes of `source` (and no more of them).
bool is_prefix_of(const std::string& file, const std::string& source) {
  std::string head = read_all(file);
  std::string whole = read_all(source);
  return head.size() <= whole.size() && whole.compare(0, head.size(), head) == 0;
}

std::vector<std::string> host_copy_args(const std::string& source, const std::string& destination) {
  return {"cp", source, destination, "--method", "host", "--host-chunk", "64KiB", "--queue-depth", "2"};
}

struct Pinned {
  const char* method_name;
  MethodChoice method;
  const char* from_fs;
  const char* to_fs;
  int expected_errno;
};
// Readable in gtest's test list and failure messages (not the struct's bytes).
void PrintTo(const Pinned& p, std::ostream* os) { *os << p.method_name << " (" << p.from_fs << " -> " << p.to_fs << ")"; }

class PinnedOffload : public ::testing::TestWithParam<Pinned> {};

TEST_P(PinnedOffload, ThatCannotWorkIsRefusedBeforeTheDestinationChanges) {
  REQUIRE_LOOP_FS();
  const Pinned p = GetParam();
  std::string source = LoopFs::dir(p.from_fs) + "/pinned-src";
  std::string destination = LoopFs::dir(p.to_fs) + "/pinned-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 12 * kMiB, 41));
  ASSERT_TRUE(cli::write_pattern_file(destination, 10 * kMiB, 42));
  std::string before = read_all(destination);
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .method = p.method, .overwrite = true});
  ASSERT_FALSE(status) << "submitted; state " << state_name(status->state);
  EXPECT_EQ(status.error().errno_value, p.expected_errno) << status.error().describe();
  EXPECT_NE(status.error().message.find("the destination was not changed"), std::string::npos) << status.error().describe();
  EXPECT_EQ(read_all(destination), before);
  unlink(destination.c_str());
  // Into a new name: nothing is created.
  status = rig.copy({.source = source, .destination = destination, .method = p.method});
  ASSERT_FALSE(status);
  EXPECT_FALSE(exists(destination));
  unlink(source.c_str());
}

INSTANTIATE_TEST_SUITE_P(RealFs, PinnedOffload,
                         ::testing::Values(Pinned{"clone_across_filesystems", MethodChoice::clone, "xfs", "btrfs", EXDEV},
                                           Pinned{"clone_on_ext4", MethodChoice::clone, "ext4", "ext4", EOPNOTSUPP},
                                           Pinned{"kernel_copy_across_types", MethodChoice::kernel_copy, "xfs", "ext4", EXDEV}),
                         [](const auto& info) { return std::string(info.param.method_name); });

TEST(OutOfSpace, OverwriteLeavesAPrefixNoLongerThanTheDataWritten) {
  REQUIRE_LOOP_FS();
  std::string source = LoopFs::dir("ext4") + "/enospc-src";
  std::string destination = LoopFs::dir("small") + "/enospc-dst";  // a 32 MiB filesystem
  ASSERT_TRUE(cli::write_pattern_file(source, 64 * kMiB, 43));
  ASSERT_TRUE(cli::write_pattern_file(destination, 4 * kMiB, 44));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .overwrite = true});
  ASSERT_TRUE(status);
  ASSERT_EQ(status->state, CopyState::failed);
  EXPECT_EQ(status->error->errno_value, ENOSPC) << status->error->describe();
  EXPECT_EQ(status->destination_left, DestinationLeft::prefix);
  std::uint64_t size = std::filesystem::file_size(destination);
  EXPECT_EQ(size, status->destination_left_bytes);
  EXPECT_LE(size, status->bytes_done) << "the file is longer than the data written into it";
  EXPECT_GT(size, 0U);
  EXPECT_TRUE(is_prefix_of(destination, source));
  unlink(destination.c_str());
  // Into a new name: the partial file is removed.
  status = rig.copy({.source = source, .destination = destination});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->error->errno_value, ENOSPC);
  EXPECT_EQ(status->destination_left, DestinationLeft::absent);
  EXPECT_FALSE(exists(destination));
  unlink(source.c_str());
}

TEST(OutOfSpace, PinnedKernelCopySaysItRanOutOfSpaceNotThatItCannotCopy) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("small");  // 32 MiB: room for the source, not for two
  std::string source = dir + "/kc-enospc-src";
  std::string destination = dir + "/kc-enospc-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 16 * kMiB, 52));
  RealRig rig;
  auto status = rig.copy({.source = source, .destination = destination, .method = MethodChoice::kernel_copy});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::failed);
  std::string text = status->error->describe();
  EXPECT_EQ(status->error->errno_value, ENOSPC) << text;
  EXPECT_EQ(text.find("cannot copy this file pair"), std::string::npos) << text;
  EXPECT_NE(text.find("kernel-copy failed"), std::string::npos) << text;
  EXPECT_FALSE(exists(destination));
  unlink(source.c_str());
}

// SIGKILL at a named point of a command-line copy: what the destination holds.
enum class Mode { new_name, overwrite, atomic_new, atomic_overwrite };

struct Kill {
  Mode mode;
  const char* point;
  const char* fs;
};

std::string mode_name(Mode mode) {
  switch (mode) {
    case Mode::new_name: return "new_name";
    case Mode::overwrite: return "overwrite";
    case Mode::atomic_new: return "atomic_new";
    case Mode::atomic_overwrite: return "atomic_overwrite";
  }
  return "?";
}

// Readable in gtest's test list and failure messages (not the struct's bytes).
void PrintTo(const Kill& k, std::ostream* os) { *os << mode_name(k.mode) << ", killed at " << k.point << " on " << k.fs; }

class KillAt : public ::testing::TestWithParam<Kill> {};

TEST_P(KillAt, LeavesTheOldFileNothingOrAPrefixAndARerunSucceeds) {
  REQUIRE_LOOP_FS();
  const Kill k = GetParam();
  std::string dir = LoopFs::dir(k.fs);
  std::string source = dir + "/kill-at-src";
  std::string destination = dir + "/kill-at-dst";
  const std::uint64_t size = 8 * kMiB;
  ASSERT_TRUE(cli::write_pattern_file(source, size, 45));
  std::string old_content = "the previous version\n";
  bool had_old = k.mode == Mode::overwrite || k.mode == Mode::atomic_overwrite;
  if (had_old) std::ofstream(destination) << old_content;
  std::vector<std::string> args = host_copy_args(source, destination);
  if (had_old) args.push_back("--overwrite");
  if (k.mode == Mode::atomic_new || k.mode == Mode::atomic_overwrite) args.push_back("--atomic");

  Child child;
  ASSERT_TRUE(spawn_offload(child, args, {.stop_at = k.point, .stderr_path = dir + "/kill-at.stderr"}));
  ASSERT_GT(child.pid, 0);
  ASSERT_TRUE(child.wait_stopped()) << "never reached " << k.point << ": " << text_of(child.stderr_path);
  kill(child.pid, SIGKILL);
  int status = child.reap();
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  if (std::string(k.point) == "between-publish-steps") {
    EXPECT_FALSE(hidden_entries(dir).empty()) << "no staging file at the kill point";
  }
  switch (k.mode) {
    case Mode::new_name:
    case Mode::overwrite:
      ASSERT_TRUE(exists(destination));
      EXPECT_TRUE(is_prefix_of(destination, source)) << "not a prefix of the source";
      if (std::string(k.point) == "after-first-write") {
        EXPECT_LE(std::filesystem::file_size(destination), kChunk) << "longer than the one write that was done";
      }
      break;
    case Mode::atomic_new: EXPECT_FALSE(exists(destination)); break;
    case Mode::atomic_overwrite: EXPECT_EQ(read_all(destination), old_content); break;
  }

  if (k.mode != Mode::atomic_new && k.mode != Mode::atomic_overwrite) args.push_back("--overwrite");
  Child rerun;
  ASSERT_TRUE(spawn_offload(rerun, args, {.stderr_path = dir + "/kill-at-rerun.stderr"}));
  int rerun_status = rerun.reap();
  ASSERT_TRUE(WIFEXITED(rerun_status) && WEXITSTATUS(rerun_status) == 0) << text_of(rerun.stderr_path);
  EXPECT_EQ(read_all(destination), read_all(source));
  EXPECT_TRUE(hidden_entries(dir).empty()) << "a staging file survived the rerun";
  unlink(destination.c_str());
  unlink(source.c_str());
}

INSTANTIATE_TEST_SUITE_P(RealFs, KillAt,
                         ::testing::Values(Kill{Mode::new_name, "after-first-write", "ext4"},
                                           Kill{Mode::overwrite, "after-first-write", "xfs"},
                                           Kill{Mode::overwrite, "before-publish", "btrfs"},
                                           Kill{Mode::atomic_new, "after-first-write", "xfs"},
                                           Kill{Mode::atomic_overwrite, "before-publish", "ext4"},
                                           Kill{Mode::atomic_overwrite, "between-publish-steps", "xfs"},
                                           Kill{Mode::atomic_overwrite, "between-publish-steps", "btrfs"}),
                         [](const auto& info) {
                           std::string point = info.param.point;
                           std::replace(point.begin(), point.end(), '-', '_');
                           return mode_name(info.param.mode) + "_" + point + "_" + info.param.fs;
                         });

// The staging file of a live copy (stopped between its publish steps)
// survives another atomic copy to the same name; both publish in turn.
TEST(StagingCleanup, LeavesALiveCopysStagingFile) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  std::string source_a = dir + "/live-src-a";
  std::string source_b = dir + "/live-src-b";
  std::string destination = dir + "/live-dst";
  ASSERT_TRUE(cli::write_pattern_file(source_a, 2 * kMiB, 50));
  ASSERT_TRUE(cli::write_pattern_file(source_b, kMiB, 51));
  std::ofstream(destination) << "the previous version\n";
  Child a;
  ASSERT_TRUE(spawn_offload(a, {"cp", source_a, destination, "--atomic", "--overwrite"},
                            {.stop_at = "between-publish-steps", .stderr_path = dir + "/live-a.stderr"}));
  ASSERT_TRUE(a.wait_stopped()) << text_of(a.stderr_path);
  ASSERT_EQ(hidden_entries(dir).size(), 1U);
  Child b;
  ASSERT_TRUE(spawn_offload(b, {"cp", source_b, destination, "--atomic", "--overwrite"},
                            {.stderr_path = dir + "/live-b.stderr"}));
  int b_status = b.reap();
  ASSERT_TRUE(WIFEXITED(b_status) && WEXITSTATUS(b_status) == 0) << text_of(b.stderr_path);
  EXPECT_EQ(read_all(destination), read_all(source_b));
  EXPECT_EQ(hidden_entries(dir).size(), 1U) << "the live copy's staging file was removed";
  kill(a.pid, SIGCONT);
  int a_status = a.reap();
  EXPECT_TRUE(WIFEXITED(a_status) && WEXITSTATUS(a_status) == 0) << text_of(a.stderr_path);
  EXPECT_EQ(read_all(destination), read_all(source_a));
  EXPECT_TRUE(hidden_entries(dir).empty());
  for (const auto& path : {destination, source_a, source_b}) unlink(path.c_str());
}

// A signal while the copy is held after its first write: a clean cancel,
// the shell's exit code for the signal, and a message saying what is left.
struct Stop {
  int signal_number;
  bool overwrite;
};
// Readable in gtest's test list and failure messages (not the struct's bytes).
void PrintTo(const Stop& s, std::ostream* os) {
  *os << "SIG" << sigabbrev_np(s.signal_number) << (s.overwrite ? ", overwrite" : ", new name");
}

class SignalCancels : public ::testing::TestWithParam<Stop> {};

TEST_P(SignalCancels, CleanlyAndSaysWhatIsLeft) {
  REQUIRE_LOOP_FS();
  const Stop s = GetParam();
  std::string dir = LoopFs::dir("xfs");
  std::string source = dir + "/signal-src";
  std::string destination = dir + "/signal-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 8 * kMiB, 46));
  if (s.overwrite) std::ofstream(destination) << "the previous version\n";
  std::vector<std::string> args = host_copy_args(source, destination);
  if (s.overwrite) args.push_back("--overwrite");
  Child child;
  ASSERT_TRUE(spawn_offload(child, args, {.stop_at = "after-first-write,hold", .stderr_path = dir + "/signal.stderr"}));
  ASSERT_GT(child.pid, 0);
  ASSERT_TRUE(child.wait_stopped()) << text_of(child.stderr_path);
  kill(child.pid, s.signal_number);  // pending until the process runs again
  kill(child.pid, SIGCONT);
  int status = child.reap();
  std::string message = text_of(child.stderr_path);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status) << ": " << message;
  EXPECT_EQ(WEXITSTATUS(status), 128 + s.signal_number) << message;
  EXPECT_NE(message.find("copy cancelled"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  if (s.overwrite) {
    EXPECT_NE(message.find("holds the first " + std::to_string(kChunk) + " bytes"), std::string::npos) << message;
    EXPECT_EQ(std::filesystem::file_size(destination), kChunk);
    EXPECT_TRUE(is_prefix_of(destination, source));
  } else {
    EXPECT_NE(message.find("nothing was left under " + destination), std::string::npos) << message;
    EXPECT_FALSE(exists(destination));
  }
  unlink(destination.c_str());
  unlink(source.c_str());
}

INSTANTIATE_TEST_SUITE_P(Cli, SignalCancels,
                         ::testing::Values(Stop{SIGHUP, false}, Stop{SIGHUP, true}, Stop{SIGTERM, true},
                                           Stop{SIGINT, false}, Stop{SIGPIPE, false}),
                         [](const auto& info) {
                           return std::string(sigabbrev_np(info.param.signal_number)) +
                                  (info.param.overwrite ? "_overwrite" : "_new_name");
                         });

// Copy A into a new name stops after its first write; another copy B
// (offload cp --overwrite, or GNU cp) writes the same file to its end; then
// A is cancelled, at once or after two more writes of its own into B's
// file. A's cleanup must not remove the file B finished.
struct Intruder {
  bool gnu_cp;
  bool a_writes_again;
};
// Readable in gtest's test list and failure messages (not the struct's bytes).
void PrintTo(const Intruder& i, std::ostream* os) {
  *os << (i.gnu_cp ? "GNU cp" : "offload cp --overwrite") << (i.a_writes_again ? ", then A writes again" : "");
}

class CancelAfterAnotherCopy : public ::testing::TestWithParam<Intruder> {};

TEST_P(CancelAfterAnotherCopy, LeavesTheOtherCopysFile) {
  REQUIRE_LOOP_FS();
  const bool gnu_cp = GetParam().gnu_cp;
  const bool a_writes_again = GetParam().a_writes_again;
  std::string dir = LoopFs::dir("ext4");
  std::string source_a = dir + "/intruded-src-a";
  std::string source_b = dir + "/intruded-src-b";
  std::string destination = dir + "/intruded-dst";
  ASSERT_TRUE(cli::write_pattern_file(source_a, 8 * kMiB, 47));
  ASSERT_TRUE(cli::write_pattern_file(source_b, 3 * kMiB + 5, 48));
  Child a;
  ASSERT_TRUE(spawn_offload(a, host_copy_args(source_a, destination),
                            {.stop_at = a_writes_again ? "after-first-write;after-write-3,hold" : "after-first-write,hold",
                             .stderr_path = dir + "/intruded-a.stderr"}));
  ASSERT_GT(a.pid, 0);
  ASSERT_TRUE(a.wait_stopped()) << text_of(a.stderr_path);
  struct stat before {}, after {};
  ASSERT_EQ(stat(destination.c_str(), &before), 0);
  if (gnu_cp) {
    ASSERT_EQ(std::system(("cp " + source_b + " " + destination).c_str()), 0);
  } else {
    Child b;
    ASSERT_TRUE(spawn_offload(b, {"cp", source_b, destination, "--overwrite"},
                              {.stderr_path = dir + "/intruded-b.stderr"}));
    int b_status = b.reap();
    ASSERT_TRUE(WIFEXITED(b_status) && WEXITSTATUS(b_status) == 0) << text_of(b.stderr_path);
  }
  ASSERT_EQ(stat(destination.c_str(), &after), 0);
  ASSERT_EQ(after.st_ino, before.st_ino) << "B was meant to write into A's file";
  if (a_writes_again) {  // A goes on: its writes 2 and 3 land in B's file, then it stops again
    kill(a.pid, SIGCONT);
    ASSERT_TRUE(a.wait_stopped()) << text_of(a.stderr_path);
  }

  kill(a.pid, SIGTERM);
  kill(a.pid, SIGCONT);
  int a_status = a.reap();
  std::string message = text_of(a.stderr_path);
  EXPECT_TRUE(WIFEXITED(a_status) && WEXITSTATUS(a_status) == 128 + SIGTERM) << message;
  EXPECT_NE(message.find("changed by another writer"), std::string::npos) << message;
  ASSERT_TRUE(exists(destination)) << "A's cancel removed B's finished file";
  if (a_writes_again) {
    EXPECT_EQ(std::filesystem::file_size(destination), 3 * kMiB + 5);  // a mixture, as with two cp's
  } else {
    EXPECT_EQ(read_all(destination), read_all(source_b));
  }
  for (const auto& path : {destination, source_a, source_b}) unlink(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(RealFs, CancelAfterAnotherCopy,
                         ::testing::Values(Intruder{false, false}, Intruder{true, false}, Intruder{false, true},
                                           Intruder{true, true}),
                         [](const auto& info) {
                           return std::string(info.param.gnu_cp ? "gnu_cp" : "offload_overwrite") +
                                  (info.param.a_writes_again ? "_then_a_writes_again" : "");
                         });

// Without another writer the same cancel removes A's own partial file.
TEST(CancelAfterAnotherCopy, WithoutOneRemovesItsOwnFile) {
  REQUIRE_LOOP_FS();
  std::string dir = LoopFs::dir("ext4");
  std::string source = dir + "/alone-src";
  std::string destination = dir + "/alone-dst";
  ASSERT_TRUE(cli::write_pattern_file(source, 8 * kMiB, 49));
  Child a;
  ASSERT_TRUE(spawn_offload(a, host_copy_args(source, destination),
                            {.stop_at = "after-first-write,hold", .stderr_path = dir + "/alone.stderr"}));
  ASSERT_TRUE(a.wait_stopped()) << text_of(a.stderr_path);
  kill(a.pid, SIGTERM);
  kill(a.pid, SIGCONT);
  int status = a.reap();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM) << text_of(a.stderr_path);
  EXPECT_FALSE(exists(destination));
  unlink(source.c_str());
}

}  // namespace
}  // namespace offload::testing
