#include "sim/sim_runtime.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include "models/network.hpp"

namespace offload::sim {

SimRuntime::SimRuntime(sg4::Host* host)
    : host_(host),
      mutex_(sg4::Mutex::create()),
      changed_(sg4::ConditionVariable::create()),
      queued_(sg4::ConditionVariable::create()) {}

TimeNs SimRuntime::now_ns() { return std::llround(sg4::Engine::get_clock() * 1e9); }

void SimRuntime::start(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  ++started_;
  if (handoff_ != nullptr) {  // a worker reporting a completion takes the next operation itself
    *handoff_ = Job{op_id, &target, op};
    handoff_ = nullptr;
    return;
  }
  jobs_.push_back({op_id, &target, op});
  if (idle_ > 0) {
    --idle_;  // that worker is spoken for
    std::unique_lock lock(*mutex_);
    queued_->notify_one();
    return;
  }
  ++workers_;
  // A daemon: idle workers must not keep the simulation alive. Every
  // operation ends before its copy does, and the workload waits for them.
  sg4::Actor::create("op", host_, [this] { work(); })->daemonize();
}

// A worker: runs queued operations one after the other, sleeps when none is left.
void SimRuntime::work() {
  std::optional<Job> job;
  for (;;) {
    if (!job) {
      // Counted idle only while holding the mutex up to the wait, so a
      // start() cannot notify before this worker listens; the job is taken
      // before unlocking, which is a simcall where other actors may run.
      std::unique_lock lock(*mutex_);
      while (jobs_.empty()) {
        ++idle_;
        queued_->wait(lock);
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // Faults met by this operation count against its copy (models/network.hpp).
    sg4::Actor::self()->set_data(dynamic_cast<models::FaultCounted*>(job->target));
    OpResult result = job->target->execute(job->op);
    sg4::Actor::self()->set_data(nullptr);
    std::uint64_t op_id = job->op_id;
    job.reset();
    // The engine usually issues the copy's next operation from on_complete:
    // this worker runs it (no simcall between clearing handoff_ and reading
    // `job`, so none can land in it afterwards).
    handoff_ = &job;
    sink_->on_complete(op_id, std::move(result));
    if (handoff_ == &job) handoff_ = nullptr;
    std::unique_lock lock(*mutex_);
    changed_->notify_all();
  }
}

bool SimRuntime::wait_until(TimeNs deadline_ns, const std::function<bool()>& done) {
  if (done()) return true;  // also lets an engine be destroyed after the simulation ended
  std::unique_lock lock(*mutex_);
  while (!done()) {
    if (deadline_ns == std::numeric_limits<TimeNs>::max()) {
      changed_->wait(lock);
    } else if (changed_->wait_until(lock, static_cast<double>(deadline_ns) / 1e9) == std::cv_status::timeout) {
      return done();
    }
  }
  return true;
}

}  // namespace offload::sim
