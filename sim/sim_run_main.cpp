// offload-sim-run FILE --point I --method M [--output F]: one simulation in
// this process (SimGrid 3.32 runs one per process). `offload sim` starts one
// of these per sweep point and method.
#include <cstdio>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_checks.hpp"
#include "sim/simulation.hpp"

int main(int argc, char** argv) {
  CLI::App app{"offload-sim-run: one simulation run (used by `offload sim`)"};
  std::string file, method, output;
  std::size_t point = 0;
  app.add_option("FILE", file, "Scenario (TOML)")->required()->check(CLI::ExistingFile);
  app.add_option("--point", point, "Sweep point index");
  app.add_option("--method", method, "Method label from the scenario")->required();
  app.add_option("--output", output, "Where the JSON record goes (default: stdout)");
  CLI11_PARSE(app, argc, argv);
  try {
    offload::sim::ScenarioSet set = offload::sim::load_scenario_file(file);
    if (point >= set.points.size()) {
      std::fprintf(stderr, "offload-sim-run: %s: no sweep point %zu (it has %zu)\n", file.c_str(), point, set.points.size());
      return 2;
    }
    const auto& scenario = set.points[point];
    const offload::sim::MethodVariant* variant = nullptr;
    for (const auto& m : scenario.methods) if (m.label == method) variant = &m;
    if (variant == nullptr) {
      std::fprintf(stderr, "offload-sim-run: %s: the scenario lists no method '%s'\n", file.c_str(), method.c_str());
      return 2;
    }
    offload::sim::check_memory(scenario, offload::sim::available_memory_bytes(), variant);
    auto result = offload::sim::run_simulation(scenario, *variant);
    if (output.empty() || output == "-") {
      std::printf("%s\n", result.dump(2).c_str());
      return 0;
    }
    std::ofstream out(output);
    out << result.dump() << "\n";
    if (!out) {
      std::fprintf(stderr, "offload-sim-run: %s: cannot write\n", output.c_str());
      return 1;
    }
    return 0;
  } catch (const offload::sim::ScenarioError& e) {
    std::fprintf(stderr, "offload-sim-run: %s\n", e.what());
    return 1;
  }
}
