// Disk model: a SimGrid disk with separate read and write bandwidths that
// also share one read+write limit of max(read, write) (SimGrid's default),
// so a server-side copy that reads and writes one disk at once gets about
// half of it each way. A per-I/O latency (seek, flash program time) is a
// sleep before the transfer, since SimGrid disks have none of their own.
// Busy time is service demand: bytes / bandwidth + latency per I/O.
#pragma once

#include <string>

#include <simgrid/s4u.hpp>

#include "sim/scenario.hpp"

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One simulated disk with accounting.
class DiskModel {
 public:
  /// Creates the disk `name` on `host`.
  DiskModel(sg4::Host* host, const std::string& name, const sim::DiskSpec& spec);
  /// Starts a transfer without the latency (the caller pays latency_s() once
  /// for a group of activities started together).
  sg4::IoPtr start(double bytes, sg4::Io::OpType type);
  /// Per-I/O latency, seconds.
  double latency_s() const { return spec_.latency_s; }
  /// Reads `bytes` (blocks the calling actor: latency, then transfer).
  void read(double bytes) { transfer(bytes, sg4::Io::OpType::READ); }
  /// Writes `bytes`.
  void write(double bytes) { transfer(bytes, sg4::Io::OpType::WRITE); }
  /// Service demand so far, seconds.
  double busy_s() const { return busy_s_; }
  /// Bytes read so far.
  double read_bytes() const { return read_bytes_; }
  /// Bytes written so far.
  double write_bytes() const { return write_bytes_; }
  /// Disk name.
  const std::string& name() const { return name_; }

 private:
  void transfer(double bytes, sg4::Io::OpType type);
  sg4::Disk* disk_;
  std::string name_;
  sim::DiskSpec spec_;
  double busy_s_ = 0;
  double read_bytes_ = 0;
  double write_bytes_ = 0;
};

}  // namespace offload::models
