#include "sim/bottleneck.hpp"

#include <algorithm>
#include <map>

namespace offload::sim {

nlohmann::json bottleneck_json(const std::vector<ResourceBusy>& resources, double span_s) {
  static const char* const kClasses[] = {"link", "disk", "cpu"};
  std::map<std::string, double> utilisation;
  nlohmann::json busiest = nlohmann::json::object();
  for (const char* kind : kClasses) {
    utilisation[kind] = 0;
    busiest[kind] = nullptr;
  }
  if (!(span_s > 0)) return {{"bound", nullptr}, {"shares", nullptr}, {"utilisation", utilisation}, {"busiest", busiest}};
  for (const ResourceBusy& r : resources) {
    double u = std::min(1.0, r.busy_s / span_s);
    if (!utilisation.contains(r.kind) || u <= utilisation[r.kind]) continue;
    utilisation[r.kind] = u;
    busiest[r.kind] = r.name;
  }
  double total = 0;
  for (const auto& [kind, u] : utilisation) total += u;
  nlohmann::json shares = nlohmann::json::object();
  double explained = 0;
  std::string bound = "round_trips";
  double largest = 0;
  for (const auto& [kind, u] : utilisation) {
    double share = u / std::max(1.0, total);
    shares[kind] = share;
    explained += share;
    if (share > largest) largest = share, bound = kind;
  }
  double round_trips = std::max(0.0, 1.0 - explained);
  shares["round_trips"] = round_trips;
  if (round_trips > largest) bound = "round_trips";
  return {{"bound", bound}, {"shares", shares}, {"utilisation", utilisation}, {"busiest", busiest}};
}

}  // namespace offload::sim
