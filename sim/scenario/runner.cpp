#include "sim/scenario/runner.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/core.h>

#include "engine/units.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_checks.hpp"
#include "sim/scenario/worker_pool.hpp"

namespace offload::sim {
namespace {

// A new directory under $TMPDIR (else /tmp) for the runs' records, removed with this object.
class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "offload-sim-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory " + pattern + ": " + std::strerror(errno));
    }
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  /// Where run `index` writes its record.
  [[nodiscard]] std::string record(std::size_t index) const { return path_ + "/run-" + std::to_string(index) + ".json"; }

 private:
  std::string path_;
};

// Each line of `text` on stderr after `prefix`.
void print_lines(const std::string& prefix, const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) std::fprintf(stderr, "%s%s\n", prefix.c_str(), line.c_str());
}

// An output file written under a temporary name and renamed into place by
// commit(), so a reader never finds half a file under the final name.
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), partial_(path_ + ".partial"), stream_(partial_) {
    if (!stream_) throw std::runtime_error(partial_ + ": cannot create: " + std::strerror(errno));
  }
  ~OutputFile() {
    if (!committed_) std::remove(partial_.c_str());
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  std::ofstream& stream() { return stream_; }
  void commit() {
    stream_.close();
    if (!stream_) throw std::runtime_error(partial_ + ": cannot write: " + std::strerror(errno));
    std::filesystem::rename(partial_, path_);
    committed_ = true;
  }

 private:
  std::string path_, partial_;
  std::ofstream stream_;
  bool committed_ = false;
};

std::string point_text(const nlohmann::json& point) {
  std::string text;
  for (const auto& [key, value] : point.items()) {
    text += (text.empty() ? "" : " ") + key + "=" + value.get<std::string>();
  }
  return text.empty() ? "-" : text;
}

std::string csv_escape(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The energy columns of runs.csv: joules over the charged interval (the
// record's energy.interval_s) and per GiB copied, by part of the path.
constexpr const char* kEnergyColumns[] = {"total_J", "client_J", "server_J", "network_J", "total_J_per_GiB",
                                          "client_J_per_GiB", "server_J_per_GiB", "network_J_per_GiB"};

// A CSV number: integers (byte counts, operations) exactly, others with 9
// significant digits.
std::string number(const nlohmann::json& value) {
  return value.is_number_integer() ? value.dump() : fmt::format("{:.9g}", value.get<double>());
}

}  // namespace

std::vector<PlannedRun> plan_runs(const ScenarioSet& set) {
  std::vector<PlannedRun> runs;
  for (std::size_t p = 0; p < set.points.size(); ++p) {
    for (const MethodVariant& method : set.points[p].methods) {
      runs.push_back({p, method.label, point_text(nlohmann::json(set.points[p].point)) + " " + method.label});
    }
  }
  return runs;
}

nlohmann::json run_scenario_file(const RunnerOptions& options) {
  ScenarioSet set = load_scenario_file(options.scenario_file);
  // Refused before any run starts, in one line, rather than std::bad_alloc inside SimGrid.
  const double available = available_memory_bytes();
  for (const Scenario& point : set.points) check_memory(point, available);
  const std::vector<PlannedRun> runs = plan_runs(set);
  ScratchDirectory scratch;
  std::vector<WorkerTask> tasks;
  for (const PlannedRun& run : runs) {
    tasks.push_back({{options.run_exe, options.scenario_file, "--point", std::to_string(run.point), "--method",
                      run.method, "--output", scratch.record(tasks.size())},
                     "simulation run '" + run.label + "'"});
  }
  WorkerPoolOptions pool;
  pool.jobs = options.jobs != 0 ? options.jobs : usable_cpus();
  pool.stop_requested = options.stop_requested;
  pool.on_finished = [&](const WorkerDone& done) {
    const std::string& label = runs[done.index].label;
    if (options.progress) std::fprintf(stderr, "[%zu/%zu] %s (%.1f s)\n", done.finished, runs.size(), label.c_str(), done.wall_s);
    print_lines(label + ": ", done.stderr_text);  // a run's warnings, kept together, even when quiet
  };
  run_workers(tasks, pool);
  nlohmann::json results = nlohmann::json::array();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::ifstream in(scratch.record(i));
    results.push_back(nlohmann::json::parse(in));
  }
  if (!options.out_dir.empty()) write_results(results, options.out_dir);
  return results;
}

