// A streaming stage of a host-mediated copy: the part of its pipeline that
// one side of the copy runs (the source's disk, CPU and wire towards the
// client, or the client's wire, the destination's CPU and disk) as one
// long-lived SimGrid activity per resource for all its chunks at once,
// instead of one activity per chunk and resource. SimGrid's fluid model
// shares each resource among the flows crossing it as it would share the
// chunks' activities, so a stage delivers its bytes at the rate of its
// slowest resource (a pipeline's bottleneck) at a cost of a few activities
// per copy, not ~10 per chunk.
// Window: a resource works only on the chunks the engine issued, as the
// chunked model's activities exist only for requests in flight: allow()
// raises the limit to a chunk's end when its operation is issued (after
// its lead: the call's latency and the disk's, measured on the stage's
// first request), and each activity is suspended when its own progress
// reaches the limit and resumed when the limit rises. So the engine's
// queue and copy depth bound the stage as they bound the chunked pipeline.
// Progress: the bytes a stage delivered are those its slowest activity
// finished (each activity's done fraction, the smallest of them); they go to
// the chunks in flight in equal shares (processor sharing, as SimGrid's fluid
// model shares a resource among the chunked model's requests: chunks issued
// together end together, none ahead of the others), so each operation
// returns when its own chunk's bytes arrived. One
// waiting operation (the driver) samples the activities at the times their
// recent rates say the next one reaches the limit or a waiter's chunk is
// delivered, holds what reached the limit and wakes the other waiters
// (a condition variable); allow() and cancel() wake it at once.
// A stage breaks when one of its activities fails (a link went down under
// its comm) or its server restarted (`epoch` changed): its activities are
// cancelled, the waiters wake at once and the caller moves the chunks not
// yet delivered as single requests (sim/targets/sim_file_target.cpp), as
// the chunked model would.
#pragma once

#include <functional>
#include <list>
#include <vector>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One stage of a streamed host copy.
class HostStream {
 public:
  /// `epoch` says whether the server the stage runs on restarted since the
  /// stage began (a new value). Made before the copy's operations run: a
  /// condition variable's creation lets other actors run.
  explicit HostStream(std::function<int()> epoch);
  /// The stage moves `bytes` in all from now (no other actor runs meanwhile).
  void begin(double bytes);
  /// True once begun.
  bool begun() const { return begun_; }
  ~HostStream();
  HostStream(const HostStream&) = delete;
  HostStream& operator=(const HostStream&) = delete;
  /// Adds a started activity of `amount` (flops or bytes, its own unit;
  /// below zero: what it has left now, right for an Exec just started).
  void add(sg4::ActivityPtr activity, double amount = -1);
  /// Every activity was added: each waits for allow() (the first chunk's
  /// request, after its lead).
  void started();
  /// Seconds from issuing a chunk's request to its data moving (the call's
  /// latency and stack, the disk's latency).
  void set_lead(double seconds) { lead_s_ = seconds; }
  /// Seconds after a chunk is delivered until its request returns (the reply).
  void set_tail(double seconds) { tail_s_ = seconds; }
  /// Seconds of lead and of tail (above).
  double lead_s() const { return lead_s_; }
  double tail_s() const { return tail_s_; }
  /// The engine issued at `issued` (simulated seconds) a chunk of `bytes`:
  /// blocks until its lead passed, lets the stage move that much further,
  /// then blocks until the chunk's share of the progress covers it and for
  /// the tail; false when the stage broke instead (it is then cancelled).
  /// `on_issue` runs when the lead passed (the stack work of the chunk's
  /// messages is queued then, models/nfs_server_stream.cpp).
  bool wait_for(double bytes, double issued, const std::function<void()>& on_issue = {});
  /// Cancels what still runs (after a cancel, a fault, or at the end).
  void cancel();
  /// Runs `hook` once when the stage stops (unregisters its fault watchers).
  void on_stop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
  /// True once broken (a fault) or cancelled.
  bool stopped() const { return stopped_; }

 private:
  struct Waiter {
    double need;  // bytes of its chunk not yet delivered
  };
  struct Part {
    sg4::ActivityPtr activity;
    double amount;             // its unit
    double sample_time = 0;    // last sample: simulated time, amount left
    double sample_left = 0;
    double rate = 0;           // its unit per second, over the last sample
    double peak = 0;           // its highest rate so far (plans holds: no overshoot when a share grows)
    double moved_time = 0;     // simulated time it last made progress
    bool holdable = false;     // a comm (see add())
    bool held = false;         // suspended at the limit
    bool done = false;
  };
  void allow(double bytes);
  void sample();                         // progress, rates; holds parts at the limit
  double delivered() const;              // bytes, from the slowest activity
  double next_check(double now) const;   // simulated time of the next sample
  double part_bytes(const Part& p) const { return (1 - p.sample_left / p.amount) * bytes_; }
  bool broken() const;
  bool drive(const Waiter& me, std::unique_lock<sg4::Mutex>& lock);
  std::vector<Part> parts_;
  double bytes_ = 0;
  bool begun_ = false;
  double limit_ = 0;  // bytes of the chunks the engine issued
  double lead_s_ = 0;
  double tail_s_ = 0;
  std::function<int()> epoch_;
  int start_epoch_ = 0;
  bool stopped_ = false;
  bool started_ = false;
  bool driving_ = false;
  void share(double bytes);  // new progress to the chunks in flight
  std::list<Waiter> waiters_;  // the chunks in flight (after their lead)
  double shared_ = 0;          // bytes of progress handed to chunks so far
  double unclaimed_ = 0;       // progress no chunk in flight needed (the next one gets it)
  std::vector<std::function<void()>> stop_hooks_;
  sg4::MutexPtr mutex_ = sg4::Mutex::create();
  sg4::ConditionVariablePtr changed_ = sg4::ConditionVariable::create();
};

}  // namespace offload::models
