#include "models/network.hpp"

#include <stdexcept>

namespace offload::models {

void Network::add_route(sg4::Host* a, sg4::Host* b, std::vector<std::string> link_names) {
  for (const auto& name : link_names) link_bytes_.try_emplace(name, 0.0);
  routes_[{b, a}] = link_names;
  routes_[{a, b}] = std::move(link_names);
}

bool Network::connected(sg4::Host* a, sg4::Host* b) const { return routes_.contains({a, b}); }

sg4::CommPtr Network::send_async(sg4::Host* from, sg4::Host* to, double bytes) {
  auto route = routes_.find({from, to});
  if (route == routes_.end()) {
    throw std::logic_error("no route from " + from->get_name() + " to " + to->get_name());
  }
  for (const auto& name : route->second) link_bytes_[name] += bytes;
  return sg4::Comm::sendto_async(from, to, static_cast<uint64_t>(bytes));
}

}  // namespace offload::models
