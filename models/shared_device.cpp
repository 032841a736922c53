#include "models/shared_device.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <simgrid/kernel/Timer.hpp>

#include "models/power.hpp"

namespace offload::models {

/// Finds the device of a cancelled handle or of an ended actor's jobs (one
/// set of signal callbacks for every device, not one per device).
struct SharedDeviceRegistry {
  struct Where {
    SharedDevice* device;
    SharedDevice::Key key;
  };
  std::unordered_map<const sg4::Activity*, Where> queued;
  std::unordered_multimap<const sg4::Actor*, const sg4::Activity*> by_owner;
  std::set<SharedDevice*> devices;

  static SharedDeviceRegistry& get() {
    static SharedDeviceRegistry registry;
    static bool connected = false;
    if (!connected) {
      connected = true;
      sg4::Activity::on_completion_cb([](const sg4::Activity& activity) {
        if (activity.get_state() != sg4::Activity::State::CANCELED) return;
        registry.cancelled(&activity);
      });
      sg4::Actor::on_termination_cb([](const sg4::Actor& actor) {
        auto [from, to] = registry.by_owner.equal_range(&actor);
        if (from == to) return;
        std::vector<const sg4::Activity*> handles;
        for (auto it = from; it != to; ++it) handles.push_back(it->second);
        for (const sg4::Activity* handle : handles) registry.cancelled(handle);
      });
      sg4::Engine::on_simulation_end_cb([] {  // nothing of this engine outlives it
        for (SharedDevice* device : registry.devices) {
          if (device->timer_ != nullptr) device->timer_->remove();
          device->timer_ = nullptr;
          device->jobs_.clear();
          device->busy_level_ = 0;
          device->retired_.clear();
        }
        registry.queued.clear();
        registry.by_owner.clear();
      });
    }
    return registry;
  }

  void cancelled(const sg4::Activity* handle) {
    auto it = queued.find(handle);
    if (it == queued.end()) return;
    Where where = it->second;
    where.device->drop(where.key);
  }

