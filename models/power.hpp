// The power of a simulated machine or device as SimGrid 3.32's host energy
// plugin reads it: host properties set before the host is sealed (the
// plugin reads them when the host is created, src/plugins/host_energy.cpp).
#pragma once

#include <string>

#include <fmt/core.h>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include "models/specs.hpp"

namespace offload::models {

/// Gives `host` (not sealed yet) `power` as its one pstate's
/// "idle:epsilon:all-cores" wattage_per_state, 0 W when off.
/// True once enable_energy_plugin() ran in this process.
inline bool& energy_plugin_on() {
  static bool on = false;
  return on;
}

/// Initialises SimGrid's host energy plugin (before the platform is made).
inline void enable_energy_plugin() {
  sg_host_energy_plugin_init();
  energy_plugin_on() = true;
}

/// Brings `host`'s energy up to now at its load so far (before a change of
/// load SimGrid's plugin is not told of: models/shared_device.hpp).
inline void account_energy_until_now(simgrid::s4u::Host* host) {
  if (energy_plugin_on()) sg_host_get_consumed_energy(host);
}

inline void set_host_power(simgrid::s4u::Host* host, const PowerSpec& power) {
  host->set_property("wattage_per_state", fmt::format("{}:{}:{}", power.idle_W, power.epsilon_W, power.all_cores_W));
  host->set_property("wattage_off", "0");
}

}  // namespace offload::models
