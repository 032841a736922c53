#include "models/weighted_flow.hpp"

#include "models/kernel_action.hpp"

#include <simgrid/kernel/resource/Model.hpp>
#include <simgrid/kernel/resource/NetworkModelIntf.hpp>
#include <xbt/config.hpp>

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <stdexcept>
#include <vector>

namespace offload::models {
namespace {

using simgrid::kernel::resource::Action;
using simgrid::kernel::resource::ActionHeap;

/// Payload sizes of the comms started to skip the latency, not yet created:
/// the latency-factor callback gives each of them a factor of 0. Sizes from
/// 2^52 up, which no transfer of the models has.
std::unordered_set<std::uint64_t> g_continuations;
std::uint64_t g_next_continuation = std::uint64_t{1} << 52;

}  // namespace

void WeightedFlow::allow_continuations() {
  auto* model = sg4::Engine::get_instance()->get_netzone_root()->get_network_model();
  static simgrid::kernel::resource::NetworkModelIntf* installed = nullptr;  // one simulation per process
  if (installed == model) return;
  double factor = simgrid::config::get_value<double>("network/latency-factor");
  model->set_lat_factor_cb([factor](double size, const sg4::Host*, const sg4::Host*, const std::vector<sg4::Link*>&,
                                    const std::unordered_set<sg4::NetZone*>&) {
    return g_continuations.erase(static_cast<std::uint64_t>(size)) > 0 ? 0.0 : factor;
  });
  installed = model;
}

std::uint64_t WeightedFlow::continuation_size() {
  allow_continuations();
  g_continuations.insert(g_next_continuation);
  return g_next_continuation++;
}


WeightedFlow::WeightedFlow(sg4::Host* from, sg4::Host* to, double bytes, bool pays_latency)
    : WeightedFlow(sg4::Comm::sendto_async(from, to,
                                           pays_latency ? static_cast<std::uint64_t>(std::ceil(bytes)) : continuation_size()),
                   from, to, bytes, pays_latency) {}

WeightedFlow::RouteTerms WeightedFlow::route_terms(sg4::Host* from, sg4::Host* to) {
  // As SimGrid 3.32's CM02/LV08 set up each comm: its sharing penalty is the
  // route's latency plus weight-S over each link's bandwidth (LV08's RTT
  // fairness; 0 in CM02); its bound the route's narrowest link and TCP's
  // window over the round trip (the route's latency before the factor).
  std::vector<sg4::Link*> links;
  double route_latency_s = 0;
  from->route_to(to, links, &route_latency_s);
  double weight_s = simgrid::config::get_value<double>("network/weight-S");
  RouteTerms terms{.penalty = route_latency_s, .window_Bps = -1, .latency_s = 0};
  if (weight_s > 0) {
    for (const sg4::Link* link : links) terms.penalty += weight_s / link->get_bandwidth();
  }
  if (route_latency_s > 0) terms.window_Bps = simgrid::config::get_value<double>("network/TCP-gamma") / (2 * route_latency_s);
  terms.latency_s = route_latency_s * simgrid::config::get_value<double>("network/latency-factor");
  return terms;
}

WeightedFlow::WeightedFlow(sg4::CommPtr comm, sg4::Host* from, sg4::Host* to, double bytes, bool pays_latency)
    : WeightedFlow(std::move(comm), route_terms(from, to), bytes, pays_latency) {}

WeightedFlow::WeightedFlow(sg4::CommPtr comm, const RouteTerms& terms, double bytes, bool pays_latency)
    : comm_(std::move(comm)), size_(bytes) {
  static simgrid::kernel::resource::Model* network = nullptr;  // where the last one was found
  action_ = started_action_of(*comm_, network);
  if (action_ == nullptr) throw std::runtime_error("weighted flow: SimGrid's action of the comm was not found");
  action_->set_remains(bytes);  // the exact size (a comm's is whole bytes, a continuation's a marker)
  penalty_ = terms.penalty;
  bound_ = action_->get_user_bound();
  if (terms.window_Bps >= 0) bound_ = bound_ < 0 ? terms.window_Bps : std::min(bound_, terms.window_Bps);
  latency_s_ = pays_latency ? terms.latency_s : 0;
  data_start_s_ = sg4::Engine::get_clock() + latency_s_;
  // Without a latency SimGrid gives the variable a penalty of 1, not the comm's.
  if (!pays_latency) apply();
}

void WeightedFlow::resize(double remaining, int streams) {
  if (!running() || in_latency()) return;
  double left = action_->get_remains();  // brings SimGrid's lazy progress up to now
  size_ += remaining - left;
  action_->set_remains(remaining);
  if (streams != streams_) {
    set_streams(streams);  // SimGrid shares again and plans the end anew
    return;
  }
  // The same k: SimGrid keeps the sharing, so plan the end here.
  double rate = action_->get_rate();
  if (rate > 0) {
    action_->get_model()->get_action_heap().update(action_, sg4::Engine::get_clock() + remaining / rate,
                                                   ActionHeap::Type::normal);
  }
}

WeightedFlow::~WeightedFlow() {
  if (running()) comm_->cancel();
}

bool WeightedFlow::running() const {
  // A comm that ended has no action left (its remaining reads 0); one that
  // failed this instant still has it, in the FAILED state.
  return comm_->get_remaining() > 0 && action_->get_state() == Action::State::STARTED;
}

bool WeightedFlow::in_latency() const { return action_->get_type() == ActionHeap::Type::latency; }

void WeightedFlow::set_streams(int streams) {
  streams_ = std::max(streams, 0);
  if (running()) apply();
}

void WeightedFlow::apply() {
  double k = std::max(streams_, 1);
  if (in_latency()) {  // SimGrid enables the variable with one comm's penalty when it ends
    pending_ = true;
    return;
  }
  action_->set_sharing_penalty(penalty_ / k);
  action_->set_bound(streams_ == 0 ? kHeldRate : (bound_ < 0 ? -1 : bound_ * k));
  pending_ = false;
}

double WeightedFlow::moved() {
  if (!running()) return comm_->get_state() == sg4::Activity::State::FINISHED ? size_ : last_moved_;
  if (pending_ && !in_latency()) apply();
  last_moved_ = size_ - comm_->get_remaining();
  return last_moved_;
}

bool WeightedFlow::failed() const {
  auto state = comm_->get_state();
  return state == sg4::Activity::State::CANCELED || state == sg4::Activity::State::FAILED;
}

}  // namespace offload::models
