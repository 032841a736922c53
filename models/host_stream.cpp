#include "models/host_stream.hpp"

#include "models/water_fill.hpp"

#include <algorithm>
#include <limits>

namespace offload::models {
namespace {

/// Shortest sleep between two samples, seconds: one microsecond, far below
/// any chunk's time on the modelled links and disks.
constexpr double kMinCheck_s = 1e-6;
/// First sample of an activity with no rate yet, seconds after it started:
/// 10 us, under 1 % of a 2 MiB chunk's time at 10 Gb/s (1.7 ms).
constexpr double kFirstSample_s = 1e-5;
/// Progress within this share of the stage's bytes counts as arrived (the
/// rates are sampled: a chunk's end is met up to rounding).
constexpr double kSlack = 1e-9;

using State = sg4::Activity::State;

void wait_all(const std::vector<LanePiecePtr>& pieces) {
  for (const auto& piece : pieces) piece->wait();
}

std::vector<LanePiecePtr> queue_if(const HostStream::QueueStacks& queue, bool wanted) {
  return queue && wanted ? queue() : std::vector<LanePiecePtr>{};
}

}  // namespace

HostStream::HostStream(std::function<int()> epoch) : epoch_(std::move(epoch)) {}

void HostStream::begin(double bytes) {
  bytes_ = bytes;
  start_epoch_ = epoch_();
  begun_ = true;
}

HostStream::~HostStream() { cancel(); }

void HostStream::add_work(CpuModel& cpu, double cpu_s) {
  if (cpu_s <= 0) return;
  Part part{.cpu = &cpu, .activity = cpu.work_async(cpu_s), .amount = cpu_s};
  part.sample_time = sg4::Engine::get_clock();
  part.sample_left = cpu_s;
  part.moved_time = part.sample_time;
  parts_.push_back(std::move(part));
}

void HostStream::started() {
  started_ = true;
  changed_->notify_all();
}

bool HostStream::broken() const {
  if (epoch_() != start_epoch_) return true;
  return std::any_of(parts_.begin(), parts_.end(), [](const Part& p) {
    auto state = p.activity->get_state();
    return state == State::FAILED || state == State::CANCELED;
  });
}

void HostStream::share(double bytes) {
  std::vector<double*> open;
  for (Waiter& w : waiters_) {
    if (w.need > 0) open.push_back(&w.need);
  }
  unclaimed_ += water_fill(open, bytes);
}

void HostStream::sample() {
  double now = sg4::Engine::get_clock();
  for (std::size_t i = 0; i < parts_.size() && !stopped_; ++i) {
    Part& p = parts_[i];
    if (p.done) continue;
    if (p.activity->get_state() == State::FINISHED) {
      p.done = true;
      p.sample_left = 0;
      continue;
    }
    double left = p.cpu->remaining_s(p.activity);
    if (now > p.sample_time) p.rate = std::max(0.0, (p.sample_left - left) / (now - p.sample_time));
    if (left < p.sample_left) p.moved_time = now;
    p.sample_time = now;
    p.sample_left = left;
  }
}

double HostStream::delivered() const {
  double least = bytes_;
  for (const Part& p : parts_) least = std::min(least, part_bytes(p));
  return std::max(least, 0.0);
}

double HostStream::next_check(double now) const {
  // The next chunk to end: the smallest need, with every open chunk's share.
  double least = std::numeric_limits<double>::infinity();
  int open = 0;
  for (const Waiter& w : waiters_) {
    if (w.need <= 0) continue;
    ++open;
    least = std::min(least, w.need);
  }
  double target = open > 0 ? delivered() + open * least : bytes_;
  double at = std::numeric_limits<double>::infinity();
  double slowest = now;  // when the smallest target is delivered
  for (const Part& p : parts_) {
    if (p.done) continue;
    if (p.rate <= 0) {  // no rate yet (a busy resource): back off
      at = std::min(at, p.sample_time + std::max(kFirstSample_s, p.sample_time - p.moved_time));
      continue;
    }
    double bytes_per_s = p.rate / p.amount * bytes_;
    double done = part_bytes(p);
    if (done < target) slowest = std::max(slowest, p.sample_time + (target - done) / bytes_per_s);
  }
  return std::max(now + kMinCheck_s, std::min(at, slowest));
}

// Samples until `me`'s chunk arrived or the stage stopped; the other
// waiters check their own chunk at each sample.
bool HostStream::drive(const Waiter& me, std::unique_lock<sg4::Mutex>& lock) {
  for (;;) {
    if (!stopped_ && broken()) cancel();
    if (stopped_) return false;
    sample();
    if (stopped_) return false;
    double now_delivered = delivered();
    if (now_delivered > shared_) {
      share(now_delivered - shared_);
      shared_ = now_delivered;
    }
    changed_->notify_all();
    if (me.need <= kSlack * bytes_) return true;
    double now = sg4::Engine::get_clock();
    changed_->wait_until(lock, next_check(now));
  }
}

bool HostStream::wait_for(double bytes, double issued, const Stacks& stacks, bool first) {
  // The call: its latency and its stack work at both ends (queued at once,
  // ahead of the data of the requests that start the stage; a chunked call
  // returns once both are done), then the disk's latency.
  auto call = queue_if(stacks.call, !first);
  std::unique_lock lock(*mutex_);
  while (!started_) changed_->wait(lock);
  if (stopped_) return false;
  lock.unlock();
  double now = sg4::Engine::get_clock();
  if (issued + lead_s_ > now) sg4::this_actor::sleep_for(issued + lead_s_ - now);
  wait_all(call);
  now = sg4::Engine::get_clock();
  double data_start = first ? issued + lead_s_ + then_s_ : now + then_s_;
  if (data_start > now) sg4::this_actor::sleep_for(data_start - now);
  lock.lock();
  if (stopped_) return false;
  auto data = queue_if(stacks.data, true);
  double credit = std::min(unclaimed_, bytes);
  unclaimed_ -= credit;
  auto me = waiters_.insert(waiters_.end(), Waiter{bytes - credit});
  changed_->notify_all();  // the driver plans its next sample again
  if (chunk_work_) {
    lock.unlock();
    bool failed = false;
    try {  // the chunk work may wait (the disk's latency before a WRITE's I/O)
      for (auto& activity : chunk_work_(bytes)) activity->wait();
    } catch (const simgrid::Exception&) {  // a link went down under its comm
      failed = true;
    }
    lock.lock();
    if (failed) cancel();
  }
  bool arrived = false;
  for (;;) {
    if (stopped_) break;
    if (me->need <= kSlack * bytes_) {
      arrived = true;
      break;
    }
    if (!driving_) {
      driving_ = true;
      arrived = drive(*me, lock);
      driving_ = false;
      changed_->notify_all();  // another waiter drives on
      break;
    }
    changed_->wait(lock);
  }
  waiters_.erase(me);
  lock.unlock();
  if (!arrived) return false;
  auto reply = queue_if(stacks.reply, !first);
  if (tail_s_ > 0 && !first) sg4::this_actor::sleep_for(tail_s_);  // the reply
  wait_all(data);
  wait_all(reply);
  return true;
}

void HostStream::cancel() {
  if (stopped_) return;
  stopped_ = true;
  started_ = true;
  for (Part& p : parts_) {
    auto state = p.activity->get_state();  // a job in service: INITED (models/shared_device.hpp)
    if (state != State::FINISHED && state != State::CANCELED && state != State::FAILED) p.activity->cancel();
  }
  if (wire_) wire_->cancel();
  if (sg4::Actor::self() != nullptr) changed_->notify_all();  // the waiters see it at once
  auto hooks = std::move(stop_hooks_);
  stop_hooks_.clear();
  for (auto& hook : hooks) hook();
}

}  // namespace offload::models
