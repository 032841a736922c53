#include "models/cpu.hpp"

#include <algorithm>

namespace offload::models {

CpuModel::CpuModel(sg4::Host* host, const CpuSpec& spec)
    : host_(host), spec_(spec), core_speed_(host->get_speed() / kFlopsPerCpuSecond), cores_(host, host->get_core_count()) {
  host->set_data(this);
}

CpuModel* CpuModel::of(sg4::Host* host) { return host->get_data<CpuModel>(); }

sg4::ExecPtr CpuModel::work_async(double cpu_seconds) {
  busy_s_ += cpu_seconds;
  return cores_.start(cpu_seconds / core_speed_);
}

SharedDevice::JobKey CpuModel::work(double cpu_seconds, std::function<void()> on_end) {
  busy_s_ += cpu_seconds;
  return cores_.start(cpu_seconds / core_speed_, std::move(on_end));
}

double CpuModel::stack_cost_s(double bytes, StackSide side) const {
  const StackSpec& stack = spec_.stack;
  double per_byte = side == StackSide::send ? stack.send_cycles_per_byte : stack.receive_cycles_per_byte;
  return (bytes * per_byte + stack.message_cycles) / stack.clock_Hz;
}

LanePiecePtr CpuModel::message_work(sg4::Host* peer, double bytes, StackSide side) {
  return lane_work(peer, stack_cost_s(bytes, side));
}

LanePiecePtr CpuModel::lane_work(sg4::Host* peer, double cost) {
  if (cost <= 0) return nullptr;
  auto it = lanes_.find(peer);
  if (it == lanes_.end()) {
    it = lanes_.try_emplace(peer, std::make_unique<Lane>(cores_)).first;
  }
  Lane& slot = *it->second;
  slot.busy_s += cost;
  busy_s_ += cost;
  return slot.lane.submit(cost / core_speed_);
}

double CpuModel::busiest_lane_s() const {
  double most = 0;
  for (const auto& [peer, lane] : lanes_) most = std::max(most, lane->busy_s);
  return most;
}

}  // namespace offload::models
