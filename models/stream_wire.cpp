#include "models/stream_wire.hpp"

#include "models/water_fill.hpp"

#include <algorithm>
#include <vector>

namespace offload::models {
namespace {

/// A chunk whose bytes left are under this share of the stage's bytes (plus
/// a millionth of a byte) has arrived: rounding of the segment sizes.
constexpr double kSlack = 1e-12;
constexpr double kForever = std::numeric_limits<double>::infinity();

}  // namespace

struct StreamWire::State {
  Network& network;
  sg4::Host* from;
  sg4::Host* to;
  double total;
  double latency_s;                       // a chunk's, before its data moves
  std::unique_ptr<WeightedFlow> segment;  // the running segment, if any
  double segment_shared = 0;              // bytes of the running segment shared out so far
  std::list<TicketPtr> open;              // begun, not arrived
  double unclaimed = 0;                   // bytes no chunk moving data needed (the next one gets them)
  int streams = 0;                        // chunks moving data
  bool stopped = false;
  bool helper = false;                    // the helper actor runs the segments (or is about to)
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr changed = sg4::ConditionVariable::create();

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
    if (sg4::Actor::self() != nullptr) changed->notify_all();
  }

  /// The running segment's bytes to the chunks moving data; the chunks whose
  /// latency passed join, those whose bytes all moved arrive; the running
  /// segment is resized, or the helper started, for the chunks now moving.
  /// Only the helper, which waits for the segment's comm, learns how it
  /// ended: `helper` true after that wait; others leave an ended segment to it.
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
      double moved = segment->moved();
      if (moved > segment_shared) share(moved - segment_shared);
      segment_shared = moved;
      if (!running) {
        segment.reset();
        ended = true;
      }
    }
    double now = sg4::Engine::get_clock();
    double slack = kSlack * total + 1e-6;
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
      if (t.joined && t.need <= slack) {
        t.arrived = true;
        --streams;
        it = open.erase(it);
        continue;
      }
      ++it;
    }
    if (!ended && !joined && streams == before) return;
    changed->notify_all();
    if (segment && streams > 0) {
      segment->resize(next_segment_bytes(), streams);
    } else if (segment) {  // nothing left to carry (rounding)
      segment->comm()->cancel();
      segment.reset();
    } else if (streams > 0 && !helper) {
      helper = true;
      network.run_on_helper(from, [self] { self->run_segments(self); });
    }
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
      update(self, true);
    }
    helper = false;
  }
};

StreamWire::StreamWire(Network& network, sg4::Host* from, sg4::Host* to, double total_bytes)
    : state_(std::make_shared<State>(
          State{.network = network, .from = from, .to = to, .total = total_bytes,
                .latency_s = WeightedFlow::latency_s(from, to)})) {}

StreamWire::~StreamWire() { cancel(); }

bool StreamWire::stopped() const { return state_->stopped; }

StreamWire::TicketPtr StreamWire::begin(double bytes) {
  State& s = *state_;
  std::unique_lock lock(*s.mutex);
  s.network.count(s.from, s.to, bytes);
  auto ticket = std::make_shared<Ticket>(Ticket{.need = bytes, .join_s = sg4::Engine::get_clock() + s.latency_s});
  s.open.push_back(ticket);
  return ticket;
}

bool StreamWire::wait(const TicketPtr& ticket, double until_s) {
  State& s = *state_;
  std::unique_lock lock(*s.mutex);
  for (;;) {
    s.update(state_);
    if (ticket->arrived) return true;
    if (s.stopped) return false;
    double now = sg4::Engine::get_clock();
    if (now >= until_s) return false;
    double next = ticket->joined ? until_s : std::min(until_s, ticket->join_s);
    if (next == kForever) {
      s.changed->wait(lock);
    } else {
      s.changed->wait_until(lock, next);
    }
  }
}

void StreamWire::cancel() { state_->stop(); }

}  // namespace offload::models
