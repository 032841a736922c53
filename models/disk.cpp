#include "models/disk.hpp"

#include "models/power.hpp"

namespace offload::models {

DiskModel::DiskModel(sg4::Host* host, const std::string& name, const DiskSpec& spec)
    : device_(host->get_englobing_zone()->create_host("disk:" + name, kDeviceFlopsPerSecond)), name_(name), spec_(spec), shared_(device_) {
  set_host_power(device_, spec.power);
  device_->seal();
}

double DiskModel::account(double bytes, DiskOp op) {
  bool reading = op == DiskOp::read;
  double service_s = bytes / (reading ? spec_.read_Bps : spec_.write_Bps);
  (reading ? read_bytes_ : write_bytes_) += bytes;
  busy_s_ += spec_.latency_s + service_s;
  return service_s;
}

sg4::ExecPtr DiskModel::start(double bytes, DiskOp op) { return shared_.start(account(bytes, op)); }

void DiskModel::start(double bytes, DiskOp op, std::function<void()> on_end) {
  shared_.start(account(bytes, op), std::move(on_end));
}

}  // namespace offload::models
