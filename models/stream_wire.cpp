#include "models/stream_wire.hpp"

#include "models/kernel_timer.hpp"
#include "models/water_fill.hpp"

#include <algorithm>
#include <vector>

namespace offload::models {
namespace {

/// A chunk whose bytes left are under this share of its stage's bytes (plus
/// a millionth of a byte) has arrived: rounding of the segment sizes.
constexpr double kSlack = 1e-12;
constexpr double kForever = std::numeric_limits<double>::infinity();

/// Runs the ticket's follower's callback later in this instant (outside the
/// route's lock, which the callback may need).
void wake(StreamWire::Ticket& ticket) {
  if (ticket.on_end) {
    soon(std::move(ticket.on_end));
    ticket.on_end = nullptr;
  }
}

}  // namespace

struct StreamWire::State {
  Network& network;
  sg4::Host* from;
  sg4::Host* to;
  double latency_s;                       // a chunk's, before its data moves
  std::unique_ptr<WeightedFlow> segment;  // the running segment, if any
  double segment_shared = 0;              // bytes of the running segment shared out so far
  std::list<TicketPtr> open;              // begun, not arrived, not withdrawn
  double unclaimed = 0;                   // bytes no chunk moving data needed (the next one gets them)
  int streams = 0;                        // chunks moving data
  bool stopped = false;                   // a link of the route went down under the flow
  bool helper = false;                    // the helper actor runs the segments (or is about to)
  sg4::MutexPtr mutex = sg4::Mutex::create();

  /// Equal shares of `bytes` among the chunks moving data (models/water_fill.hpp).
  void share(double bytes) {
    std::vector<double*> moving;
    for (const auto& t : open) {
      if (t->joined) moving.push_back(&t->need);
    }
    unclaimed += water_fill(moving, bytes);
  }

  /// The flow's bytes until the chunk moving data with the fewest left arrives.
  double next_segment_bytes() const {
    double least = kForever;
    for (const auto& t : open) {
      if (t->joined) least = std::min(least, t->need);
    }
    return least * streams;
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    if (segment && segment->running()) segment->comm()->cancel();
    for (const auto& t : open) wake(*t);
  }

  /// The running segment's bytes moved so far, to the chunks moving data.
  void absorb_progress() {
    double moved = segment->moved();
    if (moved > segment_shared) share(moved - segment_shared);
    segment_shared = moved;
  }

  /// The running segment resized, or cancelled, or the helper started, for
  /// the chunks now moving data.
  void reshape(const std::shared_ptr<State>& self) {
    if (segment && streams > 0) {
      segment->resize(next_segment_bytes(), streams);
    } else if (segment) {  // nothing left to carry (rounding, or every chunk withdrawn)
      segment->comm()->cancel();
      segment.reset();
    } else if (streams > 0 && !helper) {
      helper = true;
      network.run_on_helper(from, [self] { self->run_segments(self); });
    }
  }

  /// The running segment's bytes to the chunks moving data; the chunks whose
  /// latency passed join, those whose bytes all moved arrive (their waiters
  /// woken); then reshape(). Only the helper, which waits for the segment's
  /// comm, learns how it ended: `helper_waited` true after that wait; others
  /// leave an ended segment to it.
  void update(const std::shared_ptr<State>& self, bool helper_waited = false) {
    if (stopped) return;
    bool ended = false;
    if (segment) {
      bool running = segment->running();
      if (!running && !helper_waited) return;  // the helper handles its end at this instant
      if (!running && segment->failed()) {     // a link of the route went down
        stop();
        return;
      }
      absorb_progress();
      if (!running) {
        segment.reset();
        ended = true;
      }
    }
    double now = sg4::Engine::get_clock();
    bool joined = false;
    int before = streams;
    for (auto it = open.begin(); it != open.end();) {
      Ticket& t = **it;
      if (!t.joined && t.join_s <= now) {
        t.joined = joined = true;
        double credit = std::min(unclaimed, t.need);
        t.need -= credit;
        unclaimed -= credit;
        ++streams;
      }
      if (t.joined && t.need <= t.slack) {
        t.arrived = true;
        --streams;
        wake(t);
        it = open.erase(it);
        continue;
      }
      ++it;
    }
    if (!ended && !joined && streams == before) return;
    reshape(self);
  }

