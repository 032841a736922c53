// A serial lane: CPU work that runs one piece after the other on one core
// of a host, as the work of one TCP connection does (receive-side scaling
// steers a flow's packets to one queue and so one core; NVMe/TCP's per-queue
// io_work and the SunRPC transport of an NFS mount serialise a connection's
// sends and receives). The pieces still compete with every other job on
// the host's cores (models/cpu.hpp). A piece is admitted to the CPU when its
// predecessor ends (from that job's end callback: no actor of its own), so
// a lane never uses more than one core, and the caller waits for its own
// piece, or asks for a callback once it ran (then(): no actor held), or
// neither (a piece nobody waits for still runs and counts).
// Simulation cost: a piece is one CPU job (O(log n) at its start and end);
// only a piece someone has to wait for gets a SimGrid activity (a handle
// that wakes the actors waiting for that piece): most have run before
// their request looks (a data message's stack work, done long before its
// data arrived).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

class SharedDevice;

/// Work queued on one serial lane; wait() blocks until it ran.
class LanePiece {
 public:
  /// Blocks the calling actor until this piece has run (at once if it has).
  void wait();
  /// Runs `callback` in the kernel once this piece has run (later in this
  /// instant if it has): waits without an actor (models/kernel_timer.hpp).
  void then(std::function<void()> callback);
  /// True once the piece has run.
  bool done() const { return done_; }

 private:
  friend class SerialLane;
  explicit LanePiece(double cpu_s) : cpu_s_(cpu_s) {}
  double cpu_s_;
  bool done_ = false;
  sg4::ExecPtr ran_;    // made by the first waiter that has to block; ends when the piece has run
  bool ran_ready_ = false;  // ran_ can be waited (its work set)
  std::vector<std::function<void()>> then_;  // callbacks waiting for its end
};

/// Shared handle on a piece (null: no work was queued).
using LanePiecePtr = std::shared_ptr<LanePiece>;

/// Runs `then` once every piece (none null) has run: at once if all have,
/// else in the kernel when the last one ends (LanePiece::then).
void after_all(const std::vector<LanePiecePtr>& pieces, std::function<void()> then);

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
