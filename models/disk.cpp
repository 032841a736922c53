#include "models/disk.hpp"

#include "models/power.hpp"

namespace offload::models {

DiskModel::DiskModel(sg4::Host* host, const std::string& name, const DiskSpec& spec)
    : device_(host->get_englobing_zone()->create_host("disk:" + name, kDeviceFlopsPerSecond)), name_(name), spec_(spec), shared_(device_) {
  set_host_power(device_, spec.power);
  device_->seal();
}

sg4::ExecPtr DiskModel::start(double bytes, DiskOp op) {
  bool reading = op == DiskOp::read;
  double service_s = bytes / (reading ? spec_.read_Bps : spec_.write_Bps);
  (reading ? read_bytes_ : write_bytes_) += bytes;
  busy_s_ += spec_.latency_s + service_s;
  return shared_.start(service_s);
}

}  // namespace offload::models
