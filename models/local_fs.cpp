#include "models/local_fs.hpp"

#include "models/stage.hpp"

namespace offload::models {

double LocalFs::host_copy_cost_s(double bytes, bool writing) const {
  double share = writing ? spec_.write_share : 1 - spec_.write_share;
  return cpu_.copy_cost_s(2 * share * bytes);
}

void LocalFs::read(double bytes) {
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  auto io = disk_.start(bytes, DiskOp::read);
  auto cpu = cpu_.work_async(host_copy_cost_s(bytes, false));
  io->wait();
  cpu->wait();
}

void LocalFs::write(double bytes, sg4::MutexPtr file_lock) {
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  auto io = disk_.start(bytes, DiskOp::write);
  if (file_lock) file_lock->lock();
  cpu_.work_async(host_copy_cost_s(bytes, true))->wait();
  if (file_lock) file_lock->unlock();
  io->wait();
}

void LocalFs::kernel_copy(double bytes, sg4::MutexPtr file_lock) {
  if (spec_.reflink && spec_.copy_range_reflinks) {  // XFS/btrfs: copy_file_range remaps extents
    double per_call_s = spec_.remap_fixed_s >= 0 ? spec_.remap_fixed_s : spec_.clone_fixed_s;
    cpu_.work_async(per_call_s + spec_.clone_per_GiB_s * bytes / 1073741824.0)->wait();
    return;
  }
  double cpu_s = spec_.kernel_copy_Bps > 0 ? bytes / spec_.kernel_copy_Bps + cpu_.copy_cost_s(0) : cpu_.copy_cost_s(bytes);
  if (file_lock) file_lock->lock();
  disk_to_disk(disk_, disk_, &cpu_, cpu_s, bytes);
  if (file_lock) file_lock->unlock();
}

void LocalFs::start_host_copy() {
  if (spec_.host_copy_start_s > 0) sg4::this_actor::sleep_for(spec_.host_copy_start_s);
}

void LocalFs::open_or_close() { cpu_.work_async(cpu_.copy_cost_s(0))->wait(); }

bool LocalFs::clone(double bytes) {
  if (!spec_.reflink) {
    cpu_.work_async(cpu_.copy_cost_s(0))->wait();  // the failing ioctl still costs a syscall
    return false;
  }
  cpu_.work_async(spec_.clone_fixed_s + spec_.clone_per_GiB_s * bytes / 1073741824.0)->wait();
  return true;
}

}  // namespace offload::models
