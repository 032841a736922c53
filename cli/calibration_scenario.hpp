// TOML written by `offload calibrate`: the scenario fragment (one [[host]]
// per measured filesystem, with the fitted constants) and, for validation,
// a whole scenario per filesystem that replays the measured copies
// (sizes x queue depths x methods) on that host.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/calibration_fit.hpp"
#include "engine/engine.hpp"

namespace offload::cli {

/// Name of the fragment's [[host]] for filesystem `fs`: "calibrated-FS".
std::string calibrated_host_name(const std::string& fs);

/// The fragment: a comment saying where it came from, then one [[host]] per
/// filesystem (paste one into a scenario, or use it whole).
std::string fragment_toml(const CalibrationFit& fit, const std::string& provenance);

/// A scenario replaying the measured copies on `fs`: one [[copy]] swept
/// over "copy.1.size" and "engine.queue_depth", `methods` as measured,
/// the engine's chunk sizes as in the real runs, CM02 (no network).
std::string validation_scenario_toml(const CalibrationFit& fit, const FsConstants& fs,
                                     const std::vector<std::uint64_t>& sizes, const std::vector<unsigned>& queue_depths,
                                     const std::vector<std::string>& methods, const EngineConfig& engine);

}  // namespace offload::cli
