// A device whose time is shared by the jobs in flight (processor sharing),
// computed exactly in virtual time outside SimGrid's LMM solver: a device of
// c servers (a disk: 1; a CPU: its cores, each job using at most one, as
// SimGrid's CPU model bounds an Exec to one core) gives each of n jobs in
// service min(1, c / n) of a server; the virtual clock V (server seconds
// each job has received so far) advances at min(1, c / n(t)) per simulated
// second; a job of service demand s admitted at V0 ends when V reaches V0 + s (the
// virtual time of generalized processor sharing with equal weights: A. K.
// Parekh, R. G. Gallager, "A generalized processor sharing approach to
// flow control in integrated services networks: the single-node case",
// IEEE/ACM Trans. Networking 1(3), 1993). The jobs are
// ordered by that finish tag, so a job's start or end costs O(log n)
// whatever n is; SimGrid 3.32 re-shares a resource among all of its activities
// on every start and end (O(n) each, quadratic at thousands of I/Os).
// SimGrid's side: the head job's end is one kernel timer; each job's handle
// is an Exec of no work and no host (waitable alone or in
// Activity::wait_any_for with other activities, test()); when the job ends
// it is started on the device host, where it ends at once. The device
// host's busy cores, min(n, c), are what its energy is computed from
// (models/power.hpp): what SimGrid's CPU model would show as its load had
// each job been an Exec.
// A job may instead have no handle and a callback run when it ends (in the
// kernel's timer context): a serial lane starts its next piece there
// without an actor of its own (models/serial_lane.hpp).
// A job leaves the sharing when its handle is cancelled or when the actor
// that started it ends (SimGrid cancels an actor's Execs then), as an Exec
// does; a handle its caller dropped runs on (SimGrid 3.32 does not cancel
// an Exec whose last reference goes).
// Leaves out: get_remaining() of a handle in flight (0 until it ends; a
// job without a handle has remaining_s()); the waiters of a handle cancelled in flight are not woken (SimGrid 3.32 does
// not finish an Exec cancelled before it started; no caller cancels a disk
// I/O it waits for).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

namespace simgrid::kernel::timer {
class Timer;
}

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One processor-sharing device (a disk, a CPU): jobs in server seconds.
class SharedDevice {
 public:
  /// `device`: the SimGrid host the device's busy time shows on (`servers`
  /// cores of equal speed); `servers`: jobs served at full speed at once.
  explicit SharedDevice(sg4::Host* device, int servers = 1);
  ~SharedDevice();
  SharedDevice(const SharedDevice&) = delete;
  SharedDevice& operator=(const SharedDevice&) = delete;
  /// Admits a job needing `service_s` server seconds; returns its handle,
  /// which ends when the job got them (the job leaves the sharing if the
  /// handle is cancelled or the calling actor ends).
  sg4::ExecPtr start(double service_s);
  /// A job without a handle, for remaining_s() and cancel(): its finish
  /// tag (virtual seconds) and admission order.
  using JobKey = std::pair<double, std::uint64_t>;
  /// Admits a job needing `service_s` server seconds with no handle: only
  /// `on_end` (kernel context) learns its end (at once if `service_s` is
  /// not positive); it outlives the actor that admitted it (a serial lane's
  /// piece, a streamed stage's CPU work). No SimGrid activity: SimGrid 3.32
  /// lists an Exec in its creator's activities until it ends and takes it
  /// out by a scan of that list (maestro's: every job made in the kernel).
  JobKey start(double service_s, std::function<void()> on_end);
  /// Server seconds the job `key` still needs (0 once it ended or was cancelled).
  double remaining_s(const JobKey& key);
  /// Takes the job `key` out of the sharing (its `on_end` never runs); nothing once it ended.
  void cancel(const JobKey& key) { drop(key); }
  /// Ends `handle` (an Exec of no work, not started, maybe waited) at once:
  /// its waiters wake.
  void release(const sg4::ExecPtr& handle);
  /// Jobs in service now.
  std::size_t in_flight() const { return jobs_.size(); }

 private:
  using Key = JobKey;
  struct Job {
    sg4::ExecPtr handle;  // held: a handle its caller dropped still runs to its end, as a dropped Exec does
    const sg4::Actor* owner;
    std::function<void()> on_end;
  };
  friend struct SharedDeviceRegistry;
  void advance();         // V to now
  void schedule();        // the head job's end timer
  void on_timer();        // the head job (and its ties) ended
  void finish(std::map<Key, Job>::iterator job);
  void drop(const Key& key);  // a cancelled job leaves the sharing
  std::size_t level() const;  // servers in use: min(n, servers)
  void update_load();     // the device host's busy cores, for its energy
  void run(const sg4::ExecPtr& handle);  // starts a handle: it ends at once
  sg4::Host* device_;
  int servers_;
  std::map<Key, Job> jobs_;
  std::uint64_t admitted_ = 0;
  double virtual_s_ = 0;  // V: device seconds each job in service received, since the device was last idle
  double updated_at_ = 0;  // simulated time V was last advanced to
  simgrid::kernel::timer::Timer* timer_ = nullptr;
  double timer_at_ = -1;
  std::size_t busy_level_ = 0;      // busy cores counted on the device host (models/power.hpp)
  void keep_until_later(sg4::ExecPtr exec);
  std::vector<std::pair<double, sg4::ExecPtr>> retired_;  // ended or cancelled Execs, by simulated time, kept while it lasts
};

}  // namespace offload::models
