// Network model: SimGrid split-duplex links (full duplex, as Ethernet and
// FC are) with bandwidth and latency, shared fairly among the flows that
// cross them (LV08 by default: TCP-calibrated; CM02 without cross-traffic
// for closed-form checks). Every transfer adds its bytes to each link of
// its route, so results report bytes on every link.
// A transfer is a mailbox comm between an actor on each end, not
// Comm::sendto_async: SimGrid 3.32 keeps every sendto comm in one global
// list that it scans to remove each finished one (quadratic at thousands of
// transfers in flight). When the calling actor is on the sending host, it
// puts into the receiving host's inbox, whose permanent receiver (a daemon
// on that host) collects finished comms; when it is on the receiving host,
// it gets from a free mailbox into which a sender actor of the sending
// host (models/actor_pool.hpp) puts. Either way the comm starts
// at once on the route between the two hosts, as a sendto comm would, so
// the simulated times are the same.
// A link can go down (sim/faults.hpp): SimGrid 3.32 then fails every comm
// crossing it, in flight or new, with NetworkFailureException. A Transfer
// catches it, waits until every link of its route is up again and sends
// the whole message again (an RPC or SCSI command retransmitted on a new
// connection: the part sent before the failure is lost; the bytes count
// again on the links), counting a retry against the copy whose operation
// the calling actor runs. So a short outage delays a copy by about its
// duration and never fails it.
// Every message also costs both ends' TCP and storage-protocol stack CPU
// (CpuModel::message_work, on the connection's serial lane, started with the
// comm): wait() returns when the message arrived and both ends processed it.
// A resent message costs it again. Bytes are counted per link and per
// direction (for the utilisation of each direction of a full-duplex link).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

#include "models/serial_lane.hpp"

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// What faults did to one copy, counted by the models while they run its operations.
struct FaultTally {
  double retries = 0;         ///< messages or RPCs sent again after a link or server outage
  double redrives = 0;        ///< asynchronous COPYs restarted from the start after a server restart
  double callbacks_lost = 0;  ///< CB_OFFLOADs dropped: the copy ended by OFFLOAD_STATUS polling
};

/// A simulated target that counts what faults did to its copy.
class FaultCounted {
 public:
  virtual ~FaultCounted() = default;
  /// Shared with the results (the target ends before they are written).
  std::shared_ptr<FaultTally> tally = std::make_shared<FaultTally>();
};

/// The tally of the copy whose operation the calling actor runs (its actor
/// data is that operation's target as a FaultCounted, set by SimRuntime); nullptr if none.
FaultTally* current_tally();

class Network;

/// A message under way; wait() survives link outages (see above).
class Transfer {
 public:
  Transfer(Network& network, sg4::Host* from, sg4::Host* to, double bytes, sg4::CommPtr comm);
  /// Blocks until the message arrived (resending it after outages) and both
  /// ends' stacks processed it.
  void wait();
  /// After the comm failed: waits until the route is up and sends the whole
  /// message again (wait() then waits for the new attempt).
  void resend();
  /// The comm of the latest attempt.
  const sg4::CommPtr& comm() const { return comm_; }

 private:
  Network* network_;
  sg4::Host* from_;
  sg4::Host* to_;
  void charge_stacks();
  double bytes_;
  sg4::CommPtr comm_;
  LanePiecePtr send_work_;     // the sender's stack work, if any
  LanePiecePtr receive_work_;  // the receiver's
};

