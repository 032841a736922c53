#include "cli/calibration_validate.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "engine/units.hpp"
#include "sim/scenario/runner.hpp"

namespace offload::cli {

namespace {

double sum_values(const nlohmann::json& object) {
  double total = 0;
  for (const auto& [key, value] : object.items()) total += value.get<double>();
  return total;
}

}  // namespace

SimulatedCopies simulate_copy_results(const std::string& scenario_toml, const std::string& path, unsigned jobs) {
  {
    std::ofstream out(path);
    out << scenario_toml;
    if (!out) throw std::runtime_error(path + ": cannot write the validation scenario");
  }
  sim::RunnerOptions options{path, "", jobs, false, sim_run_program(), [] { return stop_signal() != 0; }};
  nlohmann::json runs = sim::run_scenario_file(options);
  SimulatedCopies copies;
  for (const auto& run : runs) {
    const auto& copy = run["copies"].at(0);
    std::string method = run["method"];
    if (copy["state"] != "done") {
      throw std::runtime_error(path + ": the simulated " + method + " copy ended " + copy["state"].get<std::string>() +
                               (copy.contains("error") ? ": " + copy["error"].get<std::string>() : std::string()));
    }
    auto size = std::stoull(run["point"]["copy.1.size"].get<std::string>());
    auto depth = static_cast<unsigned>(std::stoul(run["point"]["engine.queue_depth"].get<std::string>()));
    copies[{method, size, depth}] = {copy["latency_s"].get<double>(), run["summary"]["client_cpu_s"].get<double>(),
                                     sum_values(run["metrics"]["link_bytes"]), sum_values(run["engine_operations"]),
                                     run.value("energy", nlohmann::json::object())};
  }
  return copies;
}

SimulatedTimes simulate_copies(const std::string& scenario_toml, const std::string& path, unsigned jobs) {
  SimulatedTimes times;
  for (const auto& [key, copy] : simulate_copy_results(scenario_toml, path, jobs)) times[key] = copy.seconds;
  return times;
}

namespace {

const double* find_time(const std::map<std::string, SimulatedTimes>& simulated, const CalibrationPoint& p) {
  auto fs = simulated.find(p.fs);
  if (fs == simulated.end()) return nullptr;
  auto it = fs->second.find({p.method, p.size_bytes, p.queue_depth});
  return it == fs->second.end() ? nullptr : &it->second;
}

}  // namespace

bool ValidationRow::within(double target) const {
  if (std::abs(error) <= target) return true;
  return spread_low_Bps > 0 && predicted_Bps >= spread_low_Bps && predicted_Bps <= spread_high_Bps;
}

std::vector<ValidationRow> compare_throughput(const std::vector<CalibrationPoint>& points,
                                              const std::map<std::string, SimulatedTimes>& simulated) {
  struct Sums {
    double bytes = 0, measured_s = 0, predicted_s = 0;
    std::vector<double> repetition_s;  // seconds of the k-th timed copy of every point, summed
    std::size_t repetitions = SIZE_MAX;
  };
  std::vector<ValidationRow> rows;
  std::vector<Sums> sums;
  for (const auto& p : points) {
    const double* predicted = find_time(simulated, p);
    if (predicted == nullptr || !(p.seconds > 0) || !(*predicted > 0)) continue;
    std::size_t i = 0;
    while (i < rows.size() && !(rows[i].fs == p.fs && rows[i].method == p.method)) ++i;
    if (i == rows.size()) {
      rows.push_back({p.fs, p.method});
      sums.emplace_back();
    }
    rows[i].points += 1;
    Sums& s = sums[i];
    s.bytes += static_cast<double>(p.size_bytes);
    s.measured_s += p.seconds;
    s.predicted_s += *predicted;
    const auto& samples = p.half_samples_s.empty() ? std::vector<double>{p.seconds} : p.half_samples_s;
    s.repetitions = std::min(s.repetitions, samples.size());
    s.repetition_s.resize(std::max(s.repetition_s.size(), samples.size()), 0.0);
    for (std::size_t k = 0; k < samples.size(); ++k) s.repetition_s[k] += samples[k];
    double point_error = p.seconds / *predicted - 1;  // predicted / measured throughput - 1
    if (std::abs(point_error) > std::abs(rows[i].worst_point_error)) rows[i].worst_point_error = point_error;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].measured_Bps = sums[i].bytes / sums[i].measured_s;
    rows[i].predicted_Bps = sums[i].bytes / sums[i].predicted_s;
    rows[i].error = rows[i].predicted_Bps / rows[i].measured_Bps - 1;
    // A repetition of the whole row: the k-th timed copy of each of its points.
    rows[i].spread_low_Bps = rows[i].spread_high_Bps = rows[i].measured_Bps;
    for (std::size_t k = 0; k < sums[i].repetitions; ++k) {
      double rate = sums[i].bytes / sums[i].repetition_s[k];
      rows[i].spread_low_Bps = std::min(rows[i].spread_low_Bps, rate);
      rows[i].spread_high_Bps = std::max(rows[i].spread_high_Bps, rate);
    }
  }
  return rows;
}

std::string validation_table(const std::vector<ValidationRow>& rows, double target) {
  std::string out = fmt::format("{:<8} {:<12} {:>6} {:>14} {:>16} {:>14} {:>9} {:>12}  {}\n", "fs", "method", "points",
                                "measured", "spread", "predicted", "error", "worst point", "within");
  for (const auto& r : rows) {
    std::string spread = fmt::format("{:+.0f}..{:+.0f} %", (r.spread_low_Bps / r.measured_Bps - 1) * 100,
                                     (r.spread_high_Bps / r.measured_Bps - 1) * 100);
    const char* verdict = std::abs(r.error) <= target ? "yes" : (r.within(target) ? "in spread" : "NO");
    out += fmt::format("{:<8} {:<12} {:>6} {:>14} {:>16} {:>14} {:>+8.1f}% {:>+11.1f}%  {}\n", r.fs, r.method, r.points,
                       format_rate(r.measured_Bps), spread, format_rate(r.predicted_Bps), r.error * 100,
                       r.worst_point_error * 100, verdict);
  }
  return out;
}

nlohmann::json validation_json(const std::vector<ValidationRow>& rows, const std::vector<CalibrationPoint>& points,
                               const std::map<std::string, SimulatedTimes>& simulated) {
  nlohmann::json table = nlohmann::json::array();
  for (const auto& r : rows) {
    table.push_back({{"fs", r.fs}, {"method", r.method}, {"points", r.points}, {"measured_Bps", r.measured_Bps},
                     {"predicted_Bps", r.predicted_Bps}, {"error", r.error}, {"worst_point_error", r.worst_point_error},
                     {"spread_low_Bps", r.spread_low_Bps}, {"spread_high_Bps", r.spread_high_Bps}});
  }
  nlohmann::json per_point = nlohmann::json::array();
  for (const auto& p : points) {
    const double* predicted = find_time(simulated, p);
    nlohmann::json row{{"fs", p.fs}, {"method", p.method}, {"size_bytes", p.size_bytes}, {"queue_depth", p.queue_depth},
                       {"measured_s", p.seconds}, {"measured_cpu_s", p.cpu_seconds}, {"operations", p.operations},
                       {"samples_s", p.samples_s}};
    if (predicted != nullptr) {
      row["predicted_s"] = *predicted;
      row["error"] = p.seconds / *predicted - 1;
    }
    per_point.push_back(row);
  }
  return {{"rows", table}, {"points", per_point}};
}

}  // namespace offload::cli
