// `offload sim FILE`: run a scenario (sweep points and methods in parallel
// processes); `offload sim-run`: one run in this process (used by `sim`).
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "sim/runner.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"

namespace offload::cli {
namespace {

struct SimOptions {
  std::string file;
  std::string out = "sim-results";
  unsigned jobs = 0;
  bool quiet = false;
};

struct SimRunOptions {
  std::string file;
  std::size_t point = 0;
  std::string method;
  std::string output;
};

int run_sim(const SimOptions& o) {
  try {
    sim::RunnerOptions options{o.file, o.out, o.jobs, !o.quiet};
    auto runs = sim::run_scenario_file(options);
    std::printf("%s", sim::summary_table(runs).c_str());
    std::printf("results: %s/results.json, runs.csv, copies.csv\n", o.out.c_str());
    return 0;
  } catch (const sim::ScenarioError& e) {
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 1;
  }
}

int run_one(const SimRunOptions& o) {
  try {
    sim::ScenarioSet set = sim::load_scenario_file(o.file);
    if (o.point >= set.points.size()) {
      std::fprintf(stderr, "offload: %s: no sweep point %zu (it has %zu)\n", o.file.c_str(), o.point, set.points.size());
      return 2;
    }
    const sim::Scenario& scenario = set.points[o.point];
    const sim::MethodVariant* method = nullptr;
    for (const auto& m : scenario.methods) if (m.label == o.method) method = &m;
    if (method == nullptr) {
      std::fprintf(stderr, "offload: %s: the scenario lists no method '%s'\n", o.file.c_str(), o.method.c_str());
      return 2;
    }
    auto result = sim::run_simulation(scenario, *method);
    if (o.output.empty() || o.output == "-") {
      std::printf("%s\n", result.dump(2).c_str());
    } else {
      std::ofstream out(o.output);
      out << result.dump() << "\n";
      if (!out) {
        std::fprintf(stderr, "offload: %s: cannot write\n", o.output.c_str());
        return 1;
      }
    }
    return 0;
  } catch (const sim::ScenarioError& e) {
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 1;
  }
}

}  // namespace

Command add_sim_command(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* sim = app.add_subcommand("sim", "Run a scenario file in the simulator (points and methods in parallel processes)");
  sim->add_option("FILE", o->file, "Scenario (TOML)")->required()->check(CLI::ExistingFile);
  sim->add_option("--out,-o", o->out, "Directory for results.json, runs.csv, copies.csv");
  sim->add_option("--jobs,-j", o->jobs, "Simulations at once (default: cores)");
  sim->add_flag("--quiet,-q", o->quiet, "No progress lines");
  return [o] { return run_sim(*o); };
}

Command add_sim_run_command(CLI::App& app) {
  auto o = std::make_shared<SimRunOptions>();
  CLI::App* run = app.add_subcommand("sim-run", "Run one sweep point with one method in this process (JSON out)");
  run->group("");  // internal: used by `offload sim`
  run->add_option("FILE", o->file, "Scenario (TOML)")->required()->check(CLI::ExistingFile);
  run->add_option("--point", o->point, "Sweep point index");
  run->add_option("--method", o->method, "Method label from the scenario")->required();
  run->add_option("--output", o->output, "Where the JSON record goes (- = stdout)");
  return [o] { return run_one(*o); };
}

}  // namespace offload::cli
