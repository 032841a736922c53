// A streaming stage of a host-mediated copy: the part of its pipeline that
// one side of the copy runs (the source's CPU, or the destination's, and
// the client's memcpy) as one long-lived job per CPU (models/cpu.hpp) for
// all its chunks at once, instead of one per chunk.
// Per chunk, as in the chunked model: its wire transfer and its disk I/O
// (set_chunk_work: its share of the stage's weighted flow, models/
// stream_wire.hpp, and one Io, started when its lead passed, so the network
// and the disk share among exactly the requests the engine has in flight,
// its queue and copy depth bounding them), the stack work of its
// messages on the connection lanes, queued and waited when a chunked
// request's are (a READ's call at issue, before its data moves; the data
// message when it starts; a WRITE's reply once its data is written), its
// lead (the call's latency, then the disk's) and its tail (the WRITE's
// reply), the latencies measured on the stage's first message.
// Progress of the streamed CPU jobs: the bytes they did are those the slowest
// finished (each one's done fraction, the smallest of them); they go to the
// chunks in flight in equal shares (processor sharing, as the CPU shares
// itself among the chunked model's jobs), and a chunk's request ends once
// its own wire transfer and I/O ended and its share covers it. While a
// request waits for its share, the stage samples the jobs when their
// recent rates say the next chunk is covered (a kernel timer); a new chunk
// makes it sample again at once.
// A request holds no actor while it waits (request(): each step is a
// kernel timer or another model's callback, models/kernel_timer.hpp), so
// 10,000 streamed copies keep no stack per request in flight.
// Not held at a window: with SimGrid 3.32's lazily updated CPU and disk
// models a suspended Exec or Io, once resumed, reported the time it was
// suspended as progress (measured here: a 0.9 ms hold showed as 37 MB done
// at once), which is why the disk I/O is per chunk.
// A stage breaks when a chunk's comm fails (a link went down), a link of
// its route goes down or its server restarted (`epoch` changed): its
// activities are cancelled, the requests end at once and the caller moves
// the chunks not yet delivered as single requests
// (sim/targets/sim_file_target.cpp), as the chunked model would.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <vector>

#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "models/serial_lane.hpp"
#include "models/shared_device.hpp"
#include "models/stream_wire.hpp"

namespace simgrid::kernel::timer {
class Timer;
}

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One stage of a streamed host copy.
class HostStream {
 public:
  /// `epoch` says whether the server the stage runs on restarted since the
  /// stage began (a new value).
  explicit HostStream(std::function<int()> epoch);
  /// The stage moves `bytes` in all from now (no other actor runs meanwhile).
  void begin(double bytes);
  /// True once begun.
  bool begun() const { return begun_; }
  ~HostStream();
  HostStream(const HostStream&) = delete;
  HostStream& operator=(const HostStream&) = delete;
  /// Starts the stage's `cpu_s` seconds of one core's work on `cpu`.
  void add_work(CpuModel& cpu, double cpu_s);
  /// Every activity was added: requests may go on past their issue.
  void started();
  /// Seconds from issuing a chunk's request until its call arrived
  /// (`call_s`: the call's latency; its stack work is queued on the lanes
  /// too, request()), then until its data moves (`then_s`: the disk's latency).
  void set_lead(double call_s, double then_s = 0) {
    lead_s_ = call_s;
    then_s_ = then_s;
  }
  /// How a chunk's work reports: `done` once its wire transfer and disk I/O
  /// ended, `broke` first when its wire transfer failed (the stage stops).
  /// Both do nothing once the stage is gone.
  struct ChunkEnd {
    std::function<void()> sent;   ///< its data message leaves now (its stack work is queued then; call once, first)
    std::function<void()> done;   ///< the chunk's work ended (call once)
    std::function<void()> broke;  ///< its wire transfer failed: the stage stops
  };
  /// Moves one chunk of `bytes` on the wire (its share of the stage's
  /// weighted flow, wire()) and its disk I/O (one per request), started when
  /// its lead passed: the network and the disk see exactly the chunked
  /// model's requests in flight and share among them. Holds no actor: it
  /// follows its activities by callbacks and reports through `end`.
  using ChunkWork = std::function<void(double bytes, ChunkEnd end)>;
  void set_chunk_work(ChunkWork start) { chunk_work_ = std::move(start); }
  /// The stage's wire (models/stream_wire.hpp), which its chunk work uses;
  /// cancelled with the stage.
  void set_wire(std::unique_ptr<StreamWire> wire) { wire_ = std::move(wire); }
  /// The wire, or nullptr.
  StreamWire* wire() const { return wire_.get(); }
  /// Seconds after a chunk is delivered until its request returns (the reply).
  void set_tail(double seconds) { tail_s_ = seconds; }
  /// Queues the stack work of one message on the connection's lanes (both
  /// ends) and returns it to wait for.
  using QueueStacks = std::function<std::vector<LanePiecePtr>()>;
  /// The stack work of one request's messages, queued and waited when the
  /// chunked model queues and waits it (models/nfs_server_stream.cpp).
  struct Stacks {
    QueueStacks call;   ///< queued at issue, waited before the data moves (a READ's call)
    QueueStacks data;   ///< queued when the data message leaves (ChunkEnd::sent), waited once it arrived
    QueueStacks reply;  ///< queued once the data arrived, waited with the tail (a WRITE's reply)
  };
  /// The engine issued at `issued` (simulated seconds) a chunk of `bytes`:
  /// once its call arrived (the lead and the call's stack work) and the
  /// disk's latency passed, starts its chunk work; once that ended, the
  /// chunk's share of the CPU jobs' progress covers it, and the tail and
  /// the stack work passed, `done(true)`; `done(false)` when the stage broke
  /// instead (it is then cancelled). `done` runs in the kernel, never inside
  /// this call. `first`: the request whose call (a READ) or reply (a WRITE)
  /// the stage measured for real, which pays neither again.
  void request(double bytes, double issued, Stacks stacks, bool first, std::function<void(bool)> done);
  /// Cancels what still runs (after a cancel, a fault, or at the end).
  void cancel();
  /// Runs `hook` once when the stage stops (unregisters its fault watchers).
  void on_stop(std::function<void()> hook) { stop_hooks_.push_back(std::move(hook)); }
  /// True once broken (a fault) or cancelled.
  bool stopped() const { return stopped_; }
  /// `step`, made to do nothing once this stage is gone (for callbacks
  /// that may run after it: its setup's, models/nfs_server_stream.cpp).
  std::function<void()> guarded(std::function<void()> step) const;

