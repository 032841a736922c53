// SimRuntime: the engine's runtime inside SimGrid. An operation its target
// can run without an actor goes to it (sim/detached_operations.hpp: a
// streamed host copy's READs and WRITEs), and its completion reaches the
// engine from the kernel. Other operations run on a pool
// of worker actors on the engine's host (models/actor_pool.hpp: one per
// operation in flight, reused; the worker that reports a completion runs the
// operation the engine issues in response), where the simulated target's hooks block
// on SimGrid activities; completions wake waiters through a SimGrid
// condition variable; time is the simulated clock. The engine code is the
// same that copies real files.
#pragma once

#include <vector>

#include <simgrid/s4u.hpp>

#include "engine/runtime.hpp"
#include "models/actor_pool.hpp"
#include "sim/detached_operations.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// Runtime on the simulated clock of one SimGrid host.
class SimRuntime final : public Runtime {
 public:
  /// Operations run as actors on `host`; create inside a running simulation's setup.
  explicit SimRuntime(sg4::Host* host);
  /// Simulated time, nanoseconds.
  TimeNs now_ns() override;
  /// Hands the operation to its target without an actor when the target
  /// takes it (sim/detached_operations.hpp), else to a worker actor.
  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override;
  /// Sleeps the calling actor until `done()` or the simulated deadline.
  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override;
  /// Sleeps the operation's actor on the simulated clock.
  void pause_operation(TimeNs duration_ns) override;
  /// Operations started so far.
  std::uint64_t started() const { return started_; }
  /// Worker actors created so far: the most operations that held one at once.
  int actors() const { return workers_.size(); }

 private:
  struct Issued {
    std::uint64_t op_id;
    CopyTarget* target;
    Op op;
  };
  void begin(std::uint64_t op_id, CopyTarget& target, const Op& op);  // detached, or on an actor
  bool try_detached(std::uint64_t op_id, CopyTarget& target, const Op& op);  // false: it needs an actor
  DetachedOperations::End end_of(std::uint64_t op_id, CopyTarget& target, const Op& op);  // a detached op's end
  void run_on_actor(std::uint64_t op_id, CopyTarget& target, const Op& op);
  void complete(std::uint64_t op_id, OpResult result);  // to the engine; starts what it issued
  sg4::Host* host_;
  std::vector<Issued>* batch_ = nullptr;                // what the completion running now issued
  models::ActorPool workers_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;  // an operation completed
  std::uint64_t started_ = 0;
};

}  // namespace offload::sim
