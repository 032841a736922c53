// The simulated half of `offload calibrate`: replays the measured copies of
// one filesystem in the simulator (each run in an offload-sim-run process,
// through sim/scenario/runner) and compares predicted with measured throughput.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/calibration_fit.hpp"

namespace offload::cli {

/// (method, size_bytes, queue_depth) -> simulated seconds of the copy.
using SimulatedTimes = std::map<std::tuple<std::string, std::uint64_t, unsigned>, double>;

/// One simulated copy (the first copy of one run), as offload-sim-run reports it.
struct SimulatedCopy {
  double seconds = 0;       ///< the copy's latency, submit to end (s)
  double client_cpu_s = 0;  ///< CPU seconds of the copying host (s)
  double link_bytes = 0;    ///< bytes over all network links (B; 0 on a local path)
  double operations = 0;    ///< engine operations of the run (system calls: open, map, copy calls, finish)
  nlohmann::json energy;    ///< the run's "energy" record: joules of client, server and network over the copy (sim/energy.hpp)
};

/// (method, size_bytes, queue_depth) -> that run's copy.
using SimulatedCopies = std::map<std::tuple<std::string, std::uint64_t, unsigned>, SimulatedCopy>;

/// Writes `scenario_toml` to `path` and runs every point and method, each in
/// an offload-sim-run process (`jobs` at once, 0 = cores); throws
/// std::runtime_error when a run fails or a copy does not finish.
SimulatedCopies simulate_copy_results(const std::string& scenario_toml, const std::string& path, unsigned jobs);

/// simulate_copy_results, the seconds alone.
SimulatedTimes simulate_copies(const std::string& scenario_toml, const std::string& path, unsigned jobs);

/// Predicted vs measured for one method on one filesystem.
struct ValidationRow {
  std::string fs;                  ///< filesystem
  std::string method;              ///< method
  std::size_t points = 0;          ///< sizes x queue depths compared
  double measured_Bps = 0;         ///< bytes of all points / their measured seconds
  double predicted_Bps = 0;        ///< same bytes / simulated seconds
  double error = 0;                ///< predicted / measured - 1
  double worst_point_error = 0;    ///< the largest |error| of one point's throughput (signed)
  double spread_low_Bps = 0;       ///< slowest repetition: bytes of all points / that repetition's seconds
  double spread_high_Bps = 0;      ///< fastest repetition (low = high = measured when each point has one copy)
  /// Within `target` (relative), or the prediction inside the measured
  /// spread: the rest of the error is the machine's noise, not the model's bias.
  [[nodiscard]] bool within(double target) const;
};

/// One row per (fs, method) over `points`, using `simulated[fs]`.
std::vector<ValidationRow> compare_throughput(const std::vector<CalibrationPoint>& points,
                                              const std::map<std::string, SimulatedTimes>& simulated);

/// The table printed to the terminal.
std::string validation_table(const std::vector<ValidationRow>& rows, double target);

/// JSON rows, and per point predicted vs measured.
nlohmann::json validation_json(const std::vector<ValidationRow>& rows, const std::vector<CalibrationPoint>& points,
                               const std::map<std::string, SimulatedTimes>& simulated);

}  // namespace offload::cli
