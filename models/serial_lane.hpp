// A serial lane: CPU work that runs one piece after the other on one core
// of a host, as the work of one TCP connection does (receive-side scaling
// steers a flow's packets to one queue and so one core; NVMe/TCP's per-queue
// io_work and the SunRPC transport of an NFS mount serialise a connection's
// sends and receives). The pieces still compete with every other Exec on
// the host's cores. One daemon actor per lane runs the queue; a piece is
// started when its predecessor ends, so a lane never uses more than one
// core, and the caller waits for its own piece (or not: a piece nobody waits
// for still runs and counts).
// Simulation cost: a waiter sleeps on a condition variable of its own piece
// (made when it first has to wait), so the end of a piece wakes only the
// actor waiting for that piece, and a new piece only the lane's actor: with
// one variable per lane, every wake-up woke every waiter of the connection
// (each a SimGrid sleep action), quadratic in the messages queued on it.
#pragma once

#include <deque>
#include <memory>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Work queued on one serial lane; wait() blocks until it ran.
class LanePiece {
 public:
  /// Blocks the calling actor until this piece has run (at once if it has).
  void wait();

 private:
  friend class SerialLane;
  explicit LanePiece(double flops, sg4::MutexPtr mutex) : flops_(flops), mutex_(std::move(mutex)) {}
  double flops_;
  bool done_ = false;
  sg4::MutexPtr mutex_;              // the lane's
  sg4::ConditionVariablePtr ran_;    // made by the first waiter that has to block
};

/// Shared handle on a piece (null: no work was queued).
using LanePiecePtr = std::shared_ptr<LanePiece>;

/// One core's worth of serial work on `host`.
class SerialLane {
 public:
  explicit SerialLane(sg4::Host* host) : host_(host) {}
  /// Queues `flops` of work; returns the piece to wait for.
  LanePiecePtr submit(double flops);

 private:
  void serve();
  sg4::Host* host_;
  bool started_ = false;
  std::deque<LanePiecePtr> queue_;
  sg4::MutexPtr mutex_ = sg4::Mutex::create();
  sg4::ConditionVariablePtr queued_ = sg4::ConditionVariable::create();  // only the lane's actor waits on it
};

}  // namespace offload::models