  void forget(const sg4::Activity* handle, const sg4::Actor* owner) {
    queued.erase(handle);
    if (owner == nullptr) return;
    auto [from, to] = by_owner.equal_range(owner);
    for (auto it = from; it != to; ++it) {
      if (it->second == handle) {
        by_owner.erase(it);
        return;
      }
    }
  }
};

SharedDevice::SharedDevice(sg4::Host* device, int servers) : device_(device), servers_(std::max(1, servers)) {
  SharedDeviceRegistry::get().devices.insert(this);
}

SharedDevice::~SharedDevice() {
  auto& registry = SharedDeviceRegistry::get();
  for (const auto& [key, job] : jobs_) registry.forget(job.handle.get(), job.owner);
  if (timer_ != nullptr) timer_->remove();
  registry.devices.erase(this);
}

// Each job gets a whole server while n <= servers, else servers / n
// (written so that one server divides by n exactly as before).
void SharedDevice::advance() {
  double now = sg4::Engine::get_clock();
  if (!jobs_.empty() && now > updated_at_) {
    auto n = static_cast<double>(jobs_.size());
    double dt = now - updated_at_;
    virtual_s_ += n <= servers_ ? dt : dt * servers_ / n;
  }
  updated_at_ = now;
}


SharedDevice::JobKey SharedDevice::start(double service_s, std::function<void()> on_end) {
  if (service_s <= 0) {
    on_end();
    return {0, admitted_++};  // no job of this device's has it
  }
  advance();
  Key key{virtual_s_ + service_s, admitted_++};
  jobs_.emplace(key, Job{nullptr, nullptr, std::move(on_end)});
  update_load();
  schedule();
  return key;
}

double SharedDevice::remaining_s(const JobKey& key) {
  if (!jobs_.contains(key)) return 0;
  advance();
  return std::max(0.0, key.first - virtual_s_);
}

void SharedDevice::release(const sg4::ExecPtr& handle) {
  run(handle);
  keep_until_later(handle);
}

sg4::ExecPtr SharedDevice::start(double service_s) {
  sg4::ExecPtr handle = sg4::Exec::init()->set_flops_amount(0);
  if (service_s <= 0) {  // nothing to share: ends at once
    run(handle);
    return handle;
  }
  auto& registry = SharedDeviceRegistry::get();
  advance();
  Key key{virtual_s_ + service_s, admitted_++};
  // Started in the kernel (a detached request, models/kernel_timer.hpp): no
  // owner to outlive (maestro does not end), and none to list: maestro's
  // jobs would all share one key of by_owner (a scan of thousands per end).
  const sg4::Actor* owner = sg4::Actor::is_maestro() ? nullptr : sg4::Actor::self();
  jobs_.emplace(key, Job{handle, owner, nullptr});
  registry.queued.emplace(handle.get(), SharedDeviceRegistry::Where{this, key});
  if (owner != nullptr) registry.by_owner.emplace(owner, handle.get());
  update_load();
  schedule();
  return handle;
}

// The head job ends when V reaches its tag: (tag - V) * n simulated seconds
// from now. Set from an actor too: SimGrid runs actors one at a time here
// (no parallel contexts), so the kernel's timer heap is not shared.
void SharedDevice::schedule() {
  if (jobs_.empty()) {
    if (timer_ != nullptr) timer_->remove();
    timer_ = nullptr;
    return;
  }
  double now = sg4::Engine::get_clock();
  auto n = static_cast<double>(jobs_.size());
  double left = std::max(0.0, jobs_.begin()->first.first - virtual_s_);
  double at = now + (n <= servers_ ? left : left * n / servers_);
  if (timer_ != nullptr && at == timer_at_) return;
  if (timer_ != nullptr) timer_->remove();
  timer_at_ = at;
  timer_ = simgrid::kernel::timer::Timer::set(at, [this] {
    timer_ = nullptr;
    on_timer();
  });
}

void SharedDevice::on_timer() {
  advance();
  // The timer was the head's end: it goes whatever the rounding of V, and
  // with it every job whose tag V reached.
  virtual_s_ = std::max(virtual_s_, jobs_.begin()->first.first);
  double reached = virtual_s_;  // a job an on_end admits now ends later
  while (!jobs_.empty() && jobs_.begin()->first.first <= reached) finish(jobs_.begin());
  if (jobs_.empty()) virtual_s_ = 0;  // a new busy period: V restarts (its rounding stays that of one period)
  update_load();
  schedule();
}

// The job's handle runs (no work) on the device host: it ends at once and wakes its waiters.
void SharedDevice::finish(std::map<Key, Job>::iterator job) {
  sg4::ExecPtr handle = job->second.handle;
  std::function<void()> on_end = std::move(job->second.on_end);
  if (handle) SharedDeviceRegistry::get().forget(handle.get(), job->second.owner);
  jobs_.erase(job);
  if (handle) release(handle);
  if (on_end) on_end();
}

// SimGrid reaches a maestro's Exec through its interface when it handles
// its end (in this instant): the last reference to it must outlive that.
void SharedDevice::keep_until_later(sg4::ExecPtr exec) {
  double now = sg4::Engine::get_clock();
  std::erase_if(retired_, [now](const auto& retired) { return retired.first < now; });
  retired_.emplace_back(now, std::move(exec));
}

// Not waited yet (INITED), assigning the host does not start it (waited,
// STARTING: it does); Activity::wait_any_for does not start what it waits.
void SharedDevice::run(const sg4::ExecPtr& handle) {
  handle->set_host(device_);
  if (handle->get_state() == sg4::Activity::State::INITED) handle->start();
}

void SharedDevice::drop(const Key& key) {
  auto job = jobs_.find(key);
  if (job == jobs_.end()) return;
  advance();
  SharedDeviceRegistry::get().forget(job->second.handle.get(), job->second.owner);
  jobs_.erase(job);
  if (jobs_.empty()) virtual_s_ = 0;
  update_load();
  schedule();
}

std::size_t SharedDevice::level() const {
  return std::min<std::size_t>(jobs_.size(), static_cast<std::size_t>(servers_));
}

void SharedDevice::update_load() {
  std::size_t want = level();
  if (want == busy_level_) return;
  add_busy_cores(device_, static_cast<int>(want) - static_cast<int>(busy_level_));
  busy_level_ = want;
}

}  // namespace offload::models
