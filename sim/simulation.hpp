// One simulation run: a scenario at one sweep point, one method, in this
// process (SimGrid 3.32 runs one simulation per process: call once).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"

namespace offload::sim {

/// Runs the scenario's workload with every host's engine asked for
/// `method`; returns the results record (copies, summary, metrics).
/// Throws ScenarioError for platform errors found while building.
nlohmann::json run_simulation(const Scenario& scenario, const MethodVariant& method);

}  // namespace offload::sim
