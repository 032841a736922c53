// RealRuntime: runs target operations on a pool of worker threads (the
// hooks block in pread/pwrite/ioctl/copy_file_range there), measures each
// operation's thread CPU time, and tells time with steady_clock. Workers
// start on demand (up to the limit): a clone needs one thread, not eight.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/op_gate.hpp"
#include "engine/runtime.hpp"

namespace offload {

/// Thread-pool runtime for real files and devices.
class RealRuntime final : public Runtime {
 public:
  /// At most `workers` threads (>= 1), started when work waits; match the
  /// engine's queue depth.
  explicit RealRuntime(unsigned workers);
  /// Passes every operation through `gate` before running it (a test's
  /// pause point, engine/op_gate.hpp). Call before the first start(); the
  /// gate must outlive the runtime. Without one (the default) an operation
  /// costs one pointer test more.
  void set_gate(OpGate* gate) { gate_ = gate; }
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
  /// Sleeps the operation's worker thread.
  void pause_operation(TimeNs duration_ns) override;

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
  unsigned max_workers_ = 1;
  unsigned idle_workers_ = 0;
  unsigned returning_workers_ = 0;  // reporting a completion; each takes queued work next
  std::mutex done_mutex_;
  std::condition_variable done_changed_;
  std::vector<std::thread> workers_;
  OpGate* gate_ = nullptr;
};

}  // namespace offload
