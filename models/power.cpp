#include "models/power.hpp"

#include <algorithm>
#include <unordered_map>

namespace offload::models {
namespace {

/// One host's power and the energy integrated so far.
struct HostPower {
  PowerSpec power;
  double cores = 1;
  int busy = 0;             // cores busy now
  double since_s = 0;       // simulated time the energy was integrated up to
  double energy_J = 0;

  double watts() const {
    if (busy <= 0) return power.idle_W;
    double load = std::min(1.0, busy / cores);
    return power.epsilon_W + load * (power.all_cores_W - power.epsilon_W);
  }

  void integrate_to(double now) {
    if (now > since_s) energy_J += watts() * (now - since_s);
    since_s = now;
  }
};

/// Every powered host of this process's simulation (one per process;
/// set_host_power() starts a host afresh).
std::unordered_map<const simgrid::s4u::Host*, HostPower>& hosts() {
  static std::unordered_map<const simgrid::s4u::Host*, HostPower> powered;
  return powered;
}

}  // namespace

void set_host_power(simgrid::s4u::Host* host, const PowerSpec& power) {
  hosts()[host] = HostPower{.power = power,
                            .cores = static_cast<double>(std::max(1, host->get_core_count())),
                            .since_s = simgrid::s4u::Engine::get_clock()};
}

void add_busy_cores(simgrid::s4u::Host* host, int delta) {
  auto it = hosts().find(host);
  if (it == hosts().end() || delta == 0) return;
  it->second.integrate_to(simgrid::s4u::Engine::get_clock());
  it->second.busy += delta;
}

double consumed_energy_J(simgrid::s4u::Host* host) {
  auto it = hosts().find(host);
  if (it == hosts().end()) return 0;
  it->second.integrate_to(simgrid::s4u::Engine::get_clock());
  return it->second.energy_J;
}

}  // namespace offload::models
