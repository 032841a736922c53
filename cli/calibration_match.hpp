// The last step of `offload calibrate`: the physical fit (calibration_fit.hpp)
// gets the CPU constants from CPU seconds, but a copy's wall time on a real
// machine also holds waits the CPU fit cannot see (dirty-page throttling,
// scheduling on a shared VM). This step replays the measured copies in the
// simulator and fits the wall-time knobs of one filesystem by bounded
// nonlinear least squares (cli/bounded_fit.hpp) over every size and queue
// depth, on the relative error log(simulated / measured) per point. Two
// joint fits: the data copies' knobs (core_speed, host_copy_start,
// kernel_copy_bandwidth) on the host and in-kernel data copies; then the
// per-call costs on the metadata-only copies at that core speed, so the
// sub-millisecond copies, the noisiest, do not move the core speed:
//  - core_speed (share of a core, 0.01..1): every method's CPU work;
//  - host_copy_start (0..1 s): the host copies' start-up wait;
//  - fs.kernel_copy_bandwidth (10 MB/s..1 TB/s): in-kernel data copies (ext4);
//  - fs.clone_fixed_cpu, fs.remap_fixed_cpu (0..100 ms per call): clones and
//    copy_file_range calls that remap (XFS/btrfs).
// A knob that ends on a physical bound the data pushes against is reported:
// the model cannot explain those points with physical values.
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
  std::vector<std::string> notes;              ///< knobs that ended on a bound, with the residual
  double rms_residual = 0;                     ///< rms relative error of the points at the fitted knobs
  double start_rms_residual = 0;               ///< the same before the fit (the physical fit's constants)
  bool fitted_on_bound = false;                ///< a knob ended on a bound the points push against
};

/// Chunk sizes of the replayed copies (the engine's): calls per copy.
struct MatchChunks {
  std::uint64_t clone_chunk_bytes = 0;        ///< bytes per FICLONERANGE call
  std::uint64_t kernel_copy_chunk_bytes = 0;  ///< bytes per copy_file_range call
};

/// Fits `fs`'s knobs to `points` (their `seconds`, the fit half) and
/// returns the outcome; `last` gets the simulated times at the fitted knobs.
/// `max_iterations` bounds the Levenberg-Marquardt steps; the fit stops when
/// a step lowers the squared error by less than `tolerance` (relative).
MatchOutcome match_wall_times(const std::vector<CalibrationPoint>& points, FsConstants& fs, const MatchChunks& chunks,
                              const SimulateFs& simulate, SimulatedTimes& last, int max_iterations = 12,
                              double tolerance = 1e-4);

}  // namespace offload::cli
