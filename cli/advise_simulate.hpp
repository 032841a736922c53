// One simulation through the in-process API (sim/simulation.hpp) in a
// forked child: SimGrid 3.32 runs one simulation per process, and `offload
// advise` runs one per method. The child sends the results record back
// through a pipe and leaves with _exit (no destructors of the parent's state).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/scenario.hpp"

namespace offload::cli {

/// run_simulation(scenario, method) in a child process; throws
/// std::runtime_error with the child's error when it fails.
nlohmann::json simulate_in_child(const sim::Scenario& scenario, const sim::MethodVariant& method);

}  // namespace offload::cli
