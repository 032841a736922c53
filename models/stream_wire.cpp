#include "models/stream_wire.hpp"

#include "models/kernel_timer.hpp"

#include <simgrid/simix.hpp>

#include <algorithm>
#include <deque>
#include <vector>

namespace offload::models {
namespace {

/// A chunk whose bytes left are under this share of its stage's bytes (plus
/// a millionth of a byte) has arrived: rounding of the segment sizes.
constexpr double kSlack = 1e-12;
constexpr double kForever = std::numeric_limits<double>::infinity();
/// The route's count of bytes per moving chunk starts again from 0 past
/// this: under 2^31 a double's spacing is under 1e-6 bytes.
constexpr double kRebaseBytes = 1e9;

/// Runs the ticket's follower's callback later in this instant (not inside
/// the route's update, which the callback may call again).
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
  WeightedFlow::RouteTerms terms;         // the route's (each segment's penalty and bound; a chunk's latency)
  const std::vector<Network::Hop>& hops;  // its links, where each chunk's bytes count
  sg4::Mailbox* inbox;                    // the receiving host's, where the segments go
  std::unique_ptr<WeightedFlow> segment;  // the running segment, if any
  double segment_shared = 0;              // bytes of the running segment shared out so far
  std::deque<TicketPtr> pending;          // begun, latency not passed, in begin (so join) order; withdrawn ones skipped
  /// A chunk moving data, its heap keys beside it (no pointer to follow to compare).
  struct Moving {
    double tag;
    std::uint64_t order;
    TicketPtr ticket;
  };
  std::vector<Moving> moving;             // moving data: a heap, the earliest arrival (smallest tag) first
  double served = 0;                      // bytes each chunk moving data received since the flow began
  double unclaimed = 0;                   // bytes no chunk moving data needed (the next one gets them)
  std::uint64_t begun = 0;                // chunks begun on the route
  bool stopped = false;                   // a link of the route went down under the flow
  sg4::ActorPtr helper;                   // the route's helper actor, once made (until it ends)
  bool helper_idle = false;               // it is suspended (or about to be), no segment to run

  State(Network& network, sg4::Host* from, sg4::Host* to)
      : network(network),
        from(from),
        to(to),
        terms(WeightedFlow::route_terms(from, to)),
        hops(network.hops(from, to)),
        inbox(network.inbox(to)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    // Its helper, suspended, holds no reference to it: woken, it ends.
    if (helper && helper_idle) helper->resume();
  }

  /// Heap order of `moving`: the smallest tag on top, ties in begin order.
  static bool later(const Moving& a, const Moving& b) {
    return a.tag > b.tag || (a.tag == b.tag && a.order > b.order);
  }

  int streams() const { return static_cast<int>(moving.size()); }

  /// Equal shares of `bytes` among the chunks moving data (none: kept for the next).
  void share(double bytes) {
    if (moving.empty()) {
      unclaimed += bytes;
    } else {
      served += bytes / static_cast<double>(moving.size());
    }
  }

  /// The flow's bytes until the chunk moving data with the fewest left arrives.
  double next_segment_bytes() const {
    if (moving.empty()) return kForever;
    return std::max(0.0, moving.front().tag - served) * static_cast<double>(moving.size());
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    if (segment && segment->running()) segment->comm()->cancel();
    for (const auto& t : pending) wake(*t);
    for (const auto& m : moving) wake(*m.ticket);
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
    if (segment && !moving.empty()) {
      segment->resize(next_segment_bytes(), streams());
    } else if (segment) {  // nothing left to carry (rounding, or every chunk withdrawn)
      segment->comm()->cancel();
      segment.reset();
    } else if (!moving.empty() && !helper) {
      std::weak_ptr<State> route = self;
      helper = network.start_helper(from, "wire", [route] { serve(route); });
    } else if (!moving.empty() && helper_idle) {
      helper_idle = false;
      helper->resume();
    }
  }

  /// The route's helper actor: runs the segments while chunks move data,
  /// and waits suspended in between (no SimGrid activity: a condition
  /// variable's wait would be a sleep action on the host's CPU); ends once
  /// the flow failed or the route's last stage is gone.
  static void serve(const std::weak_ptr<State>& route) {
    for (;;) {
      {
        std::shared_ptr<State> self = route.lock();
        if (!self) return;
        self->run_segments(self);
        // Stopped, or this is the last hold on the route (its stages are
        // gone): it ends rather than wait for a wake-up that cannot come.
        if (self->stopped || self.use_count() == 1) {
          self->helper = nullptr;
          return;
        }
        self->helper_idle = true;
      }  // holds no reference while it waits
      sg4::this_actor::suspend();
    }
  }

  /// The chunks whose latency passed join (the next one gets the unclaimed bytes).
  bool join_due(double now) {
    bool joined = false;
    while (!pending.empty() && pending.front()->join_s <= now) {
      TicketPtr t = std::move(pending.front());
      pending.pop_front();
      if (t->withdrawn) continue;
      t->joined = joined = true;
      double credit = std::min(unclaimed, t->need);
      t->need -= credit;
      unclaimed -= credit;
      t->tag = served + t->need;
      moving.push_back(Moving{t->tag, t->order, std::move(t)});
      std::push_heap(moving.begin(), moving.end(), later);
    }
    return joined;
  }

