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
// it gets from a fresh mailbox into which an idle sender actor of the
// sending host (a pool, grown on demand) puts. Either way the comm starts
// at once on the route between the two hosts, as a sendto comm would, so
// the simulated times are the same.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Transfers between simulated hosts, with per-link byte counts.
class Network {
 public:
  Network();
  ~Network();
  /// Records the links (names) on the route between two hosts, both ways.
  void add_route(sg4::Host* a, sg4::Host* b, std::vector<std::string> link_names);
  /// True when a route joins the two hosts.
  bool connected(sg4::Host* a, sg4::Host* b) const;
  /// Starts sending `bytes` (0 = a message that only pays latency); call
  /// from an actor on `from` or on `to`.
  sg4::CommPtr send_async(sg4::Host* from, sg4::Host* to, double bytes);
  /// Sends and waits.
  void send(sg4::Host* from, sg4::Host* to, double bytes) { send_async(from, to, bytes)->wait(); }
  /// Bytes carried by each link so far (both directions).
  const std::map<std::string, double>& link_bytes() const { return link_bytes_; }

 private:
  struct Endpoint;
  Endpoint& endpoint(sg4::Host* host);
  sg4::Mailbox* free_mailbox();
  std::map<std::pair<sg4::Host*, sg4::Host*>, std::vector<std::string>> routes_;
  std::map<std::string, double> link_bytes_;
  std::map<sg4::Host*, std::unique_ptr<Endpoint>> endpoints_;
  std::vector<sg4::Mailbox*> free_mailboxes_;  // for transfers pulled by their receiver
  int mailboxes_ = 0;
};

}  // namespace offload::models
