#include "models/host_stream.hpp"

#include "models/water_fill.hpp"

#include <simgrid/kernel/Timer.hpp>

#include "models/kernel_timer.hpp"

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


std::vector<LanePiecePtr> queue_if(const HostStream::QueueStacks& queue, bool wanted) {
  return queue && wanted ? queue() : std::vector<LanePiecePtr>{};
}

}  // namespace

struct HostStream::Request {
  std::weak_ptr<int> stage_alive;  // the stage's (gone(): its steps then do nothing)
  double bytes;
  double issued;  // simulated seconds
  Stacks stacks;
  bool first;
  std::function<void(bool)> done;
  std::vector<LanePiecePtr> call, data, reply;  // its messages' stack work
  double need = 0;             // bytes of its chunk not yet delivered (once among the waiters)
  std::list<RequestPtr>::iterator place;  // in waiters_, while it is
  bool waiting = false;        // among the waiters
  bool chunk_ended = false;    // its chunk work ended: it waits for its share
  bool finished = false;
};

HostStream::HostStream(std::function<int()> epoch) : epoch_(std::move(epoch)) {}

void HostStream::begin(double bytes) {
  bytes_ = bytes;
  start_epoch_ = epoch_();
  begun_ = true;
}

HostStream::~HostStream() { cancel(); }

void HostStream::add_work(CpuModel& cpu, double cpu_s) {
  if (cpu_s <= 0) return;
  std::size_t index = parts_.size();
  Part part{.cpu = &cpu, .job = {}, .amount = cpu_s};
  part.sample_time = sg4::Engine::get_clock();
  part.sample_left = cpu_s;
  part.moved_time = part.sample_time;
  parts_.push_back(part);
  // Cancelled with the stage, so this never runs once it is gone.
  parts_[index].job = cpu.work(cpu_s, [this, index] { parts_[index].ended = true; });
}

void HostStream::started() {
  started_ = true;
  auto waiting = std::move(not_started_);
  not_started_.clear();
  for (const RequestPtr& r : waiting) after_start(r);
}

std::function<void()> HostStream::guarded(std::function<void()> step) const {
  std::weak_ptr<int> alive = alive_;
  return [alive, step = std::move(step)] {
    if (!alive.expired()) step();
  };
}

bool HostStream::gone(const RequestPtr& r) { return r->stage_alive.expired(); }

bool HostStream::broken() const { return epoch_() != start_epoch_; }

void HostStream::share(double bytes) {
  std::vector<double*> open;
  for (const RequestPtr& r : waiters_) {
    if (r->need > 0) open.push_back(&r->need);
  }
  unclaimed_ += water_fill(open, bytes);
}

