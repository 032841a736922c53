// SimRuntime: the engine's runtime inside SimGrid. Operations run on a pool
// of worker actors on the engine's host (models/actor_pool.hpp: one per
// operation in flight, reused; the worker that reports a completion runs the
// operation the engine issues in response), where the simulated target's hooks block
// on SimGrid activities; completions wake waiters through a SimGrid
// condition variable; time is the simulated clock. The engine code is the
// same that copies real files.
#pragma once

#include <simgrid/s4u.hpp>

#include "engine/runtime.hpp"
#include "models/actor_pool.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// Runtime on the simulated clock of one SimGrid host.
class SimRuntime final : public Runtime {
 public:
  /// Operations run as actors on `host`; create inside a running simulation's setup.
  explicit SimRuntime(sg4::Host* host);
  /// Simulated time, nanoseconds.
  TimeNs now_ns() override;
  /// Hands the operation to a worker actor.
  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override;
  /// Sleeps the calling actor until `done()` or the simulated deadline.
  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override;
  /// Sleeps the operation's actor on the simulated clock.
  void pause_operation(TimeNs duration_ns) override;
  /// Operations started so far.
  std::uint64_t started() const { return started_; }

 private:
  models::ActorPool workers_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;  // an operation completed
  std::uint64_t started_ = 0;
};

}  // namespace offload::sim
