#include "engine/engine.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "engine/ladder.hpp"

namespace offload {
namespace {

// Operations that put source bytes into the destination.
bool writes_data(OpKind kind) {
  return kind == OpKind::write || kind == OpKind::clone || kind == OpKind::copy_range || kind == OpKind::xcopy ||
         kind == OpKind::odx || kind == OpKind::nvme_copy;
}

}  // namespace

Engine::Engine(Runtime& runtime, TargetFactory& targets, EngineConfig config)
    : runtime_(runtime),
      targets_(targets),
      config_(config),
      buffers_(config.host_buffers != 0 ? config.host_buffers : std::max<std::uint32_t>(1, config.queue_depth),
               config.host_chunk_bytes) {
  if (config_.queue_depth == 0) config_.queue_depth = 1;
  runtime_.bind(this);
}

Engine::~Engine() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, job] : jobs_) {
      if (!is_final(job.status.state) && !job.stopping) {
        fail(job, {ECANCELED, job.destination, "engine shut down"});
        if (job.in_flight > 0) job.target->interrupt();
      }
    }
    pump();
  }
  start_issued();
  runtime_.wait_until(std::numeric_limits<TimeNs>::max(), [this] {
    std::lock_guard lock(mutex_);
    return in_flight_count_ == 0 && completions_running_ == 0;
  });
}

std::expected<Cookie, CopyError> Engine::submit(const CopyRequest& request) {
  auto opened = targets_.open(request);
  if (!opened) return std::unexpected(opened.error());
  Cookie cookie;
  {
    std::lock_guard lock(mutex_);
    cookie = admit(request, std::move(*opened));
    pump();
  }
  start_issued();
  return cookie;
}

Cookie Engine::admit(const CopyRequest& request, std::unique_ptr<CopyTarget> target) {
  std::uint64_t id = next_job_id_++;
  Job& job = jobs_[id];
  job.cookie = Cookie{id};
  job.source = request.source;
  job.destination = request.destination;
  job.target = std::move(target);
  job.ladder = ladder_for(request.method, job.target->info());
  job.rung_disabled_by.assign(job.ladder.size(), 0);
  const TargetInfo& info = job.target->info();
  job.status.bytes_total = info.source_range.length;
  job.status.submitted_ns = runtime_.now_ns();
  job.status.source_fs = info.source_fs;
  job.status.destination_fs = info.destination_fs;
  return job.cookie;
}

std::optional<CopyStatus> Engine::poll(Cookie cookie) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(cookie.id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second.status;
}

std::optional<CopyStatus> Engine::wait(Cookie cookie, std::optional<TimeNs> timeout_ns) {
  TimeNs deadline = std::numeric_limits<TimeNs>::max();
  if (timeout_ns) {
    TimeNs now = runtime_.now_ns();
    deadline = *timeout_ns > deadline - now ? deadline : now + *timeout_ns;
  }
  runtime_.wait_until(deadline, [this, cookie] {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(cookie.id);
    return it == jobs_.end() || is_final(it->second.status.state);
  });
  return poll(cookie);
}

bool Engine::cancel(Cookie cookie) {
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(cookie.id);
    if (it == jobs_.end()) return false;
    Job& job = it->second;
    // Too late once the destination is being published.
    if (is_final(job.status.state) || job.stopping || job.phase == Phase::finishing) return false;
    fail(job, {ECANCELED, job.destination, "copy cancelled"});
    if (job.in_flight > 0) job.target->interrupt();
    pump();
  }
  start_issued();
  return true;
}

// Hands the operations issued under the lock to the runtime, outside it:
// a runtime may switch to other callers while starting (SimGrid actors do).
void Engine::start_issued() {
  std::vector<Issued> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(issued_);
  }
  for (const Issued& issued : batch) runtime_.start(issued.op_id, *issued.target, issued.op);
}

bool Engine::release(Cookie cookie) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(cookie.id);
  if (it == jobs_.end() || !is_final(it->second.status.state)) return false;
  jobs_.erase(it);
  return true;
}

std::size_t Engine::active() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(jobs_.begin(), jobs_.end(), [](const auto& entry) {
    return !is_final(entry.second.status.state);
  }));
}

std::uint32_t Engine::peak_in_flight() const {
  std::lock_guard lock(mutex_);
  return peak_in_flight_;
}

std::size_t Engine::buffer_bytes_allocated() const {
  std::lock_guard lock(mutex_);
  return buffers_.allocated_bytes();
}

// Issues operations round-robin over the copies until the queue is full or
// no copy has anything it can issue now.
void Engine::pump() {
  bool progressed = true;
  while (progressed && in_flight_count_ < config_.queue_depth) {
    progressed = false;
    auto start = jobs_.upper_bound(round_robin_after_);
    std::vector<std::uint64_t> order;
    for (auto it = start; it != jobs_.end(); ++it) order.push_back(it->first);
    for (auto it = jobs_.begin(); it != start; ++it) order.push_back(it->first);
    for (std::uint64_t id : order) {
      if (in_flight_count_ >= config_.queue_depth) break;
      Job& job = jobs_.at(id);
      if (job.phase == Phase::ended) continue;
      if (issue_next(job)) {
        progressed = true;
        round_robin_after_ = id;
      }
    }
  }
}

