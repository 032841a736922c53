#include "sim/sim_runtime.hpp"

#include <cmath>
#include <utility>
#include <limits>

#include "models/cpu.hpp"
#include "models/network.hpp"
#include "sim/detached_operations.hpp"

namespace offload::sim {

SimRuntime::SimRuntime(sg4::Host* host)
    : host_(host), workers_(host, "op"), mutex_(sg4::Mutex::create()), changed_(sg4::ConditionVariable::create()) {}

TimeNs SimRuntime::now_ns() { return std::llround(sg4::Engine::get_clock() * 1e9); }

void SimRuntime::start(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  ++started_;
  Op timed = op;
  timed.clock = this;
  if (batch_ != nullptr) {  // issued by a completion: started once it returned
    batch_->push_back({op_id, &target, timed});
    return;
  }
  begin(op_id, target, timed);
}

DetachedOperations::End SimRuntime::end_of(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  return [this, op_id, &target, op](std::optional<OpResult> result) {
    if (result) {
      complete(op_id, std::move(*result));
      changed_->notify_all();  // in the kernel: maestro cannot lock the mutex, and no actor holds it across a wait
    } else {
      run_on_actor(op_id, target, op);
    }
  };
}

// A read into a buffer no operation touched before faults its pages in
// first, on this host's CPU, as the real kernel does inside that read:
// without an actor when the operation then goes on detached (else on its
// actor, run_on_actor).
bool SimRuntime::try_detached(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  auto* detachable = dynamic_cast<DetachedOperations*>(&target);
  if (detachable == nullptr) return false;
  if (op.fresh_buffer_bytes == 0) return detachable->start_detached(op, end_of(op_id, target, op));
  auto* cpu = models::CpuModel::of(host_);
  if (cpu == nullptr || !detachable->detaches(op)) return false;
  Op faulted = op;
  faulted.fresh_buffer_bytes = 0;
  cpu->work(cpu->buffer_fault_cost_s(static_cast<double>(op.fresh_buffer_bytes)),
            [this, op_id, &target, faulted] { begin(op_id, target, faulted); });
  return true;
}

void SimRuntime::begin(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  if (!try_detached(op_id, target, op)) run_on_actor(op_id, target, op);
}

// The operations a completion issues start once it returned, in the order
// worker actors start them: the first goes to the completing worker, which
// runs it after the others went to idle workers, which run first (so a
// READ issued after a WRITE sends its call first: the order their messages
// take on a connection's lane, models/serial_lane.hpp). Those that run
// detached start at once, so they start in that order (the first last);
// the others go to the workers in the order issued.
void SimRuntime::complete(std::uint64_t op_id, OpResult result) {
  std::vector<Issued> batch;
  std::vector<Issued>* outer = std::exchange(batch_, &batch);
  sink_->on_complete(op_id, std::move(result));
  batch_ = outer;
  std::vector<bool> detached(batch.size(), false);
  for (std::size_t k = 1; k <= batch.size(); ++k) {
    std::size_t i = k % batch.size();  // 1, 2, ..., 0
    detached[i] = try_detached(batch[i].op_id, *batch[i].target, batch[i].op);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!detached[i]) run_on_actor(batch[i].op_id, *batch[i].target, batch[i].op);
  }
}

void SimRuntime::run_on_actor(std::uint64_t op_id, CopyTarget& target, const Op& op) {
  workers_.submit([this, op_id, &target, op] {
    // Faults met by this operation count against its copy (models/network.hpp).
    sg4::Actor::self()->set_data(dynamic_cast<models::FaultCounted*>(&target));
    // A read into a buffer no operation touched before faults its pages in
    // first, on this host's CPU, as the real kernel does inside that read.
    if (op.fresh_buffer_bytes > 0) {
      if (auto* cpu = models::CpuModel::of(sg4::this_actor::get_host())) {
        cpu->work_async(cpu->buffer_fault_cost_s(static_cast<double>(op.fresh_buffer_bytes)))->wait();
      }
    }
    // What the target can run without the actor goes on detached after its
    // part that needs one (a streamed stage's start): this worker is free.
    auto* detachable = dynamic_cast<DetachedOperations*>(&target);
    std::optional<OpResult> result =
        detachable != nullptr ? detachable->execute_detaching(op, end_of(op_id, target, op)) : target.execute(op);
    sg4::Actor::self()->set_data(nullptr);
    if (!result) return;  // its end completes it
    // The engine usually issues the copy's next operation from on_complete:
    // this worker runs it next (an operation run on an actor).
    workers_.finish_with([&] { complete(op_id, std::move(*result)); });
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