void write_results(const nlohmann::json& runs, const std::string& directory) {
  std::filesystem::create_directories(directory);
  OutputFile results(directory + "/results.json"), runs_csv(directory + "/runs.csv"),
      copies_csv(directory + "/copies.csv");
  results.stream() << runs.dump(2) << "\n";
  std::set<std::string> point_keys, links, cpus;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run["point"].items()) point_keys.insert(key);
    for (const auto& [key, value] : run["metrics"]["link_bytes"].items()) links.insert(key);
    for (const auto& [key, value] : run["metrics"]["cpu_busy_s"].items()) cpus.insert(key);
  }
  std::ofstream& csv = runs_csv.stream();
  for (const auto& key : point_keys) csv << csv_escape(key) << ",";
  csv << "method,copies,done,makespan_s,mean_latency_s,aggregate_throughput_Bps,sim_time_s,client_cpu_s_per_GiB,"
         "server_cpu_s_per_GiB,bound,share_link,share_disk,share_cpu,share_round_trips";
  for (const char* key : kEnergyColumns) csv << "," << key;
  for (const auto& link : links) csv << "," << csv_escape("link_bytes:" + link);
  for (const auto& cpu : cpus) csv << "," << csv_escape("cpu_busy_s:" + cpu);
  csv << "\n";
  std::ofstream& copies = copies_csv.stream();
  for (const auto& key : point_keys) copies << csv_escape(key) << ",";
  copies << "method,host,copy,index,size_bytes,state,start_s,end_s,latency_s,throughput_Bps,methods_used,"
            "bytes_done,fallbacks,retries,redrives,callbacks_lost\n";
  for (const auto& run : runs) {
    std::string point_cells;
    for (const auto& key : point_keys) {
      point_cells += csv_escape(run["point"].contains(key) ? run["point"][key].get<std::string>() : "") + ",";
    }
    const auto& s = run["summary"];
    csv << point_cells << csv_escape(run["method"]) << "," << s["copies"] << "," << s["done"] << ","
        << number(s["makespan_s"]) << "," << number(s["mean_latency_s"]) << "," << number(s["aggregate_throughput_Bps"])
        << "," << number(run["sim_time_s"]);
    for (const char* key : {"client_cpu_s_per_GiB", "server_cpu_s_per_GiB"}) {
      csv << "," << (s.contains(key) && !s[key].is_null() ? number(s[key]) : "");
    }
    const auto& b = run.contains("bottleneck") ? run["bottleneck"] : nlohmann::json::object();
    bool attributed = b.contains("bound") && !b["bound"].is_null();
    csv << "," << (attributed ? b["bound"].get<std::string>() : "");
    for (const char* share : {"link", "disk", "cpu", "round_trips"}) csv << "," << (attributed ? number(b["shares"][share]) : "");
    const auto& energy = run.contains("energy") ? run["energy"] : nlohmann::json::object();
    for (const char* key : kEnergyColumns) csv << "," << (energy.contains(key) && !energy[key].is_null() ? number(energy[key]) : "");
    for (const auto& link : links) csv << "," << number(run["metrics"]["link_bytes"].value(link, nlohmann::json(0)));
    for (const auto& cpu : cpus) csv << "," << number(run["metrics"]["cpu_busy_s"].value(cpu, nlohmann::json(0)));
    csv << "\n";
    for (const auto& c : run["copies"]) {
      copies << point_cells << csv_escape(run["method"]) << "," << csv_escape(c["host"]) << "," << c["copy"] << ","
             << c["index"] << "," << number(c["size_bytes"]) << "," << c["state"].get<std::string>() << ","
             << number(c["start_s"]) << "," << number(c["end_s"]) << "," << number(c["latency_s"]) << ","
             << number(c["throughput_Bps"]) << "," << csv_escape(c["methods_used"]) << ","
             << number(c["bytes_done"]) << "," << c["fallbacks"].size() << "," << number(c["retries"]) << ","
             << number(c["redrives"]) << "," << number(c["callbacks_lost"]) << "\n";
    }
  }
  for (OutputFile* file : {&results, &runs_csv, &copies_csv}) file->commit();  // all written, then all renamed
}

}  // namespace offload::sim
