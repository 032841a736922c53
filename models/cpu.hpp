// CPU model: a SimGrid host with N cores at 1e9 flop/s each, so one CPU
// second is 1e9 flops. Its cores are shared as SimGrid's CPU model (Cas01)
// shares them, n jobs each getting min(1, N / n) of a core, but computed in
// virtual time outside SimGrid's LMM solver (models/shared_device.hpp): a
// job's start or end costs O(log n), where SimGrid re-shares a host among
// all its Execs at every start and end (O(n): a filer serving 1,000
// streamed copies keeps 2,000 long-lived Execs). The host's energy is
// computed from the jobs' busy cores, min(n, N) (models/power.hpp).
// Work is charged as seconds of one core: moving B
// bytes through host memory (page cache, user buffer) costs
// B / memcpy_bandwidth, each I/O operation (syscall, RPC) costs per_op_cpu.
// Every message a host sends or receives over the network also crosses its
// TCP and storage-protocol stack (charged by models/network.hpp through
// message_work): send or receive cycles per byte plus cycles per message,
// at stack.clock_ghz, on the serial lane of that connection
// (models/serial_lane.hpp: one core per connection), competing with all
// other work on the host's cores.
// Busy time is the sum of work charged (core-seconds demanded), the
// utilisation-law measure of CPU cost; the busiest lane's busy time is kept
// too (a single-stream copy is bound by it long before all cores are busy).
// Sources: memcpy rates of a few GB/s per core are typical of x86 servers
// (scenario inputs, fitted by `offload calibrate`); the stack defaults are
// measured (models/specs.hpp StackSpec, bench/README.md "TCP stack CPU").
#pragma once

#include <map>
#include <memory>

#include <simgrid/s4u.hpp>

#include "models/serial_lane.hpp"
#include "models/shared_device.hpp"
#include "models/specs.hpp"

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Flops per CPU second on every simulated host.
inline constexpr double kFlopsPerCpuSecond = 1e9;

/// Which way a message crosses a host's stack.
enum class StackSide { send, receive };

/// The CPU of one simulated host.
class CpuModel {
 public:
  /// Wraps `host` (already created with kFlopsPerCpuSecond per core) and
  /// registers itself as the host's CPU (CpuModel::of).
  CpuModel(sg4::Host* host, const CpuSpec& spec);
  /// The CPU model of `host`, or nullptr for a host without one.
  static CpuModel* of(sg4::Host* host);
  /// Starts `cpu_seconds` of one core's work on this host; the handle ends
  /// when it ran (wait(), Activity::wait_any_for; cancel() takes it off the
  /// cores; get_remaining() is 0 until it ends: a job from work() has remaining_s()).
  sg4::ExecPtr work_async(double cpu_seconds);
  /// The same with no handle: `on_end` runs in the kernel once it ran
  /// (models/shared_device.hpp); returns the job's key.
  SharedDevice::JobKey work(double cpu_seconds, std::function<void()> on_end);
  /// CPU seconds the job `job` (from work) still needs; 0 once it ran or was cancelled.
  double remaining_s(const SharedDevice::JobKey& job) { return cores_.remaining_s(job) * core_speed_; }
  /// Takes the job `job` (from work) off the cores; its `on_end` never runs.
  void cancel(const SharedDevice::JobKey& job) { cores_.cancel(job); }
  /// CPU seconds to move `bytes` once through memory, plus one operation.
  double copy_cost_s(double bytes, int operations = 1) const {
    return bytes / spec_.memcpy_Bps + operations * spec_.per_op_s;
  }
  /// CPU seconds to fault in and zero `bytes` of host buffer touched for the first time.
  double buffer_fault_cost_s(double bytes) const { return bytes / spec_.buffer_fault_Bps; }
  /// CPU seconds the stack spends on one message of `bytes` (payload and headers).
  double stack_cost_s(double bytes, StackSide side) const;
  /// Queues the stack work of one message on the lane of the connection
  /// to `peer`; nullptr when it costs nothing.
  LanePiecePtr message_work(sg4::Host* peer, double bytes, StackSide side);
  /// Core-seconds charged so far.
  double busy_s() const { return busy_s_; }
  /// Core-seconds charged to the busiest connection lane so far.
  double busiest_lane_s() const;
  /// Cores.
  int cores() const { return spec_.cores; }
  /// The SimGrid host.
  sg4::Host* host() const { return host_; }

 private:
  LanePiecePtr lane_work(sg4::Host* peer, double cpu_seconds);  // nullptr when nothing
  struct Lane {
    explicit Lane(SharedDevice& cpu) : lane(cpu) {}
    SerialLane lane;
    double busy_s = 0;
  };
  sg4::Host* host_;
  CpuSpec spec_;
  double busy_s_ = 0;
  std::map<sg4::Host*, std::unique_ptr<Lane>> lanes_;  // by peer
  double core_speed_;                                    // host speed per core / kFlopsPerCpuSecond
  SharedDevice cores_;                                   // the jobs on this host's cores
};

}  // namespace offload::models
