// A streaming stage of a host-mediated copy: the part of its pipeline that
// one side of the copy runs (the source's disk, CPU and wire towards the
// client, or the client's wire, the destination's CPU and disk) as one
// long-lived SimGrid activity per resource for all its chunks at once,
// instead of one activity per chunk and resource. SimGrid's fluid model
// shares each resource among the flows crossing it as it would share the
// chunks' activities, so a stage delivers its bytes at the rate of its
// slowest resource (a pipeline's bottleneck) at a cost of a few activities
// per copy, not ~10 per chunk.
// Progress: the bytes a stage delivered are those its slowest activity
// finished (each activity's done fraction, the smallest of them); the
// engine's operation for a chunk waits until that reaches the chunk's end,
// sleeping for the time the stage's recent rate says it needs (then checks
// again), or on the activities themselves for the stage's last chunk, so a
// stage ends at the exact simulated time its activities end.
// A stage breaks when one of its activities fails (a link went down under
// its comm) or its server restarted (`epoch` changed): its activities are
// cancelled and the caller moves the chunks not yet delivered as single
// requests (sim/targets/sim_file_target.cpp), as the chunked model would.
#pragma once

#include <functional>
#include <vector>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One stage of a streamed host copy.
class HostStream {
 public:
  /// `bytes` is what the stage delivers in all; `epoch` says whether the
  /// server the stage runs on restarted since it started (a new value).
  HostStream(double bytes, std::function<int()> epoch);
  ~HostStream();
  HostStream(const HostStream&) = delete;
  HostStream& operator=(const HostStream&) = delete;
  /// Adds a started activity of `amount` (flops or bytes, its own unit;
  /// below zero: what it has left now, right for an Exec just started).
  void add(sg4::ActivityPtr activity, double amount = -1);
  /// Blocks until the stage delivered `bytes` (from its start); false when
  /// it broke instead (the stage is then cancelled).
  bool wait_for(double bytes);
  /// Every activity was added: wait_for() may measure progress now.
  void started();
  /// Cancels what still runs (after a cancel, a fault, or at the end).
  void cancel();
  /// Runs `hook` once when the stage stops (unregisters its fault watchers).
  void on_stop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
  /// True once broken (a fault) or cancelled.
  bool stopped() const { return stopped_; }

 private:
  double delivered() const;  // bytes, from the slowest activity
  bool broken() const;
  struct Part {
    sg4::ActivityPtr activity;
    double amount;
  };
  std::vector<Part> parts_;
  double bytes_;
  std::function<int()> epoch_;
  int start_epoch_;
  bool stopped_ = false;
  std::vector<std::function<void()>> stop_hooks_;
  bool started_ = false;
  sg4::MutexPtr mutex_ = sg4::Mutex::create();
  sg4::ConditionVariablePtr ready_ = sg4::ConditionVariable::create();
  double sample_time_ = 0;   // last progress sample: simulated time, bytes
  double sample_bytes_ = 0;
};

}  // namespace offload::models
