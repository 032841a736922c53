// The last step of `offload calibrate`: the physical fit (calibration_fit.hpp)
// gets the CPU constants from CPU seconds, but a copy's wall time on a real
// machine also holds waits the CPU fit cannot see (dirty-page throttling,
// scheduling on a shared VM). This step replays the measured copies in the
// simulator and moves one wall-time knob per method until the simulated
// seconds of each method, summed over its sizes and queue depths, equal the
// measured ones (the same aggregate the validation compares):
//  - host copies            -> the host's core_speed (share of a core);
//  - in-kernel data copies  -> fs.kernel_copy_bandwidth (ext4);
//  - clones -> fs.clone_fixed_cpu (per call);
//  - copy_file_range that remaps (XFS/btrfs) -> fs.remap_fixed_cpu (per call).
// Each knob is a fixed-point update (multiplicative for rates, additive for
// the per-call cost), repeated until every method is within `tolerance`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/calibration_fit.hpp"
#include "cli/calibration_validate.hpp"

namespace offload::cli {

/// Simulates every measured copy of one filesystem with the given constants.
using SimulateFs = std::function<SimulatedTimes(const FsConstants&)>;

/// How the matching of one filesystem ended.
struct MatchOutcome {
  std::string fs;                              ///< filesystem
  int iterations = 0;                          ///< simulations run
  std::map<std::string, double> ratio;         ///< method -> simulated / measured seconds (summed) at the end
  std::vector<std::string> notes;              ///< knobs that hit a bound (e.g. clone cost already 0)
};

/// Chunk sizes of the replayed copies (the engine's): calls per copy.
struct MatchChunks {
  std::uint64_t clone_chunk_bytes = 0;        ///< bytes per FICLONERANGE call
  std::uint64_t kernel_copy_chunk_bytes = 0;  ///< bytes per copy_file_range call
};

/// Adjusts `fs`'s knobs against `points` (its `seconds`, the fit half) and
/// returns the outcome; `last` gets the final simulated times.
MatchOutcome match_wall_times(const std::vector<CalibrationPoint>& points, FsConstants& fs, const MatchChunks& chunks,
                              const SimulateFs& simulate, SimulatedTimes& last, int max_iterations = 8,
                              double tolerance = 0.005);

}  // namespace offload::cli
