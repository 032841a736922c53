// A weighted flow: one long-lived SimGrid comm that takes the bandwidth k
// equal transfers on its route would take, with k changed as it runs.
// SimGrid's max-min sharing (CM02/LV08) gives a flow of sharing penalty p
// the rate R / (p x U) at a saturated link, where U sums 1 / penalty over
// the link's flows; k flows of penalty p on one route thus get exactly what
// one flow of penalty p / k gets, on every link of the route, the 5 %
// cross-traffic of its reverse route included. Each flow is also bounded
// (the smallest link bandwidth of its route and TCP's window: gamma / (2 x
// route latency), LV08's "TCP-gamma"); the one flow gets k times that bound.
// So a streamed stage keeps one LMM variable where the chunked model has one
// per chunk in flight, and a chunk's start or end is one change of k instead
// of a comm created, enabled after its latency, and freed.
// With k = 0 the flow is held: its bound drops to kHeldRate (it stays in
// the sharing, so SimGrid's lazy accounting of its progress stays right).
// Uses SimGrid 3.32's kernel resource API (simgrid/kernel/resource/Action.hpp,
// Model.hpp: the comm's Action, its sharing penalty and its bound); the one
// comm's penalty and bound are computed as SimGrid's CM02/LV08 compute them
// (its network action keeps them where the public API cannot read them).
// While the comm pays its latency SimGrid keeps its variable disabled and
// enables it with one comm's penalty when the latency ends (a change made
// then would drop that event): k is applied at the first call of
// set_streams() or moved() from data_start_s() on, so its owner
// calls one of them then.
#pragma once

#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// One comm standing for k equal transfers on its route.
class WeightedFlow {
 public:
  /// Bytes per second a held flow (k = 0) may still move: nothing of note.
  static constexpr double kHeldRate = 1e-3;
  /// Starts a comm of `bytes` from `from` to `to` standing for one transfer
  /// (a host-to-host comm: SimGrid 3.32 keeps those in one list it scans at
  /// each end, so models use the next constructor); call from an actor.
  /// `pays_latency` false: it continues transfers whose latency passed, so
  /// its data moves at once (continuation_size()).
  WeightedFlow(sg4::Host* from, sg4::Host* to, double bytes, bool pays_latency = true);
  /// Stands for one transfer of `bytes` carried by `comm`, just started from
  /// `from` to `to`: with a payload of continuation_size() if `pays_latency`
  /// is false. Throws std::runtime_error when SimGrid's action of the comm
  /// cannot be found (a network model without one).
  WeightedFlow(sg4::CommPtr comm, sg4::Host* from, sg4::Host* to, double bytes, bool pays_latency);
  /// What SimGrid's CM02/LV08 give each comm of one route: fixed for the
  /// route, so a caller starting many comms on it computes them once.
  struct RouteTerms {
    double penalty;     ///< sharing penalty of one comm
    double window_Bps;  ///< TCP's window over the round trip, bytes/s (-1: none)
    double latency_s;   ///< the route's latency times the network model's latency factor
  };
  /// The terms of the route from `from` to `to`.
  static RouteTerms route_terms(sg4::Host* from, sg4::Host* to);
  /// As above, with the route's terms given.
  WeightedFlow(sg4::CommPtr comm, const RouteTerms& terms, double bytes, bool pays_latency);
  /// A payload size (bytes) that makes the next comm started with it skip
  /// the route's latency (a latency factor of 0, through SimGrid's
  /// latency-factor callback, which gives every other comm the configured
  /// factor, as SimGrid would). The comm's bytes are then set apart.
  static std::uint64_t continuation_size();
  /// Cancels the comm if it still runs.
  ~WeightedFlow();
  WeightedFlow(const WeightedFlow&) = delete;
  WeightedFlow& operator=(const WeightedFlow&) = delete;
  /// Seconds from the start until data moves: the route's latency times the
  /// network model's latency factor, what each transfer it stands for pays.
  double latency_s() const { return latency_s_; }
  /// Simulated time its data starts moving (start + latency_s()).
  double data_start_s() const { return data_start_s_; }
  /// From now on it stands for `streams` >= 0 equal transfers (from
  /// data_start_s() if called before).
  void set_streams(int streams);
  /// Bytes moved since the start: all of them once its comm was waited to
  /// its end, else (ended, not waited for, failed or cancelled) what it had
  /// moved when last asked while running.
  double moved();
  /// True while the comm runs (not finished, failed or cancelled).
  bool running() const;
  /// From now on `remaining` bytes are left (it ends once they moved) and
  /// it stands for `streams` transfers; SimGrid plans its end again. Only
  /// while running() and past its latency.
  void resize(double remaining, int streams);
  /// True once its comm failed (seen by a wait: a link of its route went
  /// down) or was cancelled. SimGrid 3.32's test() of a failed comm reports
  /// it done, so only the actor that waits for the comm learns it failed.
  bool failed() const;
  /// The comm: wait for it, or see it fail when a link of its route goes down.
  const sg4::CommPtr& comm() const { return comm_; }

 private:
  static void allow_continuations();  // installs the latency-factor callback, once per simulation
  void apply();  // sets the penalty and bound for streams_ (once the latency passed)
  bool in_latency() const;
  sg4::CommPtr comm_;
  simgrid::kernel::resource::Action* action_ = nullptr;  // valid while running()
  double size_ = 0;  // bytes: moved() = size_ - what is left
  double penalty_ = 1;   // one transfer's sharing penalty
  double bound_ = -1;    // one transfer's rate bound, bytes/s of the LMM variable (-1: none)
  double latency_s_ = 0;
  int streams_ = 1;
  double data_start_s_ = 0;
  bool pending_ = false;  // k not applied yet (set during the latency)
  double last_moved_ = 0;  // bytes, when last asked while running
};

}  // namespace offload::models
