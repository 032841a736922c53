// SimRuntime: the engine's runtime inside SimGrid. Operations run on a pool
// of worker actors on the engine's host (one per operation in flight, reused
// from one operation to the next, so a long simulation does not create and
// destroy an actor per operation), where the simulated target's hooks block
// on SimGrid activities; completions wake waiters through a SimGrid
// condition variable; time is the simulated clock. The engine code is the
// same that copies real files.
#pragma once

#include <deque>
#include <optional>

#include <simgrid/s4u.hpp>

#include "engine/runtime.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// Runtime on the simulated clock of one SimGrid host.
class SimRuntime final : public Runtime {
 public:
  /// Operations run as actors on `host`; create inside a running simulation's setup.
  explicit SimRuntime(sg4::Host* host);
  /// Simulated time, nanoseconds.
  TimeNs now_ns() override;
  /// Hands the operation to an idle worker actor (or a new one).
  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override;
  /// Sleeps the calling actor until `done()` or the simulated deadline.
  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override;
  /// Operations started so far.
  std::uint64_t started() const { return started_; }
  /// Worker actors created so far (the most operations in flight at once).
  int workers() const { return workers_; }

 private:
  struct Job {
    std::uint64_t op_id;
    CopyTarget* target;
    Op op;
  };
  void work();
  sg4::Host* host_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;  // an operation completed
  sg4::ConditionVariablePtr queued_;   // a job waits for an idle worker
  std::deque<Job> jobs_;
  std::optional<Job>* handoff_ = nullptr;  // the worker now reporting a completion, free for a job
  int idle_ = 0;                       // idle workers not yet woken for a job
  int workers_ = 0;
  std::uint64_t started_ = 0;
};

}  // namespace offload::sim
