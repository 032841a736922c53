// The `offload` program: copy-offload engine, comparisons and (later)
// simulations from one command line.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"offload: copy-offload engine, benchmarks and storage-path simulator"};
  app.require_subcommand(1);
  std::map<std::string, offload::cli::Command> commands;
  commands["cp"] = offload::cli::add_cp_command(app);
  commands["compare"] = offload::cli::add_compare_command(app);
  commands["sim"] = offload::cli::add_sim_command(app);
  commands["calibrate"] = offload::cli::add_calibrate_command(app);
  commands["report"] = offload::cli::add_report_command(app);
  commands["advise"] = offload::cli::add_advise_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "offload: %s (see 'offload --help')\n", e.what());
    return 2;
  }
  try {
    for (CLI::App* sub : app.get_subcommands()) return commands.at(sub->get_name())();
  } catch (const CLI::Error& e) {  // a value that parsed but does not make sense
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 1;
  }
  return 2;
}
