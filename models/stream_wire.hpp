// The wire of a streamed stage (models/host_stream.hpp): its chunks'
// transfers as a share of one weighted flow (models/weighted_flow.hpp) per
// route, instead of one SimGrid comm each. Every streamed stage whose
// chunks go from the same host to the same host shares that route's flow
// (equal comms on one route get equal rates, so one flow standing for all
// of them moves each chunk as its own comm would). A chunk's transfer
// begins when the chunked model would start its comm, moves data once the
// route's latency passed (as that comm would: LV08's latency factor
// included), and ends when its bytes arrived; meanwhile the flow stands for
// as many transfers as are moving data, so the network shares its links as
// it would share the chunked model's comms (exactly so:
// models/weighted_flow.hpp), and the chunks moving data get equal shares of
// the flow's bytes, as equal comms on one route get equal rates (the chunk
// with the fewest bytes left ends first, its share then goes to the others).
// Equal shares make the bookkeeping that of a virtual clock (as a processor-
// sharing device's, models/shared_device.hpp): the route counts the bytes
// each moving chunk received since its flow began, and a chunk joining when
// that count is S with b bytes to move has arrived when it reaches S + b; the
// chunks moving data are kept ordered by that tag, so a join or an arrival
// costs O(log n) in the n chunks on the route.
// The flow runs in segments, each a comm from the sending host (no latency
// of its own: its chunks paid theirs) sized to end exactly when the chunk
// with the fewest bytes left arrives: its bytes left times k. A chunk that
// joins resizes the running segment (its end moves, k grows); the end of a
// segment is a chunk's arrival, and the next segment starts at once. So
// every chunk's arrival is a SimGrid event, at the time the chunked model's
// comm would have ended, however the flow's rate changes meanwhile (other
// flows on its links starting or ending). One flow per route rather than
// per stage: SimGrid re-shares a link among all its flows at every event,
// so a filer's link carries one flow per client, not one per copy.
// The route's helper actor, on the sending host, starts the segments and
// waits for each while chunks move data (suspended in between), and wakes
// the chunks' requests when one arrived (each is followed by a callback,
// run in the kernel); a segment is a mailbox comm that this actor starts
// and waits for (SimGrid 3.32 keeps a host-to-host comm in one list it
// scans whenever one ends, and a comm in its issuer's list until that
// actor waits for it). The route's state changes only in the kernel and
// in the helper's steps between its simcalls, so it needs no lock.
// Each chunk's bytes count on the links of the route when it begins.
// A link of the route that goes down fails the flow: every waiting chunk
// of every stage on the route returns false at once (the stages then
// break, as their comms would fail); stages begun later get a new flow.
// A stage cancelled alone withdraws its chunks from the flow.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <list>
#include <memory>

#include <simgrid/s4u.hpp>

#include "models/network.hpp"
#include "models/weighted_flow.hpp"

namespace offload::models {

/// The chunks of one streamed stage on one route, as one weighted flow.
class StreamWire {
 public:
  /// One chunk's transfer.
  struct Ticket {
    double need;             ///< bytes to move (less what it was credited when it joined)
    double join_s;           ///< simulated time its data starts moving
    double slack;            ///< bytes left that count as arrived (rounding of the segment sizes)
    double tag = 0;          ///< once joined: the route's bytes per moving chunk at which it has arrived
    std::uint64_t order = 0; ///< its begin's rank on the route (chunks arriving at one instant end in it)
    bool joined = false;     ///< moving data (its latency passed)
    bool arrived = false;    ///< every byte arrived
    bool withdrawn = false;  ///< its stage was cancelled first
    std::function<void()> on_end;       ///< follow()'s callback, until it ran
  };
  using TicketPtr = std::shared_ptr<Ticket>;
  /// The stage's chunks from `from` to `to`, about `total_bytes` in all
  /// (their messages' headers included; sets the rounding slack).
  StreamWire(Network& network, sg4::Host* from, sg4::Host* to, double total_bytes);
  ~StreamWire();
  StreamWire(const StreamWire&) = delete;
  StreamWire& operator=(const StreamWire&) = delete;
  /// A chunk's transfer of `bytes` starts now (from an actor or the kernel):
  /// its bytes count on the links; its data moves once the route's latency passed.
  TicketPtr begin(double bytes);
  /// Follows the chunk without an actor: `on_end` runs once in the kernel
  /// when its bytes arrived (`ticket->arrived`), or the wire failed or was
  /// cancelled first (models/kernel_timer.hpp). Call at its begin.
  void follow(const TicketPtr& ticket, std::function<void()> on_end);
  /// Withdraws this stage's chunks from the route's flow (a cancel, a
  /// fault elsewhere, or the stage's end); the other stages' chunks go on.
  void cancel();
  /// True once a link of the route went down under the flow, or cancelled.
  bool stopped() const;

 private:
  struct State;                         // the route's, shared with its stages and helper actor
  std::shared_ptr<State> state_;
  double slack_;                        // each chunk's rounding slack, bytes
  std::list<TicketPtr> mine_;           // this stage's chunks not yet arrived
  bool cancelled_ = false;
};

}  // namespace offload::models