/// Transfers between simulated hosts, with per-link byte counts.
class Network {
 public:
  Network();
  ~Network();
  /// Records the links (names) on the route from `a` to `b`, each with the
  /// direction it is crossed in (true: UP) from `a` to `b`; the route from
  /// `b` to `a` crosses them the other way.
  void add_route(sg4::Host* a, sg4::Host* b, const std::vector<std::string>& link_names, const std::vector<bool>& up);
  /// Creates the inbox of every host with a route; call once the platform
  /// is sealed, before the simulation runs.
  void open_endpoints();
  /// True when a route joins the two hosts.
  bool connected(sg4::Host* a, sg4::Host* b) const;
  /// Starts sending `bytes` (0 = a message that only pays latency); call
  /// from an actor on `from` or on `to`.
  Transfer send_async(sg4::Host* from, sg4::Host* to, double bytes);
  /// Starts a comm of `bytes` with no stack work and no resending (a
  /// streamed stage, models/host_stream.hpp, handles both itself); bytes
  /// count on the links as send_async's do.
  sg4::CommPtr start_flow(sg4::Host* from, sg4::Host* to, double bytes) { return start(from, to, bytes); }
  /// Adds `bytes` sent from `from` to `to` to the byte counts of each link
  /// of their route (a streamed stage's wire, models/stream_wire.hpp, counts
  /// each chunk when it starts, as start_flow would).
  void count(sg4::Host* from, sg4::Host* to, double bytes);
  /// One link of a route, crossed in one direction.
  struct Hop {
    std::string link;         ///< the [[link]]'s name
    bool up;                  ///< crossed in its UP direction
    double* bytes;            ///< link_bytes()[link], both directions
    double* direction_bytes;  ///< this direction's bytes
  };
  /// The links of the route from `from` to `to`, for count(hops, bytes)
  /// (valid as long as this network; throws std::logic_error without a route).
  const std::vector<Hop>& hops(sg4::Host* from, sg4::Host* to) const;
  /// count() along hops(): no lookup of the route.
  static void count(const std::vector<Hop>& hops, double bytes);
  /// The inbox of `host` (its drain receives what is put there).
  sg4::Mailbox* inbox(sg4::Host* host);
  /// Starts a comm of `size` bytes from the calling actor's host into
  /// `inbox` (it starts at once: the inbox's drain receives it), counting
  /// no bytes on the links (a streamed stage's wire counts its chunks itself).
  static sg4::CommPtr put_into(sg4::Mailbox* inbox, std::uint64_t size);
  /// Runs `task` on one of `host`'s helper actors (those that send the
  /// messages pulled from it): a short job of a server reuses them instead of
  /// an actor of its own. Call from an actor, after open_endpoints().
  void run_on_helper(sg4::Host* host, std::function<void()> task);
  /// Starts a daemon actor named `name` on `host` running `body`, with the
  /// network's helpers' stack (from an actor or the kernel).
  sg4::ActorPtr start_helper(sg4::Host* host, const std::string& name, std::function<void()> body);
  /// The state of the streamed stages' flow from `from` to `to`, shared by
  /// every stage on that route (models/stream_wire.hpp keeps it here: one per
  /// route and simulation; expired once no stage holds it).
  std::weak_ptr<void>& stream_route(sg4::Host* from, sg4::Host* to) { return stream_routes_[{from, to}]; }
  /// Sends and waits.
  void send(sg4::Host* from, sg4::Host* to, double bytes) { send_async(from, to, bytes).wait(); }
  /// Turns the [[link]] `name` off (both directions): comms across it fail.
  /// Outages may overlap: the link is up again when the last one ends.
  void link_down(const std::string& name);
  /// Calls `broken` (once) when a link between `a` and `b` goes down: a
  /// streamed stage (models/host_stream.hpp) stops at once, as its
  /// chunks' requests would fail. Returns a handle for forget().
  int watch_route(sg4::Host* a, sg4::Host* b, std::function<void()> broken);
  /// Drops a watcher (its stage ended).
  void forget(int handle) { watchers_.erase(handle); }
  /// Turns it on again and wakes the transfers waiting for it.
  void link_up(const std::string& name);
  /// Blocks the calling actor until every link between the two hosts is up.
  void wait_route_up(sg4::Host* from, sg4::Host* to);
  /// Runs `then` in the kernel once every link between the two hosts is up
  /// (later in this instant if they are): wait_route_up() without an actor.
  void when_route_up(sg4::Host* from, sg4::Host* to, std::function<void()> then);
  /// Counts a message resent after an outage (in `tally` too, its copy's; nullptr: none).
  void count_resend(FaultTally* tally) {
    retries_ += 1;
    if (tally != nullptr) tally->retries += 1;
  }
  /// Messages resent after an outage, all copies.
  double retries() const { return retries_; }
  /// Bytes carried by each link so far (both directions).
  const std::map<std::string, double>& link_bytes() const { return link_bytes_; }
  /// Bytes each link carried in its busier direction so far.
  double busier_direction_bytes(const std::string& link) const;

 private:
  struct Endpoint;
  Endpoint& endpoint(sg4::Host* host);
  sg4::Mailbox* free_mailbox();
  sg4::CommPtr start(sg4::Host* from, sg4::Host* to, double bytes);
  friend class Transfer;

  std::map<std::pair<sg4::Host*, sg4::Host*>, std::vector<Hop>> routes_;
  std::map<std::string, double> link_bytes_;
  std::map<std::string, std::pair<double, double>> direction_bytes_;  // link -> (UP, DOWN) bytes
  std::map<sg4::Host*, std::unique_ptr<Endpoint>> endpoints_;
  std::vector<sg4::Mailbox*> free_mailboxes_;  // for transfers pulled by their receiver
  std::map<std::pair<sg4::Host*, sg4::Host*>, std::weak_ptr<void>> stream_routes_;
  int mailboxes_ = 0;
  std::map<std::string, int> down_links_;     // link -> outages under way (they may overlap)
  sg4::MutexPtr state_mutex_ = sg4::Mutex::create();
  sg4::ConditionVariablePtr link_came_up_ = sg4::ConditionVariable::create();
  double retries_ = 0;
  bool route_down(sg4::Host* from, sg4::Host* to) const;
  std::vector<std::pair<std::pair<sg4::Host*, sg4::Host*>, std::function<void()>>> route_waiters_;  // when_route_up()
  std::map<int, std::pair<std::pair<sg4::Host*, sg4::Host*>, std::function<void()>>> watchers_;
  int next_watcher_ = 0;
};

}  // namespace offload::models
