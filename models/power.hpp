// The power of a simulated machine or device as SimGrid 3.32's host energy
// plugin reads it: host properties set before the host is sealed (the
// plugin reads them when the host is created, src/plugins/host_energy.cpp).
#pragma once

#include <string>

#include <fmt/core.h>
#include <simgrid/s4u.hpp>

#include "models/specs.hpp"

namespace offload::models {

/// Gives `host` (not sealed yet) `power` as its one pstate's
/// "idle:epsilon:all-cores" wattage_per_state, 0 W when off.
inline void set_host_power(simgrid::s4u::Host* host, const PowerSpec& power) {
  host->set_property("wattage_per_state", fmt::format("{}:{}:{}", power.idle_W, power.epsilon_W, power.all_cores_W));
  host->set_property("wattage_off", "0");
}

}  // namespace offload::models
