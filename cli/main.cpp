// The `offload` program: copies through the copy-offload engine (cp),
// method comparisons on real files (compare), simulator calibration
// (calibrate), scenario simulations (sim) and reports (report) from one
// command line.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "cli/suggest.hpp"

#ifndef OFFLOAD_VERSION
#error "OFFLOAD_VERSION (the CMake project version) must be defined"
#endif

namespace {

// The subcommand a parse error belongs to ("" for the program's own options).
std::string failed_subcommand(const CLI::App& app) {
  auto parsed = app.get_subcommands();  // the ones the parse reached, errors included
  return parsed.empty() ? "" : parsed.front()->get_name();
}

// "offload: NAME: stopped by SIGINT" on stderr; the exit code, 128 + signal.
int said_stopped(const std::string& name, const offload::cli::Stopped& stopped) {
  std::fprintf(stderr, "offload: %s: %s\n", name.c_str(), stopped.what());
  return stopped.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"offload: copy-offload engine, benchmarks and storage-path simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("offload ") + OFFLOAD_VERSION, "Print the version and exit");
  app.option_defaults()->always_capture_default();  // --help shows each option's default
  std::map<std::string, offload::cli::Command> commands;
  commands["cp"] = offload::cli::add_cp_command(app);
  commands["compare"] = offload::cli::add_compare_command(app);
  commands["sim"] = offload::cli::add_sim_command(app);
  commands["calibrate"] = offload::cli::add_calibrate_command(app);
  commands["report"] = offload::cli::add_report_command(app);
  commands["advise"] = offload::cli::add_advise_command(app);
  for (CLI::App* sub : app.get_subcommands({})) {  // an empty list has no default worth showing ("=[]")
    for (CLI::Option* option : sub->get_options()) {
      if (option->get_default_str() == "[]") option->default_str("");
    }
  }
  if (argc > 1 && argv[1][0] != '-' && !commands.contains(argv[1])) {
    std::vector<std::string> names;
    for (const auto& [name, command] : commands) names.push_back(name);
    std::fprintf(stderr, "offload: '%s' is not a command; %s (see 'offload --help')\n", argv[1],
                 offload::cli::suggestion(argv[1], names).c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string sub = failed_subcommand(app);
    std::fprintf(stderr, "offload: %s%s (see 'offload %s--help')\n", sub.empty() ? "" : (sub + ": ").c_str(), e.what(),
                 sub.empty() ? "" : (sub + " ").c_str());
    return 2;
  }
  const std::string name = app.get_subcommands().at(0)->get_name();
  try {
    return commands.at(name)();
  } catch (const offload::cli::Stopped& e) {  // Ctrl-C and friends: the command cleaned up on its way out
    return said_stopped(name, e);
  } catch (const CLI::Error& e) {  // a value that parsed but does not make sense
    std::fprintf(stderr, "offload: %s: %s (see 'offload %s --help')\n", name.c_str(), e.what(), name.c_str());
    return 2;
  } catch (const std::exception& e) {
    if (int signal_number = offload::cli::stop_signal(); signal_number != 0) {  // e.g. a simulation the signal ended
      return said_stopped(name, offload::cli::Stopped(signal_number));
    }
    std::fprintf(stderr, "offload: %s\n", e.what());
    return 1;
  }
}
