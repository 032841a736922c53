// Network model: SimGrid split-duplex links (full duplex, as Ethernet and
// FC are) with bandwidth and latency, shared fairly among the flows that
// cross them (LV08 by default: TCP-calibrated; CM02 without cross-traffic
// for closed-form checks). Every transfer adds its bytes to each link of
// its route, so results report bytes on every link.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Transfers between simulated hosts, with per-link byte counts.
class Network {
 public:
  /// Records the links (names) on the route between two hosts, both ways.
  void add_route(sg4::Host* a, sg4::Host* b, std::vector<std::string> link_names);
  /// True when a route joins the two hosts.
  bool connected(sg4::Host* a, sg4::Host* b) const;
  /// Starts sending `bytes` (0 = a message that only pays latency).
  sg4::CommPtr send_async(sg4::Host* from, sg4::Host* to, double bytes);
  /// Sends and waits.
  void send(sg4::Host* from, sg4::Host* to, double bytes) { send_async(from, to, bytes)->wait(); }
  /// Bytes carried by each link so far (both directions).
  const std::map<std::string, double>& link_bytes() const { return link_bytes_; }

 private:
  std::map<std::pair<sg4::Host*, sg4::Host*>, std::vector<std::string>> routes_;
  std::map<std::string, double> link_bytes_;
};

}  // namespace offload::models
