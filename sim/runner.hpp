// `offload sim`: expands a scenario into runs (sweep point x method), runs
// each in its own process (SimGrid 3.32 cannot run two simulations in one),
// several at once, and writes results.json, runs.csv and copies.csv (the
// CLI prints the tables, cli/sim_table.hpp). No SimGrid here: the children do the simulating.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace offload::sim {

/// How to run a scenario file.
struct RunnerOptions {
  std::string scenario_file;        ///< the TOML file
  std::string out_dir;              ///< where results go ("" = none written)
  unsigned jobs = 0;                ///< processes at once (0 = cores)
  bool progress = true;             ///< a line per finished run on stderr
  std::string run_exe = "offload-sim-run";  ///< the one-simulation program (path)
};

/// Runs every point and method; returns all run records (in order).
/// Throws ScenarioError for a bad file, std::runtime_error when a run fails.
nlohmann::json run_scenario_file(const RunnerOptions& options);

/// Writes results.json, runs.csv and copies.csv into `directory`.
void write_results(const nlohmann::json& runs, const std::string& directory);

}  // namespace offload::sim
