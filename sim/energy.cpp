#include "sim/energy.hpp"

#include <map>

#include "models/power.hpp"

namespace offload::sim {

std::vector<double> EnergyMeter::read() const {
  std::vector<double> values;
  for (const EnergySource& source : sources_) {
    if (source.host != nullptr) {
      values.push_back(models::consumed_energy_J(source.host));
    } else {
      auto it = network_.link_bytes().find(source.name);
      values.push_back(it == network_.link_bytes().end() ? 0.0 : it->second);
    }
  }
  return values;
}

void EnergyMeter::start() {
  start_s_ = sg4::Engine::get_clock();
  at_start_ = read();
}

void EnergyMeter::stop() {
  end_s_ = sg4::Engine::get_clock();
  at_end_ = read();
}

nlohmann::json EnergyMeter::json(double moved_bytes) const {
  const char* part_names[] = {"client", "server", "network"};
  std::map<std::string, double> parts{{"client", 0}, {"server", 0}, {"network", 0}};
  nlohmann::json by_source = nlohmann::json::object();
  bool measured = !at_start_.empty() && at_end_.size() == at_start_.size();
  double interval = measured ? end_s_ - start_s_ : 0;
  for (std::size_t i = 0; measured && i < sources_.size(); ++i) {
    const EnergySource& source = sources_[i];
    double joules = at_end_[i] - at_start_[i];
    if (source.host == nullptr) {
      // Each direction: idle/2 + (busy - idle)/2 x its usage / bandwidth;
      // over the interval, usage integrates to the bytes it carried.
      joules = link_power_.idle_W * interval + (link_power_.busy_W - link_power_.idle_W) / 2 * joules / source.bandwidth_Bps;
    }
    parts[part_names[static_cast<int>(source.part)]] += joules;
    by_source[source.name] = joules;
  }
  double total = parts["client"] + parts["server"] + parts["network"];
  double GiB = moved_bytes / 1073741824.0;
  auto per_GiB = [&](double joules) { return GiB > 0 ? nlohmann::json(joules / GiB) : nlohmann::json(nullptr); };
  nlohmann::json out{{"start_s", measured ? start_s_ : 0.0}, {"end_s", measured ? end_s_ : 0.0}, {"interval_s", interval},
                     {"total_J", total}, {"total_J_per_GiB", per_GiB(total)}, {"by_source", by_source}};
  for (const auto& [part, joules] : parts) {
    out[part + "_J"] = joules;
    out[part + "_J_per_GiB"] = per_GiB(joules);
  }
  return out;
}

}  // namespace offload::sim
