// Energy of a simulated run. Hosts and disks: SimGrid 3.32's host energy
// model, integrated from their busy cores (models/power.hpp); every host
// gets its power when the platform is made. Links: SimGrid's link energy model
// (idle + (busy - idle) x usage / bandwidth, src/plugins/link_energy.cpp)
// integrated from the bytes each link carried: the integral of usage over
// time is the bytes. SimGrid 3.32's link energy plugin itself is not used:
// it crashes when an actor blocked in a receive is killed at the end of
// the simulation (its completion hook asks the route of a comm that has no
// sender; every simulated host's inbox actor is one).
// The meter charges one interval: from the first copy's submit to the end
// of the last copy (the run's makespan when every copy completes).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>

#include "models/network.hpp"
#include "sim/scenario/scenario.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// Which part of the path a powered host, disk or link belongs to.
enum class EnergyPart { client, server, network };

/// One thing that draws power: a host (CPU or disk device) or a full-duplex link.
struct EnergySource {
  EnergyPart part = EnergyPart::client;  ///< whose energy it is
  std::string name;                      ///< as reported: host, disk or link name
  sg4::Host* host = nullptr;             ///< the host or disk device (nullptr for a link)
  double bandwidth_Bps = 0;              ///< a link's bandwidth, bytes/s each direction
};

/// Reads the energy every source has consumed at the start and at the end
/// of the charged interval.
class EnergyMeter {
 public:
  /// `network` counts the links' bytes; `link_power` is every link's power.
  EnergyMeter(std::vector<EnergySource> sources, const models::Network& network, const LinkPowerSpec& link_power)
      : sources_(std::move(sources)), network_(network), link_power_(link_power) {}
  /// Starts the interval now (call from an actor).
  void start();
  /// Ends the interval now (call from an actor).
  void stop();
  /// {"start_s", "end_s", "interval_s", "client_J", "server_J", "network_J",
  /// "total_J", the same per GiB of `moved_bytes` ("client_J_per_GiB", ...),
  /// "by_source": {name: J}}; zero joules when the interval never ended.
  nlohmann::json json(double moved_bytes) const;

 private:
  std::vector<double> read() const;  // joules of hosts, bytes of links
  std::vector<EnergySource> sources_;
  const models::Network& network_;
  LinkPowerSpec link_power_;
  std::vector<double> at_start_, at_end_;
  double start_s_ = 0, end_s_ = 0;
};

}  // namespace offload::sim
