// `offload sim FILE`: run a scenario, each sweep point and method in its
// own `offload-sim-run` process (beside this program), several at once.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/sim_table.hpp"
#include "cli/stop_signals.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"

namespace offload::cli {
namespace {

struct SimOptions {
  std::string file;
  std::string out = "sim-results";
  unsigned jobs = 0;
  bool quiet = false;
};

int run_sim(const SimOptions& o) {
  StopSignals stop_signals;  // Ctrl-C: the runs are ended, no results written, exit 128 + signal (main)
  try {
    sim::RunnerOptions options{o.file, o.out, o.jobs, !o.quiet, sim_run_program(), [] { return stop_signal() != 0; }};
    auto runs = sim::run_scenario_file(options);
    std::printf("%s%s", runs_table(runs).c_str(), copies_table(runs).c_str());
    std::printf("results: %s/results.json, runs.csv, copies.csv\n", o.out.c_str());
    return 0;
  } catch (const sim::ScenarioError& e) {
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 1;
  }
}

}  // namespace

std::string sim_run_program() {
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "offload-sim-run").string();
}

Command add_sim_command(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run a scenario file in the simulator (points and methods in parallel processes)");
  sim->add_option("FILE", o->file, "Scenario (TOML)")->required()->check(CLI::ExistingFile);
  sim->add_option("--out,-o", o->out, "Directory for results.json, runs.csv, copies.csv");
  sim->add_option("--jobs,-j", o->jobs, "Simulations at once, each its own process (0: one per usable CPU; 1: one after another)");
  sim->add_flag("--quiet,-q", o->quiet, "No progress lines");
  return [o] { return run_sim(*o); };
}

}  // namespace offload::cli
