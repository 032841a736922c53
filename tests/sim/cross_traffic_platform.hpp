// The platform of the flow tests: hosts a, b and c; a -> b crosses la,
// core and lb, c -> b crosses lc, core and lb (split-duplex links), so
// flows c -> b share core and lb with a's, and flows b -> a cross a's
// route the other way (LV08's cross-traffic).
#pragma once

#include <string>

#include <simgrid/s4u.hpp>

namespace offload::testing {

/// Three hosts and four links; build() inside a simulation's set-up.
struct CrossTrafficPlatform {
  simgrid::s4u::Host* a = nullptr;
  simgrid::s4u::Host* b = nullptr;
  simgrid::s4u::Host* c = nullptr;
  simgrid::s4u::Link* core = nullptr;             ///< 200 MB/s, 10 us: shared by a -> b and c -> b

  /// la: 125 MB/s and `a_latency_s`; lb: 250 MB/s, 20 us; lc: 125 MB/s, 20 us.
  static CrossTrafficPlatform build(double a_latency_s) {
    namespace sg4 = simgrid::s4u;
    CrossTrafficPlatform p;
    auto* zone = sg4::create_full_zone("world");
    p.a = zone->create_host("a", 1e9)->seal();
    p.b = zone->create_host("b", 1e9)->seal();
    p.c = zone->create_host("c", 1e9)->seal();
    auto link = [&](const std::string& name, double bw, double lat) {
      return zone->create_split_duplex_link(name, bw)->set_latency(lat)->seal();
    };
    auto* la = link("la", 125e6, a_latency_s);
    auto* lb = link("lb", 250e6, 20e-6);
    auto* lc = link("lc", 125e6, 20e-6);
    p.core = link("core", 200e6, 10e-6);
    using D = sg4::LinkInRoute::Direction;
    zone->add_route(p.a->get_netpoint(), p.b->get_netpoint(), nullptr, nullptr,
                    {{la, D::UP}, {p.core, D::UP}, {lb, D::DOWN}}, true);
    zone->add_route(p.c->get_netpoint(), p.b->get_netpoint(), nullptr, nullptr,
                    {{lc, D::UP}, {p.core, D::UP}, {lb, D::DOWN}}, true);
    zone->seal();
    return p;
  }
};

}  // namespace offload::testing
