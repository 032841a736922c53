#include "tests/engine/loop_fs.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace offload::testing {
namespace {

std::string g_root;
std::string g_reason = "not set up";
bool g_ready = false;

std::string script() { return std::string(OFFLOAD_SOURCE_DIR) + "/tests/targets/loopfs.sh"; }

}  // namespace

void LoopFs::SetUp() {
  char pattern[] = "/tmp/offload-loopfs-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    g_reason = "mkdtemp failed";
    return;
  }
  g_root = pattern;
  std::string log = g_root + ".log";
  std::string command = script() + " up " + g_root + " 1G 2>" + log;
  int status = std::system(command.c_str());
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(log.c_str());
  g_ready = code == 0;
  g_reason = g_ready ? "" : (text.str().empty() ? "loopfs.sh exited " + std::to_string(code) : text.str());
  while (!g_reason.empty() && g_reason.back() == '\n') g_reason.pop_back();
}

void LoopFs::TearDown() {
  if (g_root.empty()) return;
  std::string command = script() + " down " + g_root;
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "loopfs: cleanup of %s failed\n", g_root.c_str());
  rmdir(g_root.c_str());
}

bool LoopFs::ready() { return g_ready; }
const std::string& LoopFs::reason() { return g_reason; }
std::string LoopFs::dir(const std::string& fs) { return g_root + "/" + fs; }

void LoopFs::clear() {
  if (!g_ready) return;
  for (const char* fs : {"xfs", "btrfs", "ext4", "small"}) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir(fs), error)) {
      if (entry.path().filename() == "lost+found") continue;
      std::filesystem::remove_all(entry.path(), error);
      if (error) std::fprintf(stderr, "loopfs: cannot remove %s: %s\n", entry.path().c_str(), error.message().c_str());
    }
  }
}

bool real_fs_required() {
  const char* value = std::getenv("OFFLOAD_REQUIRE_REAL_FS");
  return value != nullptr && std::string(value) == "1";
}

namespace {

// Every test's files go when it ends, passed or not (after its fixture and
// its engines are gone).
class ClearAfterEachTest : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo&) override { LoopFs::clear(); }
};

}  // namespace
}  // namespace offload::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new offload::testing::LoopFs);
  ::testing::UnitTest::GetInstance()->listeners().Append(new offload::testing::ClearAfterEachTest);
  int result = RUN_ALL_TESTS();
  // Without the mounts every test skipped: say "skipped" to CTest
  // (SKIP_RETURN_CODE 77), not "passed". When they are required, the tests
  // themselves failed already.
  if (result == 0 && !::testing::GTEST_FLAG(list_tests) && !offload::testing::LoopFs::ready() &&
      !offload::testing::real_fs_required()) {
    return 77;
  }
  return result;
}
