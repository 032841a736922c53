#include "sim/sim_runtime.hpp"

#include <cmath>
#include <limits>

#include "models/cpu.hpp"
#include "models/network.hpp"

namespace offload::sim {

SimRuntime::SimRuntime(sg4::Host* host)
    : workers_(host, "op"), mutex_(sg4::Mutex::create()), changed_(sg4::ConditionVariable::create()) {}

TimeNs SimRuntime::now_ns() { return std::llround(sg4::Engine::get_clock() * 1e9); }

void SimRuntime::start(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  ++started_;
  Op timed = op;
  timed.clock = this;
  workers_.submit([this, op_id, &target, op = timed] {
    // Faults met by this operation count against its copy (models/network.hpp).
    sg4::Actor::self()->set_data(dynamic_cast<models::FaultCounted*>(&target));
    // A read into a buffer no operation touched before faults its pages in
    // first, on this host's CPU, as the real kernel does inside that read.
    if (op.fresh_buffer_bytes > 0) {
      if (auto* cpu = models::CpuModel::of(sg4::this_actor::get_host())) {
        cpu->work_async(cpu->buffer_fault_cost_s(static_cast<double>(op.fresh_buffer_bytes)))->wait();
      }
    }
    OpResult result = target.execute(op);
    sg4::Actor::self()->set_data(nullptr);
    // The engine usually issues the copy's next operation from on_complete:
    // this worker runs it next.
    workers_.finish_with([&] { sink_->on_complete(op_id, std::move(result)); });
    std::unique_lock lock(*mutex_);
    changed_->notify_all();
  });
}

void SimRuntime::pause_operation(TimeNs duration_ns) { sg4::this_actor::sleep_for(static_cast<double>(duration_ns) / 1e9); }

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
