#include "engine/real_runtime.hpp"

#include <chrono>
#include <ctime>

namespace offload {
namespace {

std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

RealRuntime::RealRuntime(unsigned workers) : max_workers_(workers == 0 ? 1 : workers) {
  workers_.reserve(max_workers_);
}

RealRuntime::~RealRuntime() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_ready_.notify_all();
  for (auto& worker : workers_) worker.join();
}

TimeNs RealRuntime::now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RealRuntime::start(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back({op_id, &target, op});
    queue_.back().op.clock = this;
    // A worker reporting a completion (the engine often starts the next
    // operation from there) takes queued work next: no new thread for it.
    if (idle_workers_ + returning_workers_ < queue_.size() && workers_.size() < max_workers_) {
      workers_.emplace_back([this] { worker_loop(); });
    }
  }
  queue_ready_.notify_one();
}

bool RealRuntime::wait_until(TimeNs deadline_ns, const std::function<bool()>& done) {
  std::unique_lock lock(done_mutex_);
  while (!done()) {
    TimeNs now = now_ns();
    if (now >= deadline_ns) return done();
    // Wake at least every 100 ms so a far deadline never overflows the clock.
    auto slice = std::chrono::nanoseconds(std::min<TimeNs>(deadline_ns - now, 100'000'000));
    done_changed_.wait_for(lock, slice);
  }
  return true;
}

void RealRuntime::pause_operation(TimeNs duration_ns) {
  std::this_thread::sleep_for(std::chrono::nanoseconds(duration_ns));
}

void RealRuntime::worker_loop() {
  for (bool returning = false;; returning = true) {
    Work work;
    {
      std::unique_lock lock(queue_mutex_);
      if (returning) --returning_workers_;
      ++idle_workers_;
      queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_workers_;
      if (queue_.empty()) return;
      work = queue_.front();
      queue_.pop_front();
    }
    if (gate_ != nullptr) gate_->enter(work.op);
    std::int64_t cpu_before = thread_cpu_ns();
    OpResult result = work.target->execute(work.op);
    result.cpu_ns = thread_cpu_ns() - cpu_before;
    {
      std::lock_guard lock(queue_mutex_);
      ++returning_workers_;
    }
    sink_->on_complete(work.op_id, std::move(result));
    { std::lock_guard lock(done_mutex_); }
    done_changed_.notify_all();
  }
}

}  // namespace offload
