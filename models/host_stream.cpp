#include "models/host_stream.hpp"

#include <algorithm>
#include <limits>

namespace offload::models {
namespace {

/// Shortest sleep between two progress checks, seconds: one microsecond, far
/// below any chunk's time on the modelled links and disks.
constexpr double kMinCheck_s = 1e-6;

}  // namespace

HostStream::HostStream(double bytes, std::function<int()> epoch)
    : bytes_(bytes), epoch_(std::move(epoch)), start_epoch_(epoch_()), sample_time_(sg4::Engine::get_clock()) {}

HostStream::~HostStream() { cancel(); }

void HostStream::add(sg4::ActivityPtr activity, double amount) {
  if (amount < 0) amount = activity->get_remaining();
  if (amount > 0) parts_.push_back({std::move(activity), amount});
}

bool HostStream::broken() const {
  if (epoch_() != start_epoch_) return true;
  return std::any_of(parts_.begin(), parts_.end(), [](const Part& p) {
    try {
      p.activity->test();  // throws once a comm failed (a link went down under it)
      return false;
    } catch (const simgrid::Exception&) {
      return true;
    }
  });
}

double HostStream::delivered() const {
  double fraction = 1;
  for (const Part& p : parts_) {
    if (p.activity->get_state() == sg4::Activity::State::FINISHED) continue;
    fraction = std::min(fraction, 1 - p.activity->get_remaining() / p.amount);
  }
  return std::clamp(fraction, 0.0, 1.0) * bytes_;
}

void HostStream::started() {
  std::unique_lock lock(*mutex_);
  started_ = true;
  sample_time_ = sg4::Engine::get_clock();
  ready_->notify_all();
}

bool HostStream::wait_for(double bytes) {
  if (!started_) {  // another chunk's operation is still starting the stage
    std::unique_lock lock(*mutex_);
    while (!started_) ready_->wait(lock);
  }
  if (stopped_) return false;  // also after a cancel by another actor (below: parts_ is then empty)
  if (bytes >= bytes_ * (1 - 1e-12)) {  // the last chunk: wait on the activities, exact end
    bool failed = false;
    for (Part& p : parts_) {
      try {
        p.activity->wait();
      } catch (const simgrid::Exception&) {  // a link went down under a comm
        failed = true;
        break;
      }
    }
    if (!failed && !stopped_ && !broken()) return true;
    cancel();
    return false;
  }
  for (;;) {
    if (broken()) {
      cancel();
      return false;
    }
    if (stopped_) return false;
    double now = sg4::Engine::get_clock();
    double done = delivered();
    if (done >= bytes * (1 - 1e-12)) return true;
    double rate = now > sample_time_ ? (done - sample_bytes_) / (now - sample_time_) : 0;
    sample_time_ = now;
    sample_bytes_ = done;
    double wait_s = rate > 0 ? (bytes - done) / rate : kMinCheck_s;
    sg4::this_actor::sleep_for(std::max(wait_s, kMinCheck_s));
  }
}

void HostStream::cancel() {
  stopped_ = true;
  if (!started_) {  // wake the chunks' operations waiting for the stage to start
    started_ = true;
    if (sg4::Actor::self() != nullptr) ready_->notify_all();
  }
  for (Part& p : parts_) {
    auto state = p.activity->get_state();
    if (state == sg4::Activity::State::STARTED || state == sg4::Activity::State::STARTING) p.activity->cancel();
  }
  parts_.clear();
  auto hooks = std::move(stop_hooks_);
  stop_hooks_.clear();
  for (auto& hook : hooks) hook();
}

}  // namespace offload::models