void HostStream::sample() {
  double now = sg4::Engine::get_clock();
  for (std::size_t i = 0; i < parts_.size() && !stopped_; ++i) {
    Part& p = parts_[i];
    if (p.done) continue;
    if (p.ended) {
      p.done = true;
      p.sample_left = 0;
      continue;
    }
    double left = p.cpu->remaining_s(p.job);
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
  for (const RequestPtr& r : waiters_) {
    if (r->need <= 0) continue;
    ++open;
    least = std::min(least, r->need);
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

// A sample for the requests waiting for their share: the chunks it covers
// end, and the next one is planned while any still wait.
void HostStream::tick() {
  if (!stopped_ && broken()) cancel();
  if (stopped_) return;
  sample();
  double now_delivered = delivered();
  if (now_delivered > shared_) {
    share(now_delivered - shared_);
    shared_ = now_delivered;
  }
  std::vector<RequestPtr> covered;
  for (const RequestPtr& r : waiters_) {
    if (r->chunk_ended && r->need <= kSlack * bytes_) covered.push_back(r);
  }
  for (const RequestPtr& r : covered) {
    waiters_.erase(r->place);
    r->waiting = false;
    --covering_;
    delivered_to(r);
  }
  if (covering_ > 0) {
    plan_tick(next_check(sg4::Engine::get_clock()));
  } else if (tick_timer_ != nullptr) {
    tick_timer_->remove();
    tick_timer_ = nullptr;
  }
}

void HostStream::plan_tick(double at) {
  if (tick_timer_ != nullptr) tick_timer_->remove();
  tick_timer_ = simgrid::kernel::timer::Timer::set(at, [this] {
    tick_timer_ = nullptr;  // being run: SimGrid deletes it after this
    tick();
  });
}

void HostStream::request(double bytes, double issued, Stacks stacks, bool first, std::function<void(bool)> done) {
  auto r = std::make_shared<Request>(Request{.stage_alive = alive_,
                                             .bytes = bytes,
                                             .issued = issued,
                                             .stacks = std::move(stacks),
                                             .first = first,
                                             .done = std::move(done)});
  // The call's stack work at both ends, queued at once (ahead of the data
  // of the requests that start the stage; a chunked call returns once both
  // are done).
  r->call = queue_if(r->stacks.call, !first);
  if (!started_) {
    not_started_.push_back(r);
    return;
  }
  after_start(r);
}

// The call's latency, then its stack work.
void HostStream::after_start(const RequestPtr& r) {
  if (stopped_) {
    finish(r, false);
    return;
  }
  auto lead_passed = [this, r] {
    if (gone(r)) return;
    after_all(r->call, [this, r] {
      if (!gone(r)) call_arrived(r);
    });
  };
  double at = r->issued + lead_s_;
  if (at > sg4::Engine::get_clock()) {
    at_time(at, std::move(lead_passed));
  } else {
    lead_passed();
  }
}

// The disk's latency before its data moves.
void HostStream::call_arrived(const RequestPtr& r) {
  double now = sg4::Engine::get_clock();
  double data_start = r->first ? r->issued + lead_s_ + then_s_ : now + then_s_;
  if (data_start > now) {
    at_time(data_start, [this, r] {
      if (!gone(r)) data_starts(r);
    });
  } else {
    data_starts(r);
  }
}

void HostStream::data_starts(const RequestPtr& r) {
  if (stopped_) {
    finish(r, false);
    return;
  }
  double credit = std::min(unclaimed_, r->bytes);
  unclaimed_ -= credit;
  r->need = r->bytes - credit;
  r->place = waiters_.insert(waiters_.end(), r);
  r->waiting = true;
  // A new chunk in flight: the stage samples again at once (its share of
  // what comes next), if it samples for a request now.
  if (covering_ > 0) plan_tick(sg4::Engine::get_clock());
  if (!chunk_work_) {
    r->data = queue_if(r->stacks.data, true);
    chunk_ended(r);
    return;
  }
  // Its data message's stack work when the message leaves: at once, or
  // after the disk read of a store-and-forward READ (as a chunked one's).
  chunk_work_(r->bytes, ChunkEnd{.sent =
                                     [this, r] {
                                       if (!gone(r)) r->data = queue_if(r->stacks.data, true);
                                     },
                                 .done =
                                     [this, r] {
                                       if (!gone(r)) chunk_ended(r);
                                     },
                                 .broke =
                                     [this, r] {
                                       if (!gone(r)) cancel();
                                     }});
}

void HostStream::chunk_ended(const RequestPtr& r) {
  if (stopped_) {
    if (r->waiting) waiters_.erase(r->place);
    r->waiting = false;
    finish(r, false);
    return;
  }
  r->chunk_ended = true;
  if (r->need <= kSlack * bytes_) {
    waiters_.erase(r->place);
    r->waiting = false;
    delivered_to(r);
    return;
  }
  // Waits for its share; the first such request makes the stage sample at once.
  if (++covering_ == 1) tick();
}

// The reply's time (the tail), then the stack work of its messages.
void HostStream::delivered_to(const RequestPtr& r) {
  r->reply = queue_if(r->stacks.reply, !r->first);
  auto rest = [this, r] {
    if (gone(r)) return;
    auto pieces = r->data;
    pieces.insert(pieces.end(), r->reply.begin(), r->reply.end());
    after_all(pieces, [this, r] { finish(r, true); });
  };
  if (tail_s_ > 0 && !r->first) {
    at_time(sg4::Engine::get_clock() + tail_s_, std::move(rest));
  } else {
    rest();
  }
}

void HostStream::finish(const RequestPtr& r, bool delivered) {
  if (r->finished) return;
  r->finished = true;
  soon([done = std::move(r->done), delivered] { done(delivered); });
}

void HostStream::cancel() {
  if (stopped_) return;
  stopped_ = true;
  started_ = true;
  for (Part& p : parts_) {
    if (!p.ended) p.cpu->cancel(p.job);
  }
  if (wire_) wire_->cancel();
  if (tick_timer_ != nullptr) tick_timer_->remove();
  tick_timer_ = nullptr;
  // The requests not started and those waiting for their share end now;
  // the others when their step in progress ends.
  auto not_started = std::move(not_started_);
  not_started_.clear();
  for (const RequestPtr& r : not_started) finish(r, false);
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    const RequestPtr r = *it;
    if (!r->chunk_ended) {
      ++it;
      continue;
    }
    it = waiters_.erase(it);
    r->waiting = false;
    finish(r, false);
  }
  covering_ = 0;
  auto hooks = std::move(stop_hooks_);
  stop_hooks_.clear();
  for (auto& hook : hooks) hook();
}

}  // namespace offload::models
