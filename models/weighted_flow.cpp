#include "models/weighted_flow.hpp"

#include <simgrid/kernel/resource/Model.hpp>
#include <xbt/config.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace offload::models {
namespace {

using simgrid::kernel::resource::Action;
using simgrid::kernel::resource::ActionHeap;

/// The kernel action of a comm just started: SimGrid appends a new action
/// to its model's started set, so it is the last of one model's set (else
/// it is searched for in every set).
Action* action_of(const sg4::CommPtr& comm) {
  const auto& models = sg4::Engine::get_instance()->get_all_models();
  for (auto* model : models) {
    auto* started = model->get_started_action_set();
    if (!started->empty() && started->back().get_activity() == comm->get_impl()) return &started->back();
  }
  for (auto* model : models) {
    for (Action& action : *model->get_started_action_set()) {
      if (action.get_activity() == comm->get_impl()) return &action;
    }
  }
  return nullptr;
}

}  // namespace

WeightedFlow::WeightedFlow(sg4::Host* from, sg4::Host* to, double bytes) : bytes_(bytes) {
  comm_ = sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(bytes));
  action_ = action_of(comm_);
  if (action_ == nullptr) throw std::runtime_error("weighted flow: SimGrid's action of the comm was not found");
  // As SimGrid 3.32's CM02/LV08 set up each comm: its sharing penalty is the
  // route's latency plus weight-S over each link's bandwidth (LV08's RTT
  // fairness; 0 in CM02); its bound the route's narrowest link and TCP's
  // window over the round trip (the route's latency before the factor).
  std::vector<sg4::Link*> links;
  double route_latency_s = 0;
  from->route_to(to, links, &route_latency_s);
  double weight_s = simgrid::config::get_value<double>("network/weight-S");
  penalty_ = route_latency_s;
  if (weight_s > 0) {
    for (const sg4::Link* link : links) penalty_ += weight_s / link->get_bandwidth();
  }
  bound_ = action_->get_user_bound();
  if (route_latency_s > 0) {
    double window = simgrid::config::get_value<double>("network/TCP-gamma") / (2 * route_latency_s);
    bound_ = bound_ < 0 ? window : std::min(bound_, window);
  }
  latency_s_ = route_latency_s * simgrid::config::get_value<double>("network/latency-factor");
  data_start_s_ = sg4::Engine::get_clock() + latency_s_;
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
  if (!running()) return failed() ? last_moved_ : bytes_;
  if (pending_ && !in_latency()) apply();
  last_moved_ = bytes_ - comm_->get_remaining();
  return last_moved_;
}

double WeightedFlow::rate() {
  if (!running()) return 0;
  if (pending_ && !in_latency()) apply();
  return in_latency() ? 0 : action_->get_rate();
}

bool WeightedFlow::failed() {
  if (running()) return false;
  using State = sg4::Activity::State;
  if (comm_->get_state() == State::CANCELED || comm_->get_state() == State::FAILED) return true;
  try {
    comm_->test();
    return comm_->get_state() != State::FINISHED;
  } catch (const simgrid::Exception&) {  // a link of its route went down
    return true;
  }
}

}  // namespace offload::models
