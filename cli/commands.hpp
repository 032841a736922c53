// Subcommands of the `offload` program. Each registers its options on the
// CLI11 app and returns the function that runs it (exit code).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace offload::cli {

/// A subcommand's body, run after parsing; returns the exit code.
using Command = std::function<int()>;

/// `offload cp SRC DST ...`: one copy through the engine.
Command add_cp_command(CLI::App& app);
/// `offload compare ...`: every method on real files, side by side.
Command add_compare_command(CLI::App& app);
/// `offload sim FILE`: a scenario in the simulator.
Command add_sim_command(CLI::App& app);
/// `offload calibrate ...`: fit the simulator's local constants to real copies and check them.
Command add_calibrate_command(CLI::App& app);
/// `offload report INPUT...`: one HTML page with plots from results (runs offloadsim.report).
Command add_report_command(CLI::App& app);
/// `offload advise SRC DST ...`: predict each method on a real path and recommend one.
Command add_advise_command(CLI::App& app);

}  // namespace offload::cli

namespace offload::cli {

/// Path of `offload-sim-run`, installed beside this program.
std::string sim_run_program();

}  // namespace offload::cli
