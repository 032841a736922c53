// `offload compare`: the main job's real half. In each given directory
// (typically one per filesystem), writes a source file of pseudo-random
// bytes, copies it through every method, verifies every byte, and prints a
// table of seconds, throughput, host CPU and speed-up over the host copy.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/copy_runner.hpp"
#include "cli/file_check.hpp"
#include "cli/status_json.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

struct CompareOptions {
  std::vector<std::string> directories;
  std::string size = "256MiB";
  std::vector<std::string> methods{"host", "kernel-copy", "clone", "auto"};
  unsigned repeat = 3;
  unsigned queue_depth = 8;
  std::string report;
};

struct Row {
  std::string directory;
  std::string fs;
  std::string method;
  std::string outcome;       // "ok", or the error
  std::string methods_used;
  double median_seconds = 0;
  double cpu_seconds = 0;
  bool verified = false;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

Row measure(const std::string& directory, const std::string& source, std::uint64_t size,
            const std::string& method, const CompareOptions& o, nlohmann::json& runs) {
  Row row{directory, "", method, "ok", "", 0, 0, false};
  std::string destination = directory + "/offload-compare-" + method + ".bin";
  std::vector<double> seconds;
  std::vector<double> cpu;
  for (unsigned attempt = 0; attempt < o.repeat; ++attempt) {
    unlink(destination.c_str());
    CopyRequest request{.source = source, .destination = destination, .method = *parse_method_choice(method)};
    RunOptions options;
    options.engine.queue_depth = o.queue_depth;
    auto status = run_copy(request, options);
    if (!status || status->state != CopyState::done) {
      row.outcome = status ? (status->error ? status->error->describe() : "did not finish") : status.error().describe();
      if (status) row.fs = status->destination_fs;
      break;
    }
    runs.push_back(status_to_json(*status, request));
    row.fs = status->destination_fs;
    row.methods_used = status->methods_used_text();
    seconds.push_back(elapsed_seconds(*status));
    cpu.push_back(static_cast<double>(status->cpu_ns) / 1e9);
    if (attempt == 0) {
      auto same = files_equal(source, destination, size);
      if (!same) {
        row.outcome = "VERIFY FAILED: " + same.error();
        break;
      }
      row.verified = true;
    }
  }
  unlink(destination.c_str());
  row.median_seconds = median(seconds);
  row.cpu_seconds = median(cpu);
  return row;
}

int run(CompareOptions& o) {
  auto size = parse_size_bytes(o.size);
  if (!size) throw CLI::ValidationError("--size", size.error());
  if (o.directories.empty()) o.directories.push_back(".");
  if (auto parent = std::filesystem::path(o.report).parent_path(); !o.report.empty() && !parent.empty() &&
                                                                   !std::filesystem::is_directory(parent)) {
    std::fprintf(stderr, "offload: %s: the report's directory %s does not exist\n", o.report.c_str(), parent.c_str());
    return 1;  // said before the copies, not after them
  }
  std::vector<Row> rows;
  nlohmann::json runs = nlohmann::json::array();
  bool failed = false;
  for (const std::string& directory : o.directories) {
    std::string source = directory + "/offload-compare-source.bin";
    if (auto made = write_pattern_file(source, *size, 42); !made) {
      std::fprintf(stderr, "offload: %s: cannot write the source file: %s\n", source.c_str(), made.error().c_str());
      return 1;
    }
    for (const std::string& method : o.methods) {
      rows.push_back(measure(directory, source, *size, method, o, runs));
      failed |= rows.back().outcome.starts_with("VERIFY");
    }
    unlink(source.c_str());
  }

  fmt::print("{:<8} {:<12} {:>9} {:>12} {:>9} {:>9}  {:<18} {}\n", "fs", "method", "seconds", "throughput",
             "cpu s", "vs host", "methods used", "outcome");
  nlohmann::json table = nlohmann::json::array();
  for (const Row& row : rows) {
    double host_seconds = 0;
    for (const Row& other : rows) {
      if (other.directory == row.directory && other.method == "host" && other.outcome == "ok") host_seconds = other.median_seconds;
    }
    bool ok = row.outcome == "ok";
    double rate = ok && row.median_seconds > 0 ? static_cast<double>(*size) / row.median_seconds : 0;
    double speedup = ok && host_seconds > 0 && row.median_seconds > 0 ? host_seconds / row.median_seconds : 0;
    fmt::print("{:<8} {:<12} {:>9} {:>12} {:>9} {:>9}  {:<18} {}\n", row.fs, row.method,
               ok ? fmt::format("{:.4f}", row.median_seconds) : "-", ok ? format_rate(rate) : "-",
               ok ? fmt::format("{:.3f}", row.cpu_seconds) : "-", speedup > 0 ? fmt::format("{:.1f}x", speedup) : "-",
               ok ? row.methods_used : "-", ok ? (row.verified ? "ok, verified" : "ok") : row.outcome);
    table.push_back({{"directory", row.directory}, {"fs", row.fs}, {"method", row.method}, {"outcome", row.outcome},
                     {"methods_used", row.methods_used}, {"median_seconds", row.median_seconds},
                     {"bytes_per_second", rate}, {"cpu_seconds", row.cpu_seconds}, {"speedup_vs_host", speedup},
                     {"verified", row.verified}});
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
  compare->add_option("--dir,-d", options->directories, "Directory to test in (repeatable; one per filesystem)")
      ->check(CLI::ExistingDirectory);
  compare->add_option("--size", options->size, "Source file size (e.g. 256MiB)");
  compare->add_option("--methods", options->methods, "Methods to compare")
      ->check(CLI::IsMember({"auto", "clone", "kernel-copy", "host"}));
  compare->add_option("--repeat", options->repeat, "Timed copies per method (median reported)")->check(CLI::Range(1U, 100U));
  compare->add_option("--queue-depth", options->queue_depth, "Operations in flight")->check(CLI::Range(1U, 256U));
  compare->add_option("--report", options->report, "Write the results as JSON to this file");
  return [options] { return run(*options); };
}

}  // namespace offload::cli
