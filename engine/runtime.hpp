// The runtime seam: the only place the engine gets time and completions.
// RealRuntime (engine/real_runtime.hpp) runs operations on worker threads
// with steady_clock; SimRuntime (sim/) runs them as SimGrid activities on
// the simulated clock; tests drive the engine with a fake clock, or hold a
// RealRuntime's operations at a pause point (engine/op_gate.hpp). The engine
// never blocks and never reads a clock except through this interface.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/target.hpp"

namespace offload {

/// Receives operation completions (the engine implements it).
class CompletionSink {
 public:
  virtual ~CompletionSink() = default;
  /// Called once per started operation, from the runtime's context.
  virtual void on_complete(std::uint64_t op_id, OpResult result) = 0;
};

/// Time and asynchronous execution for the engine.
class Runtime : public OperationClock {
 public:
  virtual ~Runtime() = default;
  /// Current time of this runtime, nanoseconds, monotonic.
  virtual TimeNs now_ns() = 0;
  /// Starts `op` on `target` and returns at once; the result reaches the
  /// sink later with `op_id`. `target` outlives the operation. The hook
  /// runs with `op.clock` set to this runtime.
  virtual void start(std::uint64_t op_id, CopyTarget& target, const Op& op) = 0;
  /// Blocks the caller until `done()` is true or the runtime's clock reaches
  /// `deadline_ns`; returns the last value of `done()`. `done` is called
  /// after every completion and must not block.
  virtual bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) = 0;
  /// Where completions go; set once by the engine before the first start.
  void bind(CompletionSink* sink) { sink_ = sink; }

 protected:
  /// The engine that receives completions.
  CompletionSink* sink_ = nullptr;
};

}  // namespace offload
