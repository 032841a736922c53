#include "cli/sim_table.hpp"

#include <array>
#include <map>
#include <string_view>
#include <tuple>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {
namespace {

/// results.json "summary" keys of a run's recoveries, and their column names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kFaultCounts{
    {{"faults_applied", "faults"}, {"retries", "retries"}, {"redrives", "redrives"}, {"callbacks_lost", "lost cb"},
     {"fallbacks", "fallbacks"}}};

double number_or_zero(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0;
}

std::string point_text(const nlohmann::json& point) {
  std::string text;
  for (const auto& [key, value] : point.items()) {
    text += (text.empty() ? "" : " ") + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text.empty() ? "-" : text;
}

double shared_link_bytes(const nlohmann::json& run) {
  double total = 0;
  const auto& metrics = run["metrics"];
  for (const auto& name : metrics["shared_links"]) total += number_or_zero(metrics["link_bytes"], name.get<std::string>());
  return total;
}

/// "disk 81%": the class that bounded the run (sim/bottleneck.hpp) and how
/// busy its busiest resource was (for round trips: their share of the time).
std::string bound_text(const nlohmann::json& run) {
  if (!run.contains("bottleneck") || run["bottleneck"]["bound"].is_null()) return "-";
  const auto& b = run["bottleneck"];
  std::string bound = b["bound"];
  double busy = bound == "round_trips" ? b["shares"][bound].get<double>() : b["utilisation"][bound].get<double>();
  return (bound == "round_trips" ? "rtt" : bound) + " " + format_percent(busy);
}

std::string link_busy_text(const nlohmann::json& run) {
  if (!run.contains("bottleneck") || run["bottleneck"]["bound"].is_null()) return "-";
  return format_percent(run["bottleneck"]["utilisation"]["link"].get<double>());
}

std::string per_GiB_text(const nlohmann::json& summary, std::string_view key) {
  auto it = summary.find(key);
  return it == summary.end() || it->is_null() ? "-" : format_duration(it->get<double>());
}

bool all_done(const nlohmann::json& summary) { return summary["done"] == summary["copies"]; }

bool has_recoveries(const nlohmann::json& runs) {
  for (const auto& run : runs) {
    for (const auto& [key, name] : kFaultCounts) {
      if (number_or_zero(run["summary"], key) > 0) return true;
    }
  }
  return false;
}

/// (point, [[copy]] entry, index): the same copy in another method's run.
using CopyKey = std::tuple<std::string, int, int>;

CopyKey copy_key(const nlohmann::json& run, const nlohmann::json& copy) {
  return {point_text(run["point"]), copy.value("copy", 0), copy.value("index", 0)};
}

std::string fallbacks_text(const nlohmann::json& copy) {
  std::string text;
  for (const auto& f : copy.value("fallbacks", nlohmann::json::array())) {
    text += fmt::format("{}{}->{} {} ({})", text.empty() ? "" : ", ", f.value("from", "?"), f.value("to", "?"),
                        format_bytes(number_or_zero(f, "bytes")), f.value("errno", "?"));
  }
  return text.empty() ? "-" : text;
}

}  // namespace

std::string runs_table(const nlohmann::json& runs) {
  std::map<std::string, double> host_makespan;  // point -> host's makespan, when every host copy finished
  for (const auto& run : runs) {
    if (run["method"] == "host" && all_done(run["summary"])) {
      host_makespan[point_text(run["point"])] = run["summary"]["makespan_s"];
    }
  }
  bool faults = has_recoveries(runs);
  constexpr std::string_view kRow = "{:<28} {:<15} {:>7} {:>9} {:>17} {:>11} {:>8} {:>9} {:>9} {:>10} {:>8}";
  std::string out = fmt::format(fmt::runtime(kRow), "point", "method", "copies", "makespan", "throughput", "shared net",
                                "net use", "cli CPU", "srv CPU", "bound", "vs host");
  if (faults) {
    for (const auto& [key, name] : kFaultCounts) out += fmt::format(" {:>9}", name);
  }
  out += "\n" + fmt::format(fmt::runtime(kRow), "", "", "", "", "", "", "", "per GiB", "per GiB", "(busy)", "") + "\n";
  for (const auto& run : runs) {
    const auto& s = run["summary"];
    std::string point = point_text(run["point"]);
    bool any_done = s["done"].get<int>() > 0;
    double makespan = s["makespan_s"];
    bool comparable = all_done(s) && host_makespan.contains(point) && makespan > 0;
    out += fmt::format(fmt::runtime(kRow), point, run["method"].get<std::string>(),
                       fmt::format("{}/{}", s["done"].get<int>(), s["copies"].get<int>()),
                       any_done ? format_duration(makespan) : "failed",
                       any_done ? format_copy_speed(s["aggregate_throughput_Bps"], number_or_zero(s, "mean_latency_s")) : "-",
                       format_bytes(shared_link_bytes(run)), link_busy_text(run), per_GiB_text(s, "client_cpu_s_per_GiB"),
                       per_GiB_text(s, "server_cpu_s_per_GiB"), bound_text(run),
                       comparable ? format_ratio(host_makespan[point] / makespan) : "-");
    if (faults) {
      for (const auto& [key, name] : kFaultCounts) out += fmt::format(" {:>9}", number_or_zero(s, key));
    }
    out += "\n";
  }
  return out;
}

std::string copies_table(const nlohmann::json& runs) {
  if (!has_recoveries(runs)) return "";
  std::map<CopyKey, double> host_time;
  for (const auto& run : runs) {
    if (run["method"] != "host") continue;
    for (const auto& copy : run["copies"]) {
      if (copy["state"] == "done") host_time[copy_key(run, copy)] = copy["latency_s"];
    }
  }
  constexpr std::string_view kRow = "{:<28} {:<15} {:>6} {:<10} {:<9} {:>9} {:>8} {:<18} {:>7} {:>8} {:>7}  {}\n";
  std::string out = "\nPer copy (a run's speed-up is its slowest copy's):\n";
  out += fmt::format(fmt::runtime(kRow), "point", "method", "copy", "host", "state", "time", "vs host", "via", "retries",
                     "redrives", "lost cb", "fallbacks (from->to bytes (errno))");
  for (const auto& run : runs) {
    for (const auto& copy : run["copies"]) {
      bool done = copy["state"] == "done";
      double latency = number_or_zero(copy, "latency_s");
      auto host = host_time.find(copy_key(run, copy));
      out += fmt::format(fmt::runtime(kRow), point_text(run["point"]), run["method"].get<std::string>(),
                         fmt::format("#{}.{}", copy.value("copy", 0), copy.value("index", 0)), copy.value("host", "?"),
                         copy.value("state", "?"), done ? format_duration(latency) : "-",
                         done && host != host_time.end() && latency > 0 ? format_ratio(host->second / latency) : "-",
                         copy.value("methods_used", "-"), number_or_zero(copy, "retries"),
                         number_or_zero(copy, "redrives"), number_or_zero(copy, "callbacks_lost"), fallbacks_text(copy));
    }
  }
  return out;
}

}  // namespace offload::cli
