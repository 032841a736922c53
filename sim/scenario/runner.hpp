// `offload sim`: expands a scenario into runs (sweep point x method), runs
// each in its own process (SimGrid 3.32 cannot run two simulations in one),
// several at once (sim/scenario/worker_pool.hpp), and writes results.json,
// runs.csv and copies.csv in plan order, so they equal a serial run's (the
// CLI prints the tables, cli/sim_table.hpp). No SimGrid here: the children do the simulating.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace offload::sim {

/// How to run a scenario file.
struct RunnerOptions {
  std::string scenario_file;        ///< the TOML file
  std::string out_dir;              ///< where results go ("" = none written)
  unsigned jobs = 0;                ///< processes at once (0 = the usable CPUs, usable_cpus())
  bool progress = true;             ///< a line per finished run on stderr
  std::string run_exe = "offload-sim-run";  ///< the one-simulation program (path)
  std::function<bool()> stop_requested;     ///< asked when a signal arrives; yes ends every run (empty: never)
};

struct ScenarioSet;

/// One simulation run of a scenario: a sweep point and one of its methods.
struct PlannedRun {
  std::size_t point = 0;  ///< index into ScenarioSet::points
  std::string method;     ///< the method's label in the scenario
  std::string label;      ///< "KEY=VALUE ... METHOD" ("-" for the point when nothing is swept)
};

/// Every run of `set` in `offload sim` order (point-major, method-minor): a
/// sweep over scenario.methods gives each point its own methods.
std::vector<PlannedRun> plan_runs(const ScenarioSet& set);

/// Runs every point and method, `jobs` processes at once; returns all run
/// records in plan_runs order, whatever order they finished in (so the
/// results are those of a serial run). Throws ScenarioError for a bad file,
/// WorkerFailed naming the run and its stderr when one fails, WorkersStopped
/// on a stop; then no run is left running and no results file is written.
nlohmann::json run_scenario_file(const RunnerOptions& options);

/// Writes results.json, runs.csv and copies.csv into `directory`: the one
/// writer of these files (`offload sim --out` and offloadsim's Dask runner).
/// Integers (byte counts, operations) are written exactly, other numbers
/// with 9 significant digits in the CSV files. Each file is written as
/// NAME.partial and renamed once all three are complete.
void write_results(const nlohmann::json& runs, const std::string& directory);

}  // namespace offload::sim
