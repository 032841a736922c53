// OpGate: the runtime seam's pause point for tests. A runtime that has a gate
// passes every operation through it just before running it; an armed gate
// lets a set number of operations through and then holds every later one on
// the runtime's worker until the test releases it. A test thus puts a copy
// "in the middle" (some bytes done, the rest not started) without racing it:
// it waits for the hold, changes the world (the source, a signal, a cancel),
// and releases. Used by tests and by `offload`'s OFFLOAD_TEST_PAUSE_AFTER_OPS
// (README, Tests); no production path arms one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "engine/target.hpp"

namespace offload {

/// Where an armed OpGate starts holding.
struct HoldPoint {
  std::uint64_t ops_before = 0;  ///< operations let through first, counted from arming
  std::optional<OpKind> kind;    ///< count (and first hold) only this kind; nullopt = any kind
};

/// Holds a runtime's operations at a HoldPoint until released; thread-safe.
/// The gate sees every operation of its runtime (all copies of its engine).
/// Whoever arms it must release it before the engine is destroyed: the
/// engine's destructor waits for the held operations.
class OpGate {
 public:
  /// An open gate (holds nothing until armed).
  OpGate() = default;
  /// A gate armed at `point`.
  explicit OpGate(HoldPoint point) : point_(point) {}
  OpGate(const OpGate&) = delete;
  OpGate& operator=(const OpGate&) = delete;

  /// Arms the gate at `point` (counting starts now); replaces an earlier point.
  void hold_at(HoldPoint point);
  /// Blocks until an operation is held (true), the gate is open and unarmed
  /// (false) or `bound` passes (false).
  bool wait_held(std::chrono::nanoseconds bound);
  /// Lets every held operation go; with `next`, arms the next hold point in
  /// the same step (no operation slips past between the two).
  void release(std::optional<HoldPoint> next = std::nullopt);
  /// Operations held at the current hold point (0 once released).
  std::size_t held() const;
  /// The kind of the operation that closed the gate (the first one held).
  std::optional<OpKind> held_kind() const;

  /// Runtime side: called on the runtime's worker just before `op` runs;
  /// blocks there while the gate holds.
  void enter(const Op& op);

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<HoldPoint> point_;   // armed when set
  std::uint64_t counted_ = 0;        // operations of point_->kind let through since arming
  bool closed_ = false;              // the hold point was reached: every entering op waits
  std::optional<OpKind> closed_by_;  // kind of the op that closed it
  std::size_t held_ = 0;             // operations waiting at the current hold point
  std::uint64_t generation_ = 0;     // bumped by release(): held operations go
};

}  // namespace offload
