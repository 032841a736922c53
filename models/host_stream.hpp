// A streaming stage of a host-mediated copy: the part of its pipeline that
// one side of the copy runs (the source's CPU, or the destination's, and
// the client's memcpy) as one long-lived SimGrid Exec per CPU for all its
// chunks at once, instead of one per chunk.
// Per chunk, as in the chunked model: its wire transfer and its disk I/O
// (set_chunk_work: one comm and one Io, started when its lead passed, so
// the network and the disk share among exactly the requests the engine has
// in flight, its queue and copy depth bounding them), the stack work of its
// messages on the connection lanes (the caller), its lead (the call's and
// the disk's latency) and its tail (the WRITE's reply), both measured on the
// stage's first message.
// Progress of the streamed Execs: the bytes they did are those the slowest
// finished (each one's done fraction, the smallest of them); they go to the
// chunks in flight in equal shares (processor sharing, as SimGrid shares a
// CPU among the chunked model's Execs), and a chunk's request returns once
// its own comm and Io ended and its share covers it. One waiting request
// (the driver) samples the Execs when their recent rates say the next chunk
// is covered and wakes the other waiters (a condition variable); a new chunk
// and cancel() wake it at once.
// Not held at a window: with SimGrid 3.32's lazily updated CPU and disk
// models a suspended Exec or Io, once resumed, reported the time it was
// suspended as progress (measured here: a 0.9 ms hold showed as 37 MB done
// at once), which is why the disk I/O is per chunk.
// A stage breaks when a chunk's comm fails (a link went down), a link of
// its route goes down or its server restarted (`epoch` changed): its
// activities are cancelled, the waiters wake at once and the caller moves
// the chunks not yet delivered as single requests
// (sim/targets/sim_file_target.cpp), as the chunked model would.
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
  /// Every activity was added: requests may wait for their chunks.
  void started();
  /// Seconds from issuing a chunk's request to its data moving (the call's
  /// latency and stack, the disk's latency).
  void set_lead(double seconds) { lead_s_ = seconds; }
  /// Starts the wire transfer and the disk I/O of one chunk of `bytes` (one
  /// comm and one Io per request, started when its lead passed: the network
  /// and the disk see exactly the chunked model's requests in flight and
  /// share among them); returns them to wait for.
  using ChunkWork = std::function<std::vector<sg4::ActivityPtr>(double bytes)>;
  void set_chunk_work(ChunkWork start) { chunk_work_ = std::move(start); }
  /// Seconds after a chunk is delivered until its request returns (the reply).
  void set_tail(double seconds) { tail_s_ = seconds; }
  /// Seconds of lead and of tail (above).
  double lead_s() const { return lead_s_; }
  double tail_s() const { return tail_s_; }
  /// The engine issued at `issued` (simulated seconds) a chunk of `bytes`:
  /// blocks until its lead passed, starts its chunk work, then blocks until
  /// that ended, the chunk's share of the Execs' progress covers it, and for
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
    double moved_time = 0;     // simulated time it last made progress
    bool done = false;
  };
  void sample();                         // progress, rates; holds parts at the limit
  double delivered() const;              // bytes, from the slowest activity
  double next_check(double now) const;   // simulated time of the next sample
  double part_bytes(const Part& p) const { return (1 - p.sample_left / p.amount) * bytes_; }
  bool broken() const;
  bool drive(const Waiter& me, std::unique_lock<sg4::Mutex>& lock);
  std::vector<Part> parts_;
  double bytes_ = 0;
  bool begun_ = false;
  double lead_s_ = 0;
  double tail_s_ = 0;
  std::function<int()> epoch_;
  ChunkWork chunk_work_;
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
