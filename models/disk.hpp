// Disk model: one device whose time is shared by the I/Os in flight
// (processor sharing). Reading B bytes needs B / read_bandwidth seconds of
// the device, writing B bytes B / write_bandwidth; n concurrent I/Os each
// get 1/n of the device. So a lone read runs at read_bandwidth, a lone
// write at write_bandwidth, and a copy that reads and writes the same disk
// at once moves B bytes in B / read + B / write seconds (the utilisation
// law: the disk is busy for exactly its service demand). The sharing is
// computed exactly in virtual time (models/shared_device.hpp): an I/O's
// start or end costs O(log n) at n I/Os in flight. SimGrid 3.32's own disk
// model, and an Exec per I/O on a device host, re-share the device among
// every I/O in flight on every start and end (quadratic at thousands of
// copies; its disk model also keeps finished Ios in the issuing actor's
// list). The device is a dedicated one-core SimGrid host, busy while the
// disk is (its energy: models/power.hpp).
// A per-I/O latency (seek, flash program time) is a sleep before the
// transfer. Busy time is service demand: bytes / bandwidth + latency per I/O.
// Leaves out: queueing order inside the device (no elevator, no NCQ
// reordering, no read/write priority), caches, and any limit on the I/Os
// in flight.
#pragma once

#include <string>

#include <simgrid/s4u.hpp>

#include "models/shared_device.hpp"
#include "models/specs.hpp"

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Direction of a disk transfer.
enum class DiskOp { read, write };

/// One simulated disk with accounting.
class DiskModel {
 public:
  /// Creates the disk `name` of `host` (as a host "disk:NAME" in the
  /// host's zone; call before the zone is sealed).
  DiskModel(sg4::Host* host, const std::string& name, const DiskSpec& spec);
  /// Starts a transfer without the latency (the caller pays latency_s() once
  /// for a group of activities started together). The handle ends with the
  /// transfer (wait(), test(), Activity::wait_any_for; get_remaining() is 0
  /// until then); cancel() takes it out of the sharing.
  sg4::ExecPtr start(double bytes, DiskOp op);
  /// The same with no handle: `on_end` runs in the kernel when the transfer
  /// ended (it cannot be cancelled; models/shared_device.hpp).
  void start(double bytes, DiskOp op, std::function<void()> on_end);
  /// Per-I/O latency, seconds.
  double latency_s() const { return spec_.latency_s; }
  /// Service demand so far, seconds.
  double busy_s() const { return busy_s_; }
  /// Bytes read so far.
  double read_bytes() const { return read_bytes_; }
  /// Bytes written so far.
  double write_bytes() const { return write_bytes_; }
  /// The device's SimGrid host (its busy time is the disk's).
  sg4::Host* device() const { return device_; }
  /// Disk name.
  const std::string& name() const { return name_; }

 private:
  double account(double bytes, DiskOp op);  // counts a transfer; returns its service seconds
  sg4::Host* device_;
  std::string name_;
  DiskSpec spec_;
  double busy_s_ = 0;
  double read_bytes_ = 0;
  double write_bytes_ = 0;
  SharedDevice shared_;
};

/// Flops per second of a disk's device host (one flop a nanosecond; only its load, 1 while the disk is busy, is read).
inline constexpr double kDeviceFlopsPerSecond = 1e9;

}  // namespace offload::models