  /// The chunks whose bytes all moved arrive; their followers wake in begin order.
  bool arrive_due() {
    std::vector<TicketPtr> arrived;
    while (!moving.empty() && moving.front().tag - served <= moving.front().ticket->slack) {
      std::pop_heap(moving.begin(), moving.end(), later);
      TicketPtr t = std::move(moving.back().ticket);
      moving.pop_back();
      unclaimed += std::max(0.0, served - t->tag);  // its share beyond its bytes (rounding)
      t->arrived = true;
      arrived.push_back(std::move(t));
    }
    std::sort(arrived.begin(), arrived.end(), [](const TicketPtr& a, const TicketPtr& b) { return a->order < b->order; });
    for (const auto& t : arrived) wake(*t);
    return !arrived.empty();
  }

  /// Counts from 0 again while the count is small enough that a double
  /// resolves a millionth of a byte in it (the least slack), keeping the
  /// order of the tags.
  void rebase() {
    if (moving.empty()) {
      served = 0;
    } else if (served > kRebaseBytes) {
      for (auto& m : moving) m.tag = m.ticket->tag -= served;
      served = 0;
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
    bool joined = join_due(sg4::Engine::get_clock());
    bool arrived = arrive_due();
    rebase();
    if (!ended && !joined && !arrived) return;
    reshape(self);
  }

  /// Takes a stage's chunk out of the flow (its stage was cancelled).
  void withdraw(const std::shared_ptr<State>& self, const TicketPtr& ticket) {
    if (stopped || ticket->arrived || ticket->withdrawn) return;
    if (segment && segment->running()) absorb_progress();  // what moved so far was shared with it
    ticket->withdrawn = true;
    wake(*ticket);
    if (!ticket->joined) return;  // its place among the pending is skipped
    auto it = std::find_if(moving.begin(), moving.end(), [&ticket](const Moving& m) { return m.ticket == ticket; });
    if (it == moving.end()) return;
    *it = std::move(moving.back());
    moving.pop_back();
    std::make_heap(moving.begin(), moving.end(), later);
    if (segment && !segment->running()) return;  // ended at this instant: the helper goes on from its end
    reshape(self);
  }

  /// On the helper actor: one segment after the other while chunks move
  /// data. No lock: the other code of the route runs in the kernel
  /// (StreamWire::begin and cancel hop there from an actor), so the
  /// helper's steps between its simcalls see no half-done change; it sizes
  /// a segment once its comm started (that start is a simcall).
  void run_segments(const std::shared_ptr<State>& self) {
    while (!stopped && !moving.empty()) {
      sg4::CommPtr comm = Network::put_into(inbox, WeightedFlow::continuation_size());
      if (stopped || moving.empty()) {  // changed during the start
        comm->cancel();
        break;
      }
      segment = std::make_unique<WeightedFlow>(comm, terms, next_segment_bytes(), false);
      segment->set_streams(streams());
      segment_shared = 0;
      try {
        comm->wait();
      } catch (const simgrid::Exception&) {  // failed (update() sees it) or cancelled
      }
      if (segment && segment->comm() == comm) {
        update(self, true);
      }  // else: cancelled for want of chunks
    }
  }
};

StreamWire::StreamWire(Network& network, sg4::Host* from, sg4::Host* to, double total_bytes)
    : slack_(kSlack * total_bytes + 1e-6) {
  std::weak_ptr<void>& shared = network.stream_route(from, to);
  state_ = std::static_pointer_cast<State>(shared.lock());
  if (!state_ || state_->stopped) {  // the route's first stage, or its flow failed: a new flow
    state_ = std::make_shared<State>(network, from, to);
    shared = state_;
  }
}

StreamWire::~StreamWire() { cancel(); }

bool StreamWire::stopped() const { return cancelled_ || state_->stopped; }

namespace {

/// Runs `body` in the kernel: at once there, or as a simcall from an actor
/// (the route's state is changed only in the kernel and by its helper).
template <typename F>
void in_kernel(F&& body) {
  if (sg4::Actor::is_maestro()) {
    body();
  } else {
    simgrid::kernel::actor::simcall_answered(std::forward<F>(body));
  }
}

}  // namespace

StreamWire::TicketPtr StreamWire::begin(double bytes) {
  TicketPtr ticket;
  in_kernel([this, bytes, &ticket] {
    State& s = *state_;
    ticket = std::make_shared<Ticket>(
        Ticket{.need = bytes, .join_s = sg4::Engine::get_clock() + s.terms.latency_s, .slack = slack_, .order = s.begun++});
    if (cancelled_) {  // not sent
      ticket->withdrawn = true;
      return;
    }
    Network::count(s.hops, bytes);
    s.pending.push_back(ticket);
    std::erase_if(mine_, [](const TicketPtr& t) { return t->arrived || t->withdrawn; });
    mine_.push_back(ticket);
  });
  return ticket;
}

void StreamWire::follow(const TicketPtr& ticket, std::function<void()> on_end) {
  if (ticket->arrived || ticket->withdrawn || state_->stopped) {
    soon(std::move(on_end));
    return;
  }
  ticket->on_end = std::move(on_end);
  // Its data moves once the route's latency passed: the flow takes it in
  // then, as a waiter of wait() would by waking then.
  std::weak_ptr<State> route = state_;
  at_time(ticket->join_s, [route] {
    if (auto s = route.lock()) s->update(s);
  });
}

void StreamWire::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  in_kernel([this] {
    for (const auto& ticket : mine_) state_->withdraw(state_, ticket);
    mine_.clear();
  });
}

}  // namespace offload::models
