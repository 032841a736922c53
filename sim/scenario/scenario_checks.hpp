// Checks of a parsed scenario that need the whole platform at once (no
// SimGrid here): every name the simulator derives from the scenario's names
// is unique in its SimGrid namespace, and the simulation fits in memory.
#pragma once

#include <string>

#include "sim/scenario/scenario.hpp"

namespace offload::sim {

/// Throws ScenarioError ("FILE:LINE: [[link]] 'client-nic': ...") when two
/// entries would give SimGrid one name: hosts and group members (NAME-i),
/// their disks ("disk:NAME-disk"), servers and arrays, shared links and the
/// private NIC/port links the platform derives (NAME-nic, NAME-port).
void check_derived_names(const Scenario& scenario);

/// What a run of one sweep point is expected to hold in memory.
struct MemoryEstimate {
  double bytes = 0;         ///< estimated peak resident bytes of offload-sim-run
  std::size_t netpoints = 0;  ///< SimGrid hosts (incl. the disks' device hosts)
  double copies_in_flight = 0;  ///< engine copies running at once, all hosts
  std::string breakdown;    ///< one line: "routing table 80.0 GB (100,003 hosts squared) + ..."
};

/// The estimate for `scenario` run with `method` (null: the costliest of
/// its methods). Constants fitted to offload-sim-run's peak RSS on SimGrid
/// 3.32 (bench/README.md, "Simulator memory"; sim/scenario/scenario_checks.cpp
/// gives each one's value and rows).
MemoryEstimate estimate_memory(const Scenario& scenario, const MethodVariant* method = nullptr);

/// Bytes this machine can still give a process (MemAvailable in
/// /proc/meminfo; 0 when unknown).
double available_memory_bytes();

/// Throws ScenarioError naming the file, the estimate and its breakdown when
/// `scenario` would need more than `available_bytes` (0 = no check).
/// `method` as for estimate_memory.
void check_memory(const Scenario& scenario, double available_bytes, const MethodVariant* method = nullptr);

}  // namespace offload::sim
