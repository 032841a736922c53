#include "models/scsi_lun_target.hpp"

#include <cerrno>

namespace offload::models {

ScsiLunTarget::ScsiLunTarget(sg4::Host* initiator, CpuModel& initiator_cpu, ScsiArray& source,
                             ScsiArray& destination, TargetInfo info)
    : initiator_(initiator), cpu_(initiator_cpu), source_(source), destination_(destination), info_(std::move(info)) {
  info_.needs_host_memory = false;
  info_.file_methods = false;  // a LUN has no reflink and no copy_file_range
  info_.device_methods.clear();  // what INQUIRY's 3PC bit and VPD page 0x8F would announce
  if (&source_ == &destination_ && source_.copy_spec().xcopy) info_.device_methods.push_back(Method::scsi_xcopy);
  if (&source_ == &destination_ && source_.copy_spec().odx) info_.device_methods.push_back(Method::scsi_odx);
  // Third Party Copy VPD limits, in whole 512-byte blocks.
  auto blocks = [](double bytes) { return static_cast<std::uint64_t>(bytes / 512) * 512; };
  info_.max_op_bytes[static_cast<std::size_t>(Method::scsi_xcopy)] = blocks(source_.copy_spec().max_segment_bytes);
  info_.max_op_bytes[static_cast<std::size_t>(Method::scsi_odx)] = blocks(source_.copy_spec().max_token_bytes);
}

OpResult ScsiLunTarget::map_data(ByteRange range) {
  source_.command(initiator_);  // READ CAPACITY
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);
  return result;
}

OpResult ScsiLunTarget::read(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  auto work = cpu_.work_async(cpu_.copy_cost_s(bytes));
  source_.read(initiator_, bytes);
  work->wait();
  return {.value = static_cast<std::int64_t>(op.length)};
}

OpResult ScsiLunTarget::write(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  auto work = cpu_.work_async(cpu_.copy_cost_s(bytes));
  destination_.write(initiator_, bytes);
  work->wait();
  return {.value = static_cast<std::int64_t>(op.length)};
}

// An offload the array runs itself: only between its own LUNs; 0 bytes
// means it answered INVALID OPERATION CODE.
OpResult ScsiLunTarget::on_array(double (ScsiArray::*offload)(sg4::Host*, double), const Op& op) {
  if (&source_ != &destination_) return {.value = -EXDEV};
  double moved = (source_.*offload)(initiator_, static_cast<double>(op.length));
  if (moved < 0) return {.value = static_cast<std::int64_t>(moved)};  // -errno from the sense data
  return moved > 0 ? OpResult{.value = static_cast<std::int64_t>(moved)} : OpResult{.value = -EOPNOTSUPP};
}

OpResult ScsiLunTarget::xcopy(const Op& op) { return on_array(&ScsiArray::extended_copy, op); }

OpResult ScsiLunTarget::odx(const Op& op) { return on_array(&ScsiArray::token_copy, op); }

OpResult ScsiLunTarget::zero_range(const Op& op) { return {.value = static_cast<std::int64_t>(op.length)}; }

OpResult ScsiLunTarget::finish() {
  destination_.command(initiator_);  // SYNCHRONIZE CACHE
  return {};
}

}  // namespace offload::models
