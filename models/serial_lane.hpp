// A serial lane: CPU work that runs one piece after the other on one core
// of a host, as the work of one TCP connection does (receive-side scaling
// steers a flow's packets to one queue and so one core; NVMe/TCP's per-queue
// io_work and the SunRPC transport of an NFS mount serialise a connection's
// sends and receives). The pieces still compete with every other job on
// the host's cores (models/cpu.hpp). A piece is admitted to the CPU when its
// predecessor ends (from that job's end callback: no actor of its own), so
// a lane never uses more than one core, and the caller waits for its own
// piece (or not: a piece nobody waits for still runs and counts).
// Simulation cost: a piece is one CPU job (O(log n) at its start and end)
// and its handle, which wakes only the actors waiting for that piece.
#pragma once

#include <deque>
#include <memory>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

class SharedDevice;

/// Work queued on one serial lane; wait() blocks until it ran.
class LanePiece {
 public:
  /// Blocks the calling actor until this piece has run (at once if it has).
  void wait() { ran_->wait(); }

 private:
  friend class SerialLane;
  explicit LanePiece(double cpu_s) : cpu_s_(cpu_s), ran_(sg4::Exec::init()->set_flops_amount(0)) {}
  double cpu_s_;
  sg4::ExecPtr ran_;  // ends when the piece has run
};

/// Shared handle on a piece (null: no work was queued).
using LanePiecePtr = std::shared_ptr<LanePiece>;

/// One core's worth of serial work on a host's CPU.
class SerialLane {
 public:
  /// A lane on `cpu` (the host's cores, shared with all its other work).
  explicit SerialLane(SharedDevice& cpu) : cpu_(cpu) {}
  /// Queues `cpu_s` seconds of one core's work; returns the piece to wait for.
  LanePiecePtr submit(double cpu_s);

 private:
  void start_head();  // admits the first queued piece to the CPU
  SharedDevice& cpu_;
  std::deque<LanePiecePtr> queue_;  // the running piece first
};

}  // namespace offload::models
