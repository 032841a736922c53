// RealRuntime: runs target operations on a pool of worker threads (the
// hooks block in pread/pwrite/ioctl/copy_file_range there), measures each
// operation's thread CPU time, and tells time with steady_clock.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/runtime.hpp"

namespace offload {

/// Thread-pool runtime for real files and devices.
class RealRuntime final : public Runtime {
 public:
  /// `workers` threads (>= 1); match the engine's queue depth.
  explicit RealRuntime(unsigned workers);
  /// Finishes queued operations, then joins the workers.
  ~RealRuntime() override;
  RealRuntime(const RealRuntime&) = delete;
  RealRuntime& operator=(const RealRuntime&) = delete;

  /// steady_clock, nanoseconds.
  TimeNs now_ns() override;
  /// Queues the operation for a worker.
  void start(std::uint64_t op_id, CopyTarget& target, const Op& op) override;
  /// Sleeps on a condition variable woken by every completion.
  bool wait_until(TimeNs deadline_ns, const std::function<bool()>& done) override;

 private:
  struct Work {
    std::uint64_t op_id;
    CopyTarget* target;
    Op op;
  };
  void worker_loop();

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  std::mutex done_mutex_;
  std::condition_variable done_changed_;
  std::vector<std::thread> workers_;
};

}  // namespace offload