bool Engine::issue_next(Job& job) {
  if (job.stopping) {
    if (job.in_flight > 0 || job.phase == Phase::aborting) return false;
    job.phase = Phase::aborting;
    issue(job, {.kind = OpKind::abort}, Method::host, 0);
    return true;
  }
  switch (job.phase) {
    case Phase::need_map: {
      const ByteRange& range = job.target->info().source_range;
      job.phase = Phase::mapping;
      job.status.state = CopyState::running;
      issue(job, {.kind = OpKind::map_data, .source_offset = range.offset, .length = range.length},
            Method::host, 0);
      return true;
    }
    case Phase::copying: break;
    default: return false;
  }
  if (issue_parked(job)) return true;
  if (!job.zero_pending.empty()) {
    ByteRange hole = job.zero_pending.front();
    job.zero_pending.pop_front();
    issue(job, {.kind = OpKind::zero_range, .destination_offset = hole.offset, .length = hole.length},
          Method::host, 0);
    return true;
  }
  if (job.pending.empty()) {
    if (job.in_flight > 0 || !job.parked.empty()) return false;
    job.phase = Phase::finishing;
    issue(job, {.kind = OpKind::finish}, Method::host, 0);
    return true;
  }
  // Per-copy depth: writers of one file contend for its inode lock (ext4's
  // i_rwsem), so one copy keeps a short pipeline and many copies share the queue.
  std::uint32_t copy_depth = config_.copy_depth != 0 ? config_.copy_depth : config_.queue_depth;
  // Parked writes hold buffers as operations in flight do: they count.
  if (job.in_flight + job.parked.size() >= copy_depth) return false;
  Piece& piece = job.pending.front();
  if (int disabled_by = job.rung_disabled_by[piece.rung]; disabled_by != 0) {
    auto next = next_rung(job, piece.rung);
    if (!next) {  // cannot happen: a rung is only disabled when one follows
      fail(job, {disabled_by, job.destination, "no method left for the range"});
      return false;
    }
    record_fallback(job, piece, *next, disabled_by);
    piece.rung = *next;
  }
  Method method = job.ladder[piece.rung];
  std::uint64_t length = std::min(piece.length, chunk_bytes(method));
  if (std::uint64_t limit = job.target->info().max_op_bytes[static_cast<std::size_t>(method)]; limit != 0) {
    length = std::min(length, limit);  // e.g. the array's maximum segment length
  }
  Op op{.source_offset = piece.source_offset, .destination_offset = piece.destination_offset,
        .length = length};
  bool growing = grows(job, op);
  if (growing && method != Method::host && !growth_turn(job, op.destination_offset)) return false;
  std::optional<std::size_t> buffer;
  if (method == Method::host) {
    // Keep the host pipeline balanced: at most half the queue reads, so
    // writes of earlier chunks overlap reads of later ones.
    if (host_reads_in_flight_ >= std::max<std::uint32_t>(1, config_.queue_depth / 2) ||
        job.reads_in_flight >= std::max<std::uint32_t>(1, copy_depth / 2)) {
      return false;
    }
    buffer = buffers_.acquire();
    if (!buffer) return false;  // memory bound reached: wait for a write
  }
  switch (method) {
    case Method::clone: op.kind = OpKind::clone; break;
    case Method::scsi_xcopy: op.kind = OpKind::xcopy; break;
    case Method::scsi_odx: op.kind = OpKind::odx; break;
    case Method::nvme_copy: op.kind = OpKind::nvme_copy; break;
    case Method::kernel_copy: op.kind = OpKind::copy_range; break;
    case Method::host:
      op.kind = OpKind::read;
      if (buffers_.first_use(*buffer)) {  // this read faults the buffer's pages in
        op.fresh_buffer_bytes = buffers_.mapped_bytes();
        job.status.fresh_buffer_bytes += op.fresh_buffer_bytes;
      }
      if (job.target->info().needs_host_memory) {
        try {
          op.buffer = buffers_.view(*buffer).first(length);
        } catch (const std::bad_alloc&) {  // fail this copy, not the process
          buffers_.release(*buffer);
          fail(job, {ENOMEM, job.destination,
                     "cannot allocate a host buffer of " + std::to_string(buffers_.buffer_bytes()) + " bytes"});
          return issue_next(job);  // issues the abort once nothing is in flight
        }
      }
      break;
  }
  std::uint8_t rung = piece.rung;
  if (growing && method == Method::host) job.unwritten.insert(op.destination_offset);
  piece.source_offset += length;
  piece.destination_offset += length;
  piece.length -= length;
  if (piece.length == 0) job.pending.pop_front();
  issue(job, op, method, rung, buffer);
  return true;
}

