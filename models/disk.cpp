#include "models/disk.hpp"

namespace offload::models {

DiskModel::DiskModel(sg4::Host* host, const std::string& name, const sim::DiskSpec& spec)
    : disk_(host->create_disk(name, spec.read_Bps, spec.write_Bps)), name_(name), spec_(spec) {
  disk_->seal();
}

sg4::IoPtr DiskModel::start(double bytes, sg4::Io::OpType type) {
  bool reading = type == sg4::Io::OpType::READ;
  (reading ? read_bytes_ : write_bytes_) += bytes;
  busy_s_ += spec_.latency_s + bytes / (reading ? spec_.read_Bps : spec_.write_Bps);
  return disk_->io_init(static_cast<sg_size_t>(bytes), type)->start();
}

void DiskModel::transfer(double bytes, sg4::Io::OpType type) {
  if (spec_.latency_s > 0) sg4::this_actor::sleep_for(spec_.latency_s);
  start(bytes, type)->wait();
}

}  // namespace offload::models
