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
/// sent it again, so it counts as a retransmission (in `tally` too).
void count_if_restarted(models::NfsServer& server, int epoch_at_issue, models::FaultTally* tally) {
  if (server.epoch() != epoch_at_issue) server.count_streamed_retransmit(tally);
}

/// The stack work of a streamed READ's (`rpc` read) or WRITE's messages
/// of `length` bytes between `client` and `server`.
models::HostStream::Stacks stream_stacks(models::NfsServer* server, sg4::Host* client, NfsRpc rpc, double length) {
  auto message = [server, client, rpc, length](bool reply) {
    return [server, client, rpc, length, reply] { return server->stream_stacks(client, rpc, length, reply); };
  };
  if (rpc == NfsRpc::read) return {.call = message(false), .data = message(true)};
  return {.data = message(false), .reply = message(true)};
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
// chunks of its length, the first WRITE the WRITE stage for all chunks.
// Without an actor: the stage's setup (its first message) runs in the
// kernel, and its requests, this one first, wait for its start.
bool SimFileTarget::begin_stage(const Op& op) {
  auto length = static_cast<double>(op.length);
  if (op.kind == OpKind::write) {
    writes_->begin(stream_bytes_);
    destination_.server->stream_writes(client_.host, stream_bytes_, stream_requests_, *writes_, tally.get(),
                                       client_side_starts(*writes_));
    return true;
  }
  // From the range's start: the engine issues the first chunks at once and
  // any of them may come first. A host copy that starts further in (a
  // fallback after an offload moved a part) stays chunked.
  stream_base_ = static_cast<double>(info_.source_range.offset);
  stream_bytes_ = static_cast<double>(info_.source_range.length);
  stream_requests_ = std::ceil(stream_bytes_ / length);
  auto offset = static_cast<double>(op.source_offset);
  if (stream_requests_ < 2 || offset - stream_base_ >= kStreamStartWithin * length) {  // nothing to stream
    stream_host_ = false;
    return false;
  }
  reads_->begin(stream_bytes_);
  source_.server->stream_reads(client_.host, stream_bytes_, stream_requests_, *reads_, tally.get(),
                               client_side_starts(*reads_));
  return true;
}

// Once the server set the stage: the client's memcpy for all its chunks,
// and its requests go on.
std::function<void()> SimFileTarget::client_side_starts(models::HostStream& stage) {
  return [this, &stage, cpu_s = client_.cpu->copy_cost_s(stream_bytes_, static_cast<int>(stream_requests_))] {
    stage.add_work(*client_.cpu, cpu_s);
    stage.started();
  };
}

// Each READ or WRITE ends once its stage delivered its chunk (`end` gets
// its bytes), or goes as a single request (`end` gets nullopt).
bool SimFileTarget::stream(const Op& op, const End& end) {
  bool read = op.kind == OpKind::read;
  if (!stream_host_ || (!read && !reads_->begun())) return false;
  double issued = sg4::Engine::get_clock();
  models::HostStream& stage = read ? *reads_ : *writes_;
  // Its call (a READ) or reply (a WRITE) is the stage's first, sent for real.
  bool first = !stage.begun();
  if (first ? !begin_stage(op) : stage.stopped()) return false;  // stopped: a fault broke the stage
  auto length = static_cast<double>(op.length);
  models::NfsServer* server = read ? source_.server : destination_.server;
  NfsRpc rpc = read ? NfsRpc::read : NfsRpc::write;
  int epoch = server->epoch();
  auto stacks = stream_stacks(server, client_.host, rpc, length);
  auto settle = [server, rpc, epoch, tally = tally](bool delivered) {
    if (delivered) {
      server->count_streamed(rpc);
    } else {
      count_if_restarted(*server, epoch, tally.get());
    }
  };
  stage.request(length, issued, std::move(stacks), first, [settle, length, end](bool delivered) {
    settle(delivered);
    end(delivered ? std::optional<OpResult>(bytes_result(length)) : std::nullopt);  // nullopt: a single request
  });
  return true;
}

// A streamed copy's OPEN, READs, WRITEs and COMMIT + CLOSE run without an
// actor (its first READ and WRITE begin their stage). A READ or WRITE its
// stage drops goes as a single request, on an actor.
bool SimFileTarget::start_detached(const Op& op, End end) {
  if (!stream_host_) return false;
  switch (op.kind) {
    case OpKind::map_data:  // OPEN (and SEEK): the range has no holes
      source_.server->round_trip_detached(client_.host, NfsRpc::open, tally.get(),
                                          [end = std::move(end), range = ByteRange{op.source_offset, op.length}] {
                                            OpResult result;
                                            if (range.length > 0) result.extents.push_back(range);
                                            end(result);
                                          });
      return true;
    case OpKind::finish:  // COMMIT + CLOSE
      stop_streams();
      destination_.server->round_trip_detached(client_.host, NfsRpc::close, tally.get(),
                                               [end = std::move(end)] { end(OpResult{}); });
      return true;
    case OpKind::read:
    case OpKind::write: {
      const models::HostStream& stage = op.kind == OpKind::read ? *reads_ : *writes_;
      if (stage.stopped() || (op.kind == OpKind::write && !reads_->begun())) return false;
      return stream(op, end);
    }
    default: return false;
  }
}

std::optional<OpResult> SimFileTarget::execute_detaching(const Op& op, End end) {
  bool streamable = op.kind == OpKind::read || op.kind == OpKind::write;
  if (streamable && stream(op, end)) return std::nullopt;
  return execute(op);  // a single request
}

void SimFileTarget::stop_streams() {
  if (reads_) reads_->cancel();
  if (writes_) writes_->cancel();
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
