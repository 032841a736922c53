// The command line's side of the runtime's pause point (engine/op_gate.hpp),
// for tests that need `offload cp` in the middle of a copy (kill it there,
// change its source there) without racing it:
//   OFFLOAD_TEST_PAUSE_AFTER_OPS=N  holds the copy before its operation N+1
//   (N = 0: before the first; the destination is already claimed), writes
//   "offload: test pause: holding before operation N+1" to stderr, and lets
//   the copy go on when a line (or end of file) arrives on stdin.
// Unset (always, outside tests), nothing of it runs.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <thread>

#include "engine/op_gate.hpp"
#include "engine/real_runtime.hpp"
#include "engine/types.hpp"

namespace offload::cli {

/// An armed pause for one run of the engine.
class TestPause {
 public:
  /// From OFFLOAD_TEST_PAUSE_AFTER_OPS: nullptr when unset; an error naming the
  /// variable when its value is not a count of operations.
  static std::expected<std::unique_ptr<TestPause>, CopyError> from_environment();
  /// Holds after `ops_before` operations once attached.
  explicit TestPause(std::uint64_t ops_before);
  /// Lets a held copy go and stops the thread that announces the hold.
  ~TestPause();
  TestPause(const TestPause&) = delete;
  TestPause& operator=(const TestPause&) = delete;

  /// Puts the gate in `runtime` (before its first operation; this object
  /// must outlive it) and starts waiting for the hold.
  void attach(RealRuntime& runtime);

 private:
  std::uint64_t ops_before_;
  OpGate gate_;
  std::thread announcer_;
};

}  // namespace offload::cli
