#include "sim/scenario/runner.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/core.h>

#include "engine/units.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_checks.hpp"

extern char** environ;

namespace offload::sim {
namespace {

struct Run : PlannedRun {
  std::string output;
};

pid_t spawn_run(const RunnerOptions& options, const Run& run) {
  std::vector<std::string> words{"offload-sim-run", options.scenario_file, "--point", std::to_string(run.point),
                                 "--method", run.method, "--output", run.output};
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, options.run_exe.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw std::runtime_error("cannot start a simulation process: " + std::string(std::strerror(rc)));
  return pid;
}

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
  char pattern[] = "/tmp/offload-sim-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary directory");
  std::string scratch = pattern;
  std::vector<Run> runs;
  for (PlannedRun& planned : plan_runs(set)) {
    runs.push_back({std::move(planned), scratch + "/run-" + std::to_string(runs.size()) + ".json"});
  }
  unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1U, std::thread::hardware_concurrency());
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0, finished = 0;
  std::string failure;
  while (finished < runs.size()) {
    while (failure.empty() && next < runs.size() && running.size() < jobs) {
      running[spawn_run(options, runs[next])] = next;
      ++next;
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Run& run = runs[it->second];
    running.erase(it);
    ++finished;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      if (failure.empty()) failure = "simulation run '" + run.label + "' failed (exit " +
                                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
      continue;
    }
    if (options.progress) std::fprintf(stderr, "[%zu/%zu] %s\n", finished, runs.size(), run.label.c_str());
  }
  nlohmann::json results = nlohmann::json::array();
  if (failure.empty()) {
    for (const Run& run : runs) {
      std::ifstream in(run.output);
      results.push_back(nlohmann::json::parse(in));
    }
  }
  std::filesystem::remove_all(scratch);
  if (!failure.empty()) throw std::runtime_error(failure);
  if (!options.out_dir.empty()) write_results(results, options.out_dir);
  return results;
}

void write_results(const nlohmann::json& runs, const std::string& directory) {
  std::filesystem::create_directories(directory);
  std::ofstream(directory + "/results.json") << runs.dump(2) << "\n";
  std::set<std::string> point_keys, links, cpus;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run["point"].items()) point_keys.insert(key);
    for (const auto& [key, value] : run["metrics"]["link_bytes"].items()) links.insert(key);
    for (const auto& [key, value] : run["metrics"]["cpu_busy_s"].items()) cpus.insert(key);
  }
  std::ofstream csv(directory + "/runs.csv");
  for (const auto& key : point_keys) csv << csv_escape(key) << ",";
  csv << "method,copies,done,makespan_s,mean_latency_s,aggregate_throughput_Bps,sim_time_s,client_cpu_s_per_GiB,"
         "server_cpu_s_per_GiB,bound,share_link,share_disk,share_cpu,share_round_trips";
  for (const char* key : kEnergyColumns) csv << "," << key;
  for (const auto& link : links) csv << "," << csv_escape("link_bytes:" + link);
  for (const auto& cpu : cpus) csv << "," << csv_escape("cpu_busy_s:" + cpu);
  csv << "\n";
  std::ofstream copies(directory + "/copies.csv");
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
}

}  // namespace offload::sim