  /// Takes a stage's chunk out of the flow (its stage was cancelled).
  void withdraw(const std::shared_ptr<State>& self, const TicketPtr& ticket) {
    if (stopped || ticket->arrived || ticket->withdrawn) return;
    if (segment && segment->running()) absorb_progress();  // what moved so far was shared with it
    ticket->withdrawn = true;
    wake(*ticket);
    auto it = std::find(open.begin(), open.end(), ticket);
    if (it == open.end()) return;
    open.erase(it);
    if (!ticket->joined) return;
    --streams;
    if (segment && !segment->running()) return;  // ended at this instant: the helper goes on from its end
    reshape(self);
  }

  /// On a helper actor of the sending host: one segment after the other
  /// while chunks move data.
  void run_segments(const std::shared_ptr<State>& self) {
    std::unique_lock lock(*mutex);
    while (!stopped && streams > 0) {
      double bytes = next_segment_bytes();
      sg4::CommPtr comm = network.put_from_here(to, WeightedFlow::continuation_size());
      segment = std::make_unique<WeightedFlow>(comm, from, to, bytes, false);
      segment->set_streams(streams);
      segment_shared = 0;
      lock.unlock();
      try {
        comm->wait();
      } catch (const simgrid::Exception&) {  // failed (update() sees it) or cancelled
      }
      lock.lock();
      if (segment && segment->comm() == comm) {
        update(self, true);
      }  // else: cancelled for want of chunks; a newer segment, if any, is not this helper's
    }
    helper = false;
  }
};

StreamWire::StreamWire(Network& network, sg4::Host* from, sg4::Host* to, double total_bytes)
    : slack_(kSlack * total_bytes + 1e-6) {
  std::weak_ptr<void>& shared = network.stream_route(from, to);
  state_ = std::static_pointer_cast<State>(shared.lock());
  if (!state_ || state_->stopped) {  // the route's first stage, or its flow failed: a new flow
    state_ = std::make_shared<State>(
        State{.network = network, .from = from, .to = to, .latency_s = WeightedFlow::latency_s(from, to)});
    shared = state_;
  }
}

StreamWire::~StreamWire() { cancel(); }

bool StreamWire::stopped() const { return cancelled_ || state_->stopped; }

namespace {

/// The route's lock, taken only in an actor: in the kernel no actor holds
/// it (none blocks while holding it) and maestro cannot lock it.
std::unique_lock<sg4::Mutex> lock_unless_kernel(const sg4::MutexPtr& mutex) {
  if (sg4::Actor::is_maestro()) return {};
  return std::unique_lock(*mutex);
}

}  // namespace

StreamWire::TicketPtr StreamWire::begin(double bytes) {
  State& s = *state_;
  auto lock = lock_unless_kernel(s.mutex);
  auto ticket = std::make_shared<Ticket>(
      Ticket{.need = bytes, .join_s = sg4::Engine::get_clock() + s.latency_s, .slack = slack_});
  if (cancelled_) {  // not sent
    ticket->withdrawn = true;
    return ticket;
  }
  s.network.count(s.from, s.to, bytes);
  s.open.push_back(ticket);
  std::erase_if(mine_, [](const TicketPtr& t) { return t->arrived || t->withdrawn; });
  mine_.push_back(ticket);
  return ticket;
}

void StreamWire::follow(const TicketPtr& ticket, std::function<void()> on_end) {
  if (ticket->arrived || ticket->withdrawn || state_->stopped) {
    soon(std::move(on_end));
    return;
  }
  ticket->on_end = std::move(on_end);
  // Its data moves once the route's latency passed: the flow takes it in
  // then, as a waiter of wait() would by waking then (update() is all the
  // route's chunks' doing: no lock in the kernel, where no actor holds it).
  std::weak_ptr<State> route = state_;
  at_time(ticket->join_s, [route] {
    if (auto s = route.lock()) s->update(s);
  });
}

void StreamWire::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  State& s = *state_;
  auto lock = lock_unless_kernel(s.mutex);
  for (const auto& ticket : mine_) s.withdraw(state_, ticket);
  mine_.clear();
}

}  // namespace offload::models
