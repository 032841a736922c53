// `offload compare`: the main job's real half. In each given directory
// (typically one per filesystem), writes a source file of pseudo-random
// bytes, copies it through every method, verifies every byte, and prints a
// table of seconds, throughput, host CPU and speed-up over the host copy.
// With --device NODE (a LUN or an NVMe namespace block node) it does the
// same within the device: pattern at [0, SIZE), copies to [SIZE, 2 x SIZE).
// Without --dir it measures in a temporary directory (cli/scratch_directory).
// A stop signal cancels the copy, removes the files, writes no report.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/copy_trial.hpp"
#include "cli/scratch_directory.hpp"
#include "cli/stop_signals.hpp"
#include "engine/targets/sg_io_transport.hpp"
#include "cli/file_check.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

struct CompareOptions {
  std::vector<std::string> directories;
  std::vector<std::string> devices;
  std::string size = "256MiB";
  std::vector<std::string> methods{"host", "kernel-copy", "clone", "auto"};
  unsigned repeat = 3;
  unsigned queue_depth = 8;
  std::string report;
};

struct Row {
  std::string directory;
  std::string method;
  TrialResult trial;
};

int run(CompareOptions& o) {
  auto size = parse_size_bytes(o.size);
  if (!size) throw CLI::ValidationError("--size", size.error());
  StopSignals stop_signals;  // Ctrl-C: the copy is cancelled, the files go, exit 128 + signal (main)
  std::optional<ScratchDirectory> scratch;
  if (o.directories.empty() && o.devices.empty()) {
    scratch.emplace("compare");
    o.directories.push_back(scratch->path());
    std::fprintf(stderr, "compare: no --dir: measuring in %s (removed afterwards)\n", scratch->path().c_str());
  }
  for (const std::string& device : o.devices) {
    if (!is_device_node(device)) {
      std::fprintf(stderr, "offload: %s: --device needs a block device node (a LUN or an NVMe namespace)\n", device.c_str());
      return 2;
    }
  }
  if (auto parent = std::filesystem::path(o.report).parent_path(); !o.report.empty() && !parent.empty() &&
                                                                   !std::filesystem::is_directory(parent)) {
    std::fprintf(stderr, "offload: %s: the report's directory %s does not exist\n", o.report.c_str(), parent.c_str());
    return 1;  // said before the copies, not after them
  }
  std::vector<Row> rows;
  nlohmann::json runs = nlohmann::json::array();
  bool failed = false;
  // Writes the pattern to `source` (a file in `place`, or the device `place`
  // itself), then times every method there.
  auto compare_in = [&](const std::string& place, const std::string& source, bool device) {
    if (auto made = write_pattern_file(source, *size, 42); !made) {
      std::fprintf(stderr, "offload: %s: cannot write the source %s: %s\n", source.c_str(), device ? "range" : "file",
                   made.error().c_str());
      return false;
    }
    throw_if_stopped();
    for (const std::string& method : o.methods) {
      TrialSpec spec{place, source, *size, method, o.repeat, {}};
      spec.engine.queue_depth = o.queue_depth;
      spec.device = device;
      rows.push_back({place, method, run_trials(spec, runs)});
      throw_if_stopped();  // a cancelled copy is the user's stop, not a method's failure
      failed |= rows.back().trial.outcome.starts_with("VERIFY");
    }
    return true;
  };
  for (const std::string& directory : o.directories) {
    RemoveOnExit source(directory + "/offload-compare-source.bin");
    if (!compare_in(directory, source.path(), false)) return 1;
  }
  for (const std::string& device : o.devices) {  // OVERWRITES the device's first 2 x SIZE bytes
    if (!compare_in(device, device, true)) return 1;
  }

  fmt::print("{:<8} {:<12} {:>9} {:>17} {:>9} {:>9}  {:<18} {}\n", "fs", "method", "time", "throughput",
             "host CPU", "vs host", "methods used", "outcome");
  nlohmann::json table = nlohmann::json::array();
  for (const Row& row : rows) {
    const TrialResult& t = row.trial;
    double seconds = median(t.seconds);
    double host_seconds = 0;
    for (const Row& other : rows) {
      if (other.directory == row.directory && other.method == "host" && other.trial.ok()) host_seconds = median(other.trial.seconds);
    }
    bool ok = t.ok();
    double cpu = median(t.cpu_seconds);
    double rate = ok && seconds > 0 ? static_cast<double>(*size) / seconds : 0;
    double speedup = ok && host_seconds > 0 && seconds > 0 ? host_seconds / seconds : 0;
    fmt::print("{:<8} {:<12} {:>9} {:>17} {:>9} {:>9}  {:<18} {}\n", t.fs, row.method,
               ok ? format_duration(seconds) : "-", ok ? format_copy_speed(rate, seconds) : "-",
               ok ? format_duration(cpu) : "-", speedup > 0 ? format_ratio(speedup) : "-",
               ok ? t.methods_used : "-", ok ? (t.verified ? "ok, verified" : "ok") : t.outcome);
    table.push_back({{"directory", row.directory}, {"fs", t.fs}, {"method", row.method}, {"outcome", t.outcome},
                     {"methods_used", t.methods_used}, {"median_seconds", seconds},
                     {"bytes_per_second", rate}, {"cpu_seconds", cpu}, {"speedup_vs_host", speedup},
                     {"verified", t.verified}});
  }
  if (!o.report.empty()) {
    std::ofstream out(o.report);
    out << nlohmann::json{{"kind", "offload-compare"}, {"size_bytes", *size}, {"repeat", o.repeat},
                          {"queue_depth", o.queue_depth}, {"rows", table}, {"runs", runs}}
               .dump(2)
        << "\n";
    if (!out) {
      std::fprintf(stderr, "offload: %s: cannot write the report\n", o.report.c_str());
      return 1;
    }
    fmt::print("report: {}\n", o.report);
  }
  return failed ? 1 : 0;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* compare = app.add_subcommand("compare", "Time every copy method on real files and verify the bytes");
  compare->add_option("--dir,-d", options->directories,
                      "Directory to test in (repeatable; one per filesystem); default: a temporary one in $TMPDIR")
      ->check(CLI::ExistingDirectory);
  compare->add_option("--device", options->devices,
                      "Block device node to test in instead (repeatable; a LUN or an NVMe namespace such as "
                      "/dev/nvme0n1): its first 2 x SIZE bytes are OVERWRITTEN");
  compare->add_option("--size", options->size, "Source file size (e.g. 256MiB)");
  compare->add_option("--methods", options->methods, "Methods to compare, e.g. host,clone")
      ->delimiter(',')
      ->check(CLI::IsMember(method_choice_names()));
  compare->add_option("--repeat", options->repeat, "Timed copies per method (median reported)")->check(CLI::Range(1U, 100U));
  compare->add_option("--queue-depth", options->queue_depth, "Operations in flight")->check(CLI::Range(1U, 256U));
  compare->add_option("--report", options->report, "Write the results as JSON to this file");
  return [options] { return run(*options); };
}

}  // namespace offload::cli
