// CPU model: a SimGrid host with N cores at 1e9 flop/s each, so one CPU
// second is 1e9 flops. Work is charged as seconds of one core: moving B
// bytes through host memory costs B / memcpy_bandwidth, each I/O operation
// (syscall, RPC) costs per_op_cpu. Busy time is the sum of work charged
// (core-seconds demanded), the utilisation-law measure of CPU cost.
// Sources: memcpy rates of a few GB/s per core are typical of x86 servers;
// the constants are scenario inputs, to be fitted by `offload calibrate`.
#pragma once

#include <simgrid/s4u.hpp>

#include "sim/scenario.hpp"

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Flops per CPU second on every simulated host.
inline constexpr double kFlopsPerCpuSecond = 1e9;

/// The CPU of one simulated host.
class CpuModel {
 public:
  /// Wraps `host` (already created with kFlopsPerCpuSecond per core).
  CpuModel(sg4::Host* host, const sim::CpuSpec& spec) : host_(host), spec_(spec) {}
  /// Starts `cpu_seconds` of one core's work on this host.
  sg4::ExecPtr work_async(double cpu_seconds);
  /// CPU seconds to move `bytes` once through memory, plus one operation.
  double copy_cost_s(double bytes, int operations = 1) const {
    return bytes / spec_.memcpy_Bps + operations * spec_.per_op_s;
  }
  /// Core-seconds charged so far.
  double busy_s() const { return busy_s_; }
  /// The SimGrid host.
  sg4::Host* host() const { return host_; }

 private:
  sg4::Host* host_;
  sim::CpuSpec spec_;
  double busy_s_ = 0;
};

}  // namespace offload::models
