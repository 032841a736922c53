// Operations a simulated target runs without an actor: SimRuntime hands
// them over instead of to a worker actor, so an operation that only waits
// (a streamed host copy's READ or WRITE, models/host_stream.hpp) holds no
// actor stack while it does (10,000 streamed copies kept four actors each
// in flight, ~12 KiB of stack apiece: bench/README.md "Simulator scale").
#pragma once

#include <functional>
#include <optional>

#include "engine/target.hpp"

namespace offload::sim {

/// A simulated target that may run some operations without an actor.
class DetachedOperations {
 public:
  virtual ~DetachedOperations() = default;
  /// How a detached operation ends: its result, or nullopt when it still
  /// has to run on an actor (CopyTarget::execute, as if it started then).
  using End = std::function<void(std::optional<OpResult>)>;
  /// Takes `op` (true) when it can run without an actor: `end` runs later,
  /// in the kernel, never inside this call. False: run it on an actor.
  virtual bool start_detached(const Op& op, End end) = 0;
  /// True when `op` would run detached, once its part that needs an actor
  /// (if any) ran: its buffer's page faults then run without one too.
  virtual bool detaches(const Op& op) const = 0;
  /// On an actor: runs `op` as CopyTarget::execute does, up to where it can
  /// go on without the actor; returns its result, or nullopt when it went on
  /// detached (`end` then runs later, in the kernel).
  virtual std::optional<OpResult> execute_detaching(const Op& op, End end) = 0;
};

}  // namespace offload::sim
