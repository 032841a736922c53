// The engine's completion side: what each finished operation does to its
// copy (map -> holes and pieces, offloaded ranges credited, fallen back or
// failed, reads turned into writes, short counts re-queued). The issuing
// side is engine/engine.cpp; the fallback policy engine/ladder.hpp.
#include "engine/engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "engine/ladder.hpp"

namespace offload {
namespace {

std::string strerror_text(int errno_value) { return std::strerror(errno_value); }

}  // namespace

void Engine::on_complete(std::uint64_t op_id, OpResult result) {
  {
    std::lock_guard lock(mutex_);
    ++completions_running_;
    handle_completion(op_id, result);
    pump();
  }
  start_issued();
  // Found by UBSan: the destructor saw nothing in flight and returned while
  // this thread was still in start_issued() on the destroyed engine.
  std::lock_guard lock(mutex_);
  --completions_running_;
}

void Engine::handle_completion(std::uint64_t op_id, OpResult& result) {
  auto node = in_flight_.extract(op_id);
  if (node.empty()) return;
  InFlight flight = std::move(node.mapped());
  --in_flight_count_;
  Job& job = jobs_.at(flight.job_id);
  if (flight.op.kind == OpKind::read) {
    --host_reads_in_flight_;
    --job.reads_in_flight;
  }
  --job.in_flight;
  if (flight.grows) --job.growing_in_flight;
  ++job.status.operations;
  job.status.cpu_ns += result.cpu_ns;
  switch (flight.op.kind) {
    case OpKind::map_data: on_mapped(job, flight, result); break;
    case OpKind::clone:
    case OpKind::xcopy:
    case OpKind::odx:
    case OpKind::nvme_copy:
    case OpKind::copy_range: on_offloaded(job, flight, result); break;
    case OpKind::read: on_read(job, flight, result); break;
    case OpKind::write: on_written(job, flight, result); break;
    case OpKind::zero_range:
      if (result.failed()) {
        fail(job, {result.error(), job.destination, "cannot zero a hole range: " + strerror_text(result.error())});
      }
      break;
    case OpKind::finish:
      if (result.failed()) {
        std::string detail = result.detail.empty() ? strerror_text(result.error()) : result.detail;
        fail(job, {result.error(), result.error() == ENODATA ? job.source : job.destination, detail});
      } else {
        end(job, CopyState::done);
      }
      break;
    case OpKind::abort:
      job.status.destination_left = result.left;
      job.status.destination_left_bytes = result.value > 0 ? static_cast<std::uint64_t>(result.value) : 0;
      end(job, job.status.error && job.status.error->errno_value == ECANCELED ? CopyState::cancelled
                                                                           : CopyState::failed);
      break;
  }
}

void Engine::on_mapped(Job& job, const InFlight& flight, OpResult& result) {
  if (result.failed()) {
    fail(job, {result.error(), job.source, "cannot map source data: " + strerror_text(result.error())});
    return;
  }
  if (job.stopping) return;
  const TargetInfo& info = job.target->info();
  const ByteRange range{flight.op.source_offset, flight.op.length};
  std::sort(result.extents.begin(), result.extents.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::uint64_t cursor = range.offset;
  std::uint64_t data_bytes = 0;
  auto to_destination = [&](std::uint64_t source_offset) {
    return source_offset - range.offset + info.destination_offset;
  };
  auto add_hole = [&](std::uint64_t from, std::uint64_t to) {
    if (to > from && info.destination_needs_zeroing) {
      job.zero_pending.push_back({to_destination(from), to - from});
    }
  };
  for (const ByteRange& extent : result.extents) {
    std::uint64_t begin = std::max(extent.offset, cursor);
    std::uint64_t finish = std::min(extent.end(), range.end());
    if (finish <= begin) continue;
    add_hole(cursor, begin);
    if (!job.pending.empty() && job.pending.back().source_offset + job.pending.back().length == begin) {
      job.pending.back().length += finish - begin;
    } else {
      job.pending.push_back({begin, to_destination(begin), finish - begin, 0});
    }
    data_bytes += finish - begin;
    cursor = finish;
  }
  add_hole(cursor, range.end());
  job.status.hole_bytes = range.length - data_bytes;
  job.phase = Phase::copying;
}

void Engine::on_offloaded(Job& job, const InFlight& flight, const OpResult& result) {
  const Op& op = flight.op;
  if (!result.failed()) {
    std::uint64_t moved = op.kind == OpKind::clone ? op.length
                                                   : std::min<std::uint64_t>(result.value, op.length);
    if (moved == 0 && op.length > 0) {
      fail_source_ended(job, op.source_offset);
      return;
    }
    credit(job, flight.method, moved);
    if (moved < op.length && !job.stopping) {  // short count: re-issue the rest
      job.pending.push_front({op.source_offset + moved, op.destination_offset + moved,
                              op.length - moved, flight.rung});
    }
    return;
  }
  int err = result.error();
  if (job.stopping) return;
  auto next = may_fall_back(err) ? next_rung(job, flight.rung) : std::nullopt;
  if (!next) {
    // "Cannot copy this pair" only for errors that rule the method out here
    // (EXDEV, EOPNOTSUPP, ...), not for ENOSPC or EIO.
    std::string why = job.ladder.size() == 1 && disables_method(err)
                          ? std::string(method_name(flight.method)) + " cannot copy this file pair: "
                          : std::string(method_name(flight.method)) + " failed: ";
    fail(job, {err, job.destination, why + strerror_text(err) + (result.detail.empty() ? "" : " (" + result.detail + ")")});
    return;
  }
  Piece piece{op.source_offset, op.destination_offset, op.length, flight.rung};
  if (disables_method(err)) job.rung_disabled_by[flight.rung] = err;
  record_fallback(job, piece, *next, err, result.detail);
  piece.rung = *next;
  job.pending.push_front(piece);
}

void Engine::on_read(Job& job, const InFlight& flight, const OpResult& result) {
  const Op& op = flight.op;
  if (result.failed() || result.value == 0 || job.stopping) {
    buffers_.release(*flight.buffer);
    if (result.failed()) {
      fail(job, {result.error(), job.source, "read failed: " + strerror_text(result.error()) +
                                                 (result.detail.empty() ? "" : " (" + result.detail + ")")});
    } else if (result.value == 0 && op.length > 0) {
      fail_source_ended(job, op.source_offset);
    }
    return;
  }
  auto got = static_cast<std::uint64_t>(result.value);
  if (got < op.length) {  // short read: the rest goes back to the queue
    job.pending.push_front({op.source_offset + got, op.destination_offset + got, op.length - got,
                            flight.rung});
  }
  Op write{.kind = OpKind::write, .source_offset = op.source_offset,
           .destination_offset = op.destination_offset, .length = got,
           .buffer = op.buffer.first(got)};
  if (grows(job, write)) {
    park(job, write, flight.rung, *flight.buffer);  // issue_parked() starts it in its turn
    return;
  }
  issue(job, write, Method::host, flight.rung, flight.buffer);
}

void Engine::on_written(Job& job, const InFlight& flight, const OpResult& result) {
  const Op& op = flight.op;
  if (result.failed() || result.value == 0) {
    buffers_.release(*flight.buffer);
    int err = result.failed() ? result.error() : EIO;
    fail(job, {err, job.destination, "write failed: " + strerror_text(err) +
                                          (result.detail.empty() ? "" : " (" + result.detail + ")")});
    return;
  }
  auto put = std::min<std::uint64_t>(result.value, op.length);
  credit(job, Method::host, put);
  if (put < op.length && !job.stopping) {  // short write: write the rest of the buffer
    Op rest{.kind = OpKind::write, .source_offset = op.source_offset + put,
            .destination_offset = op.destination_offset + put, .length = op.length - put,
            .buffer = op.buffer.subspan(put)};
    issue(job, rest, Method::host, flight.rung, flight.buffer);
    return;
  }
  buffers_.release(*flight.buffer);
}

}  // namespace offload
