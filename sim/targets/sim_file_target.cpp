#include "sim/targets/sim_file_target.hpp"

#include <cerrno>
#include <cmath>

namespace offload::sim {
namespace {

using models::NfsRpc;

/// A host copy is streamed when its first READ is among its range's first
/// chunks (the engine keeps at most copy_depth of them in flight).
constexpr double kStreamStartWithin = 64;

OpResult bytes_result(double bytes) { return {.value = static_cast<std::int64_t>(bytes)}; }

/// A streamed request the stage dropped (it then goes as a single one):
/// when `server` restarted under it, the chunked model's client would have
/// sent it again, so it counts as a retransmission. Returns false.
bool broke(models::NfsServer& server, int epoch_at_issue) {
  if (server.epoch() != epoch_at_issue) server.count_streamed_retransmit();
  return false;
}

}  // namespace

SimFileTarget::SimFileTarget(SimClient client, SimEndpoint source, SimEndpoint destination, TargetInfo info,
                             std::optional<bool> nfs_async, bool stream_host)
    : client_(client),
      source_(source),
      destination_(destination),
      info_(std::move(info)),
      nfs_async_(nfs_async),
      stream_host_(stream_host && source.server != nullptr && destination.server != nullptr) {
  info_.needs_host_memory = false;
  // Made here, not on first use: creating it is a simcall, which lets other
  // requests of this copy run and could make two locks.
  if (destination_.local != nullptr) destination_inode_lock_ = simgrid::s4u::Mutex::create();
  if (stream_host_) {
    models::NfsServer* from = source_.server;
    models::NfsServer* to = destination_.server;
    reads_ = std::make_unique<models::HostStream>([from] { return from->epoch(); });
    writes_ = std::make_unique<models::HostStream>([to] { return to->epoch(); });
  }
}

OpResult SimFileTarget::map_data(ByteRange range) {
  if (source_.server != nullptr) source_.server->round_trip(client_.host, NfsRpc::open);  // OPEN (and SEEK)
  if (source_.local != nullptr) source_.local->open_or_close();              // open, SEEK_DATA
  if (source_.smb != nullptr) source_.smb->metadata_exchanges(client_.host);  // lookups, opens, stats
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);  // simulated files have no holes
  return result;
}

// The first READ starts the READ stage for the rest of the source range in
// chunks of its length; each READ returns once the stage delivered its chunk.
bool SimFileTarget::streamed_read(const Op& op) {
  if (!stream_host_) return false;
  double issued = sg4::Engine::get_clock();
  auto offset = static_cast<double>(op.source_offset);
  auto length = static_cast<double>(op.length);
  bool first = !reads_->begun();  // its call is the stage's first, sent for real
  if (first) {
    // From the range's start: the engine issues the first chunks at once and
    // any of them may come first. A host copy that starts further in (a
    // fallback after an offload moved a part) stays chunked.
    stream_base_ = static_cast<double>(info_.source_range.offset);
    stream_bytes_ = static_cast<double>(info_.source_range.length);
    stream_requests_ = std::ceil(stream_bytes_ / length);
    if (stream_requests_ < 2 || offset - stream_base_ >= kStreamStartWithin * length) {  // nothing to stream
      stream_host_ = false;
      return false;
    }
    reads_->begin(stream_bytes_);
    source_.server->stream_reads(client_.host, stream_bytes_, stream_requests_, *reads_);
    reads_->add_work(*client_.cpu, client_.cpu->copy_cost_s(stream_bytes_, static_cast<int>(stream_requests_)));
    reads_->started();
  }
  models::NfsServer* server = source_.server;
  int epoch = server->epoch();
  models::HostStream::Stacks stacks{
      .call = [&] { return server->stream_stacks(client_.host, NfsRpc::read, length, false); },
      .data = [&] { return server->stream_stacks(client_.host, NfsRpc::read, length, true); }};
  if (!reads_->wait_for(length, issued, stacks, first)) return broke(*server, epoch);
  server->count_streamed(NfsRpc::read);
  return true;
}

// The first WRITE starts the WRITE stage for all chunks.
bool SimFileTarget::streamed_write(const Op& op) {
  if (!reads_ || !reads_->begun()) return false;
  double issued = sg4::Engine::get_clock();
  bool first = !writes_->begun();  // its reply is the stage's first, sent for real
  if (first) {
    writes_->begin(stream_bytes_);
    destination_.server->stream_writes(client_.host, stream_bytes_, stream_requests_, *writes_);
    writes_->add_work(*client_.cpu, client_.cpu->copy_cost_s(stream_bytes_, static_cast<int>(stream_requests_)));
    writes_->started();
  }
  auto length = static_cast<double>(op.length);
  models::NfsServer* server = destination_.server;
  int epoch = server->epoch();
  models::HostStream::Stacks stacks{
      .data = [&] { return server->stream_stacks(client_.host, NfsRpc::write, length, false); },
      .reply = [&] { return server->stream_stacks(client_.host, NfsRpc::write, length, true); }};
  if (!writes_->wait_for(length, issued, stacks, first)) return broke(*server, epoch);
  server->count_streamed(NfsRpc::write);
  return true;
}

void SimFileTarget::stop_streams() {
  if (reads_) reads_->cancel();
  if (writes_) writes_->cancel();
}

OpResult SimFileTarget::read(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  if (streamed_read(op)) return bytes_result(bytes);
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
  if (streamed_write(op)) return bytes_result(bytes);
  if (destination_.server != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    destination_.server->write(client_.host, bytes);
    work->wait();
  } else if (destination_.smb != nullptr) {
    auto work = client_.cpu->work_async(client_.cpu->copy_cost_s(bytes));
    destination_.smb->write(client_.host, bytes);
    work->wait();
  } else {
    destination_.local->write(bytes, destination_inode_lock_);
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
    source_.local->kernel_copy(bytes, destination_inode_lock_);
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
  stop_streams();
  if (destination_.server != nullptr) destination_.server->round_trip(client_.host, NfsRpc::close);  // COMMIT + CLOSE
  if (destination_.local != nullptr) destination_.local->open_or_close();              // fstat the source
  return {};
}

OpResult SimFileTarget::abort() {
  stop_streams();  // a cancelled copy: the stages stop reading ahead
  if (destination_.server != nullptr) destination_.server->round_trip(client_.host, NfsRpc::close);  // REMOVE
  return {};
}

}  // namespace offload::sim