 private:
  struct Request;  // one chunk's request in flight
  using RequestPtr = std::shared_ptr<Request>;
  struct Part {
    CpuModel* cpu;
    SharedDevice::JobKey job;  // its CPU job (models/cpu.hpp)
    double amount;             // CPU seconds
    bool ended = false;        // the job ran (its end callback)
    double sample_time = 0;    // last sample: simulated time, amount left
    double sample_left = 0;
    double rate = 0;           // its unit per second, over the last sample
    double moved_time = 0;     // simulated time it last made progress
    bool done = false;
  };
  // A request's steps, in order (each in the kernel or the caller's actor).
  void after_start(const RequestPtr& r);   // its lead
  void call_arrived(const RequestPtr& r);  // the disk's latency
  void data_starts(const RequestPtr& r);   // joins the chunks in flight, its chunk work
  void chunk_ended(const RequestPtr& r);   // waits for its share
  void delivered_to(const RequestPtr& r);  // its tail and stack work
  void finish(const RequestPtr& r, bool delivered);
  static bool gone(const RequestPtr& r);  // its stage is gone: its pending steps do nothing
  void tick();                           // samples, shares, ends the requests covered
  void plan_tick(double at);             // the next tick at simulated time `at`
  void sample();                         // progress and rates of the CPU jobs
  double delivered() const;              // bytes, from the slowest job
  double next_check(double now) const;   // simulated time of the next sample
  double part_bytes(const Part& p) const { return (1 - p.sample_left / p.amount) * bytes_; }
  bool broken() const;
  void share(double bytes);              // new progress to the chunks in flight
  std::vector<Part> parts_;
  double bytes_ = 0;
  bool begun_ = false;
  double lead_s_ = 0;
  double then_s_ = 0;
  double tail_s_ = 0;
  std::function<int()> epoch_;
  ChunkWork chunk_work_;
  std::unique_ptr<StreamWire> wire_;
  int start_epoch_ = 0;
  bool stopped_ = false;
  bool started_ = false;
  std::vector<RequestPtr> not_started_;  // issued before started()
  std::list<RequestPtr> waiters_;        // the chunks in flight (after their lead)
  int covering_ = 0;                     // of them, those whose chunk work ended (the stage samples for them)
  simgrid::kernel::timer::Timer* tick_timer_ = nullptr;
  double shared_ = 0;          // bytes of progress handed to chunks so far
  double unclaimed_ = 0;       // progress no chunk in flight needed (the next one gets it)
  std::vector<std::function<void()>> stop_hooks_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // its callbacks hold it weakly
};

}  // namespace offload::models
