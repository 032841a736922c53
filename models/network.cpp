#include "models/network.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/actor_pool.hpp"
#include "models/cpu.hpp"
#include "models/kernel_timer.hpp"

namespace offload::models {
namespace {

char payload = 0;         // what every comm carries (a pointer to it)
char* received = nullptr;  // where receivers drop it

/// Stack of the network's helper actors, KiB (Actor::set_stacksize counts
/// KiB in SimGrid 3.32): 64 MiB, of which a helper touches a few pages. The
/// 128 KiB tried instead (2026-12-05) made each helper's whole stack resident
/// (`scenarios/contention.toml`, 1,000 clients: 126 MB -> 192 MB peak RSS).
constexpr unsigned kHelperStackKiB = 64 * 1024;

}  // namespace

// One host's side of the network: its inbox (permanent receiver: a daemon
// that drains finished comms) and its sender actors.
struct Network::Endpoint {
  explicit Endpoint(sg4::Host* host) : senders(host, "send", kHelperStackKiB) {}
  sg4::Mailbox* inbox = nullptr;
  ActorPool senders;
};

FaultTally* current_tally() {
  auto* counted = sg4::Actor::self()->get_data<FaultCounted>();
  return counted != nullptr ? counted->tally.get() : nullptr;
}

Transfer::Transfer(Network& network, sg4::Host* from, sg4::Host* to, double bytes, sg4::CommPtr comm)
    : network_(&network), from_(from), to_(to), bytes_(bytes), comm_(std::move(comm)) {
  charge_stacks();
}

void Transfer::charge_stacks() {
  if (CpuModel* sender = CpuModel::of(from_)) send_work_ = sender->message_work(to_, bytes_, StackSide::send);
  if (CpuModel* receiver = CpuModel::of(to_)) receive_work_ = receiver->message_work(from_, bytes_, StackSide::receive);
}

void Transfer::wait() {
  for (;;) {
    try {
      comm_->wait();
      break;
    } catch (const simgrid::NetworkFailureException&) {
    }
    resend();
  }
  if (send_work_) send_work_->wait();
  if (receive_work_) receive_work_->wait();
}

void Transfer::resend() {
  network_->wait_route_up(from_, to_);
  network_->retries_ += 1;
  if (FaultTally* tally = current_tally()) tally->retries += 1;
  comm_ = network_->start(from_, to_, bytes_);
  charge_stacks();  // a retransmission crosses both stacks again
}

void Network::link_down(const std::string& name) {
  if (down_links_[name]++ > 0) return;
  sg4::Link::by_name(name + "_UP")->turn_off();
  sg4::Link::by_name(name + "_DOWN")->turn_off();
  std::vector<std::function<void()>> broken;
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    const auto& route = routes_.at(it->second.first);
    if (std::any_of(route.begin(), route.end(), [&](const Hop& hop) { return hop.link == name; })) {
      broken.push_back(std::move(it->second.second));
      it = watchers_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& stop : broken) stop();
}

int Network::watch_route(sg4::Host* a, sg4::Host* b, std::function<void()> broken) {
  watchers_[next_watcher_] = {{a, b}, std::move(broken)};
  return next_watcher_++;
}

void Network::link_up(const std::string& name) {
  if (--down_links_[name] > 0) return;
  down_links_.erase(name);
  sg4::Link::by_name(name + "_UP")->turn_on();
  sg4::Link::by_name(name + "_DOWN")->turn_on();
  std::unique_lock lock(*state_mutex_);
  link_came_up_->notify_all();
  auto waiting = std::move(route_waiters_);
  route_waiters_.clear();
  for (auto& [ends, then] : waiting) when_route_up(ends.first, ends.second, std::move(then));
}

bool Network::route_down(sg4::Host* from, sg4::Host* to) const {
  const auto& route = routes_.at({from, to});
  return std::any_of(route.begin(), route.end(), [&](const Hop& hop) { return down_links_.contains(hop.link); });
}

void Network::wait_route_up(sg4::Host* from, sg4::Host* to) {
  std::unique_lock lock(*state_mutex_);
  while (route_down(from, to)) link_came_up_->wait(lock);
}

void Network::when_route_up(sg4::Host* from, sg4::Host* to, std::function<void()> then) {
  if (route_down(from, to)) {
    route_waiters_.push_back({{from, to}, std::move(then)});
  } else {
    soon(std::move(then));
  }
}

Network::Network() = default;
Network::~Network() = default;

void Network::add_route(sg4::Host* a, sg4::Host* b, const std::vector<std::string>& link_names,
                        const std::vector<bool>& up) {
  std::vector<Hop> there, back;
  for (std::size_t i = 0; i < link_names.size(); ++i) {
    double* bytes = &link_bytes_.try_emplace(link_names[i], 0.0).first->second;  // map nodes stay put
    auto* both = &direction_bytes_.try_emplace(link_names[i], 0.0, 0.0).first->second;
    there.push_back({link_names[i], up[i], bytes, up[i] ? &both->first : &both->second});
    back.push_back({link_names[i], !up[i], bytes, up[i] ? &both->second : &both->first});
  }
  routes_[{a, b}] = std::move(there);
  routes_[{b, a}] = std::move(back);
}

double Network::busier_direction_bytes(const std::string& link) const {
  auto it = direction_bytes_.find(link);
  return it == direction_bytes_.end() ? 0.0 : std::max(it->second.first, it->second.second);
}

// Made lazily by an actor, an endpoint could be seen by another actor before
// its inbox was ready (Mailbox::by_name and Actor::start are simcalls).
void Network::open_endpoints() {
  for (const auto& [ends, links] : routes_) endpoint(ends.first);
}

bool Network::connected(sg4::Host* a, sg4::Host* b) const { return routes_.contains({a, b}); }

Network::Endpoint& Network::endpoint(sg4::Host* host) {
  auto& slot = endpoints_[host];
  if (slot) return *slot;
  slot = std::make_unique<Endpoint>(host);
  slot->inbox = sg4::Mailbox::by_name("inbox:" + host->get_name());
  sg4::Mailbox* inbox = slot->inbox;
  auto drain = sg4::Actor::init("inbox", host)->set_stacksize(kHelperStackKiB)->start([inbox] {
    for (;;) {
      try {
        inbox->get<char>();
      } catch (const simgrid::Exception&) {  // failed or cancelled: its sender resends it or gave up
      }
    }
  });
  drain->daemonize();
  inbox->set_receiver(drain);  // puts start at once, towards this host
  return *slot;
}

sg4::Mailbox* Network::inbox(sg4::Host* host) { return endpoint(host).inbox; }

sg4::CommPtr Network::put_into(sg4::Mailbox* inbox, std::uint64_t size) { return inbox->put_async(&payload, size); }

void Network::run_on_helper(sg4::Host* host, std::function<void()> task) { endpoint(host).senders.submit(std::move(task)); }

sg4::ActorPtr Network::start_helper(sg4::Host* host, const std::string& name, std::function<void()> body) {
  sg4::ActorPtr actor = sg4::Actor::init(name, host);
  actor->set_stacksize(kHelperStackKiB);
  actor->start(std::move(body));
  actor->daemonize();
  return actor;
}

sg4::Mailbox* Network::free_mailbox() {
  if (free_mailboxes_.empty()) return sg4::Mailbox::by_name("pull:" + std::to_string(mailboxes_++));
  sg4::Mailbox* box = free_mailboxes_.back();
  free_mailboxes_.pop_back();
  return box;
}

Transfer Network::send_async(sg4::Host* from, sg4::Host* to, double bytes) {
  return Transfer(*this, from, to, bytes, start(from, to, bytes));
}

const std::vector<Network::Hop>& Network::hops(sg4::Host* from, sg4::Host* to) const {
  auto route = routes_.find({from, to});
  if (route == routes_.end()) {
    throw std::logic_error("no route from " + from->get_name() + " to " + to->get_name());
  }
  return route->second;
}

void Network::count(const std::vector<Hop>& hops, double bytes) {
  for (const Hop& hop : hops) {
    *hop.bytes += bytes;
    *hop.direction_bytes += bytes;
  }
}

void Network::count(sg4::Host* from, sg4::Host* to, double bytes) { count(hops(from, to), bytes); }

sg4::CommPtr Network::start(sg4::Host* from, sg4::Host* to, double bytes) {
  count(from, to, bytes);
  auto size = static_cast<uint64_t>(bytes);
  sg4::Host* here = sg4::this_actor::get_host();
  if (here == from) return endpoint(to).inbox->put_async(&payload, size);
  if (here != to) return sg4::Comm::sendto_async(from, to, size);  // a third party: no model does this
  sg4::Mailbox* box = free_mailbox();
  endpoint(from).senders.submit([this, box, size] {
    try {
      box->put(&payload, size);
      free_mailboxes_.push_back(box);
    } catch (const simgrid::Exception&) {  // failed or cancelled: the receiver resends it or gave up; the box is not reused
    }
  });
  return box->get_async<char>(&received);
}

}  // namespace offload::models
