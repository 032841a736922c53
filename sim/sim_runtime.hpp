// SimRuntime: the engine's runtime inside SimGrid. Each operation runs in
// its own actor on the engine's host, where the simulated target's hooks
// block on SimGrid activities; completions wake waiters through a SimGrid
// condition variable; time is the simulated clock. The engine code is the
// same that copies real files.
#pragma once

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
  /// Starts an actor that runs the operation and reports its completion.
  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override;
  /// Sleeps the calling actor until `done()` or the simulated deadline.
  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override;
  /// Operations started so far.
  std::uint64_t started() const { return started_; }

 private:
  sg4::Host* host_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr changed_;
  std::uint64_t started_ = 0;
};

}  // namespace offload::sim
