// The tables `offload sim` prints: one line per run (with the speed-up over
// host and, when anything went wrong, the faults and recoveries), and one
// line per copy when a run had faults, retries, redrives, lost callbacks or
// fallbacks (a run's speed-up is its slowest copy's, so a copy that went
// three times as fast hides behind "1.00x"). Numbers follow engine/units.hpp.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace offload::cli {

/// One line per run of results.json: makespan, throughput (or time per copy
/// for clones), shared network bytes, CPU per GiB, bound, speed-up over host
/// at the same point, and fault/recovery counts when any run has some.
std::string runs_table(const nlohmann::json& runs);

/// One line per copy when any run had faults or recoveries, else "": its
/// time, its speed-up over host's same copy, the methods it used, retries,
/// redrives, lost callbacks and each fallback with its errno.
std::string copies_table(const nlohmann::json& runs);

}  // namespace offload::cli