void Engine::issue(Job& job, const Op& op, Method method, std::uint8_t rung,
                   std::optional<std::size_t> buffer) {
  std::uint64_t op_id = next_op_id_++;
  bool growing = writes_data(op.kind) && grows(job, op);
  in_flight_.emplace(op_id, InFlight{job.cookie.id, op, method, rung, buffer, growing});
  if (growing) ++job.growing_in_flight;
  ++job.in_flight;
  ++in_flight_count_;
  if (op.kind == OpKind::read) {
    ++host_reads_in_flight_;
    ++job.reads_in_flight;
  }
  peak_in_flight_ = std::max(peak_in_flight_, in_flight_count_);
  issued_.push_back({op_id, job.target.get(), op});
}

std::uint64_t Engine::chunk_bytes(Method method) const {
  switch (method) {
    case Method::clone: return std::max<std::uint64_t>(1, config_.clone_chunk_bytes);
    case Method::scsi_xcopy:
    case Method::scsi_odx:
    case Method::nvme_copy: return std::max<std::uint64_t>(1, config_.device_chunk_bytes);
    case Method::kernel_copy: return std::max<std::uint64_t>(1, config_.kernel_copy_chunk_bytes);
    case Method::host: return std::max<std::uint64_t>(1, buffers_.buffer_bytes());
  }
  return 1;
}

std::optional<std::uint8_t> Engine::next_rung(const Job& job, std::uint8_t rung) const {
  for (std::size_t r = rung + 1U; r < job.ladder.size(); ++r) {
    if (job.rung_disabled_by[r] == 0) return static_cast<std::uint8_t>(r);
  }
  return std::nullopt;
}

void Engine::record_fallback(Job& job, const Piece& piece, std::uint8_t to_rung, int errno_value,
                             const std::string& detail) {
  Method from = job.ladder[piece.rung];
  Method to = job.ladder[to_rung];
  for (FallbackRecord& record : job.status.fallbacks) {
    if (record.from == from && record.to == to && record.errno_value == errno_value) {
      record.bytes += piece.length;
      ++record.ranges;
      if (record.detail.empty()) record.detail = detail;
      return;
    }
  }
  job.status.fallbacks.push_back({from, to, errno_value, piece.source_offset, piece.length, 1, detail});
}

// A read or offloaded copy found no data where the source had some at submit.
void Engine::fail_source_ended(Job& job, std::uint64_t offset) {
  fail(job, {ENODATA, job.source,
             "source ended early at byte " + std::to_string(offset) + " (truncated during the copy?)"});
}

// With ordered growth, the destination bytes of `op` (or of the write a
// read leads to) end past the destination's start size: it makes the file longer.
bool Engine::grows(const Job& job, const Op& op) const {
  const TargetInfo& info = job.target->info();
  return info.destination_grows_in_order && op.destination_offset + op.length > info.destination_size_bytes;
}

// Ordered growth: an operation that makes the destination longer starts
// only when no other one runs and no lower destination byte is still to be
// written, so the file never holds a gap of unwritten bytes.
bool Engine::growth_turn(const Job& job, std::uint64_t destination_offset) const {
  if (job.growing_in_flight > 0) return false;
  if (!job.unwritten.empty() && *job.unwritten.begin() < destination_offset) return false;
  return job.pending.empty() || job.pending.front().destination_offset >= destination_offset;
}

void Engine::park(Job& job, const Op& write, std::uint8_t rung, std::size_t buffer) {
  auto at = std::find_if(job.parked.begin(), job.parked.end(), [&](const ParkedWrite& parked) {
    return parked.op.destination_offset > write.destination_offset;
  });
  job.parked.insert(at, ParkedWrite{write, rung, buffer});
}

bool Engine::issue_parked(Job& job) {
  if (job.parked.empty() || !growth_turn(job, job.parked.front().op.destination_offset)) return false;
  ParkedWrite write = job.parked.front();
  job.parked.pop_front();
  if (auto it = job.unwritten.find(write.op.destination_offset); it != job.unwritten.end()) job.unwritten.erase(it);
  issue(job, write.op, Method::host, write.rung, write.buffer);
  return true;
}

void Engine::fail(Job& job, CopyError error) {
  if (!job.status.error) job.status.error = std::move(error);
  job.stopping = true;
  job.pending.clear();
  job.zero_pending.clear();
  for (const ParkedWrite& write : job.parked) buffers_.release(write.buffer);
  job.parked.clear();
  job.unwritten.clear();
}

void Engine::end(Job& job, CopyState state) {
  job.status.state = state;
  job.status.finished_ns = runtime_.now_ns();
  job.phase = Phase::ended;
  job.target.reset();  // closes the endpoints
}

void Engine::credit(Job& job, Method method, std::uint64_t bytes) {
  job.status.bytes_done += bytes;
  job.status.bytes_by_method[static_cast<std::size_t>(method)] += bytes;
}

}  // namespace offload
