// The power of a simulated machine or device and the energy it consumes,
// as SimGrid 3.32's host energy plugin computes them
// (src/plugins/host_energy.cpp, one pstate, "idle:epsilon:all-cores"
// watts): idle W while no core is busy, else epsilon + (all-cores -
// epsilon) x load W, load = busy cores / cores. The busy cores are those the
// processor-sharing devices on the host use (models/shared_device.hpp:
// min(jobs, servers)), which is what SimGrid's CPU model would show as the
// host's load had each job been an Exec; the energy is that power integrated
// exactly between the changes of load. Computed here rather than by the
// plugin from SimGrid Execs loading the host: those cost an Exec suspended
// or resumed, an LMM update and the plugin's bookkeeping at every change
// (a disk changes at each I/O when it idles between them), 4 % of the
// instructions of 1,000 streamed copies. Leaves out: pstates, a host
// turned off (no model turns one off).
#pragma once

#include <simgrid/s4u.hpp>

#include "models/specs.hpp"

namespace offload::models {

/// Records `host`'s power, from the simulation's start (call before it runs).
void set_host_power(simgrid::s4u::Host* host, const PowerSpec& power);

/// From now on `host` has `delta` more cores busy (negative: fewer).
void add_busy_cores(simgrid::s4u::Host* host, int delta);

/// Joules `host` consumed from the simulation's start until now (0 for a host with no power set).
double consumed_energy_J(simgrid::s4u::Host* host);

}  // namespace offload::models
