#include "sim/targets/sim_file_target.hpp"

#include <cerrno>

namespace offload::sim {
namespace {

using models::NfsRpc;

OpResult bytes_result(double bytes) { return {.value = static_cast<std::int64_t>(bytes)}; }

}  // namespace

SimFileTarget::SimFileTarget(SimClient client, SimEndpoint source, SimEndpoint destination, TargetInfo info,
                             std::optional<bool> nfs_async)
    : client_(client), source_(source), destination_(destination), info_(std::move(info)), nfs_async_(nfs_async) {
  info_.needs_host_memory = false;
}

OpResult SimFileTarget::map_data(ByteRange range) {
  if (source_.server != nullptr) source_.server->round_trip(client_.host, NfsRpc::open);  // OPEN (and SEEK)
  if (source_.local != nullptr) source_.local->open_or_close();              // open, SEEK_DATA
  if (source_.smb != nullptr) source_.smb->metadata_exchanges(client_.host);  // lookups, opens, stats
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);  // simulated files have no holes
  return result;
}

OpResult SimFileTarget::read(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  if (source_.server != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    source_.server->read(client_.host, bytes);
    work->wait();
  } else if (source_.smb != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    source_.smb->read(client_.host, bytes);
    work->wait();
  } else {
    if (!host_started_) {  // first read of this copy (reads of one copy start one at a time first)
      host_started_ = true;
      source_.local->start_host_copy();
    }
    source_.local->read(bytes);
  }
  return bytes_result(bytes);
}

OpResult SimFileTarget::write(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  if (destination_.server != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    destination_.server->write(client_.host, bytes);
    work->wait();
  } else if (destination_.smb != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    destination_.smb->write(client_.host, bytes);
    work->wait();
  } else {
    destination_.local->write(bytes);
  }
  return bytes_result(bytes);
}

OpResult SimFileTarget::clone(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  if (source_.server != nullptr && source_.server == destination_.server) {
    syscall();  // FICLONERANGE on the mount
    return source_.server->clone(client_.host, bytes) ? bytes_result(bytes) : OpResult{.value = -EOPNOTSUPP};
  }
  if (source_.local != nullptr && source_.local == destination_.local) {
    return source_.local->clone(bytes) ? bytes_result(bytes) : OpResult{.value = -EOPNOTSUPP};
  }
  if (source_.smb != nullptr && source_.smb == destination_.smb && source_.share == destination_.share) {
    syscall();  // FICLONERANGE on the mount
    return source_.smb->duplicate_extents(client_.host, bytes) ? bytes_result(bytes) : OpResult{.value = -EOPNOTSUPP};
  }
  syscall();  // the ioctl that says EXDEV
  return {.value = -EXDEV};
}

OpResult SimFileTarget::copy_range(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  if (source_.server != nullptr && destination_.server != nullptr) syscall();  // copy_file_range on the mount
  if (source_.server != nullptr && source_.server == destination_.server) {
    bool async = nfs_async_.value_or(source_.server->async_by_default());
    return bytes_result(source_.server->copy(client_.host, bytes, async, interrupted_));
  }
  if (source_.server != nullptr && destination_.server != nullptr) {
    return bytes_result(destination_.server->copy_from(*source_.server, client_.host, bytes, interrupted_));
  }
  if (source_.local != nullptr && source_.local == destination_.local) {
    source_.local->kernel_copy(bytes);
    return bytes_result(bytes);
  }
  if (source_.smb != nullptr && source_.smb == destination_.smb) {
    syscall();  // copy_file_range on the mount
    return bytes_result(source_.smb->copychunk(client_.host, bytes));
  }
  syscall();
  return {.value = -EXDEV};
}

void SimFileTarget::syscall() { client_.cpu->work_async(client_.cpu->copy_cost_s(0))->wait(); }

OpResult SimFileTarget::zero_range(const Op& op) { return bytes_result(static_cast<double>(op.length)); }

OpResult SimFileTarget::finish() {
  if (destination_.server != nullptr) destination_.server->round_trip(client_.host, NfsRpc::close);  // COMMIT + CLOSE
  if (destination_.local != nullptr) destination_.local->open_or_close();              // fstat the source
  return {};
}

OpResult SimFileTarget::abort() {
  if (destination_.server != nullptr) destination_.server->round_trip(client_.host, NfsRpc::close);  // REMOVE
  return {};
}

}  // namespace offload::sim
