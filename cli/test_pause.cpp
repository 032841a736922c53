#include "cli/test_pause.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace offload::cli {
namespace {

constexpr const char* kVariable = "OFFLOAD_TEST_PAUSE_AFTER_OPS";

}  // namespace

std::expected<std::unique_ptr<TestPause>, CopyError> TestPause::from_environment() {
  const char* value = std::getenv(kVariable);
  if (value == nullptr) return nullptr;
  std::string_view text(value);
  std::uint64_t ops = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ops);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::unexpected(CopyError{EINVAL, kVariable, "'" + std::string(text) + "' is not a number of operations"});
  }
  return std::make_unique<TestPause>(ops);
}

TestPause::TestPause(std::uint64_t ops_before) : ops_before_(ops_before), gate_(HoldPoint{.ops_before = ops_before}) {}

TestPause::~TestPause() {
  gate_.release();  // also ends the announcer's wait when the copy never got there
  if (announcer_.joinable()) announcer_.join();
}

void TestPause::attach(RealRuntime& runtime) {
  runtime.set_gate(&gate_);
  announcer_ = std::thread([this] {
    // No bound: the test that set the variable decides how long to wait.
    if (!gate_.wait_held(std::chrono::hours(24 * 365))) return;
    std::fprintf(stderr, "offload: test pause: holding before operation %llu\n",
                 static_cast<unsigned long long>(ops_before_ + 1));
    std::fflush(stderr);
    for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar()) {
    }
    gate_.release();
  });
}

}  // namespace offload::cli
