// A deterministic runtime with a fake clock: each operation takes the time a
// cost function gives, runs on its target when that time is reached, and
// its completion is delivered in time order. Proves the engine's seam: the
// engine runs unchanged with no thread and no real clock.
#pragma once

#include <functional>
#include <limits>
#include <queue>
#include <vector>

#include "engine/runtime.hpp"

namespace offload::testing {

/// Single-threaded runtime on a fake clock (nanoseconds from 0).
class FakeRuntime final : public Runtime {
 public:
  /// Duration of an operation in fake nanoseconds.
  using CostFn = std::function<TimeNs(const Op&)>;

  explicit FakeRuntime(CostFn cost) : cost_(std::move(cost)) {}

  TimeNs now_ns() override { return now_; }

  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override {
    Op timed = op;
    timed.clock = this;
    events_.push({now_ + cost_(op), sequence_++, op_id, &target, timed, {}});
    ++started_;
  }

  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override {
    while (!done()) {
      if (events_.empty() || events_.top().at_ns > deadline_ns) {
        if (deadline_ns != std::numeric_limits<TimeNs>::max()) now_ = std::max(now_, deadline_ns);
        return done();
      }
      Event event = events_.top();
      events_.pop();
      now_ = std::max(now_, event.at_ns);  // an operation's pause may have moved it on
      if (event.action) {
        event.action();
        continue;
      }
      OpResult result = event.target->execute(event.op);
      result.cpu_ns = 1000;  // a fixed, visible CPU cost per operation
      sink_->on_complete(event.op_id, std::move(result));
    }
    return true;
  }

  /// Moves the fake clock on (the operation's completion is delivered late).
  void pause_operation(TimeNs duration_ns) override { now_ += duration_ns; }

  /// Runs `action` when the fake clock reaches `at_ns` (during a wait).
  void at(TimeNs at_ns, std::function<void()> action) {
    events_.push({at_ns, sequence_++, 0, nullptr, {}, std::move(action)});
  }
  /// Operations started so far.
  std::uint64_t started() const { return started_; }

 private:
  struct Event {
    TimeNs at_ns;
    std::uint64_t sequence;  // ties broken by start order: deterministic
    std::uint64_t op_id;
    CopyTarget* target;
    Op op;
    std::function<void()> action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at_ns != b.at_ns ? a.at_ns > b.at_ns : a.sequence > b.sequence;
    }
  };
  CostFn cost_;
  TimeNs now_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t started_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
};

}  // namespace offload::testing
