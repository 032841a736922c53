#include "sim/faults.hpp"

namespace offload::sim {
namespace {

// Where the fault's actor runs: a host of the thing it hits (any host for a link).
sg4::Host* host_for(const FaultSpec& fault, Platform& platform) {
  if (auto* server = platform.server(fault.target)) return server->host();
  if (auto* array = platform.array(fault.target)) return array->host();
  return sg4::Engine::get_instance()->get_all_hosts().front();
}

// Applies `fault`; log[index] is its record (by index: other faults append meanwhile).
void apply(const FaultSpec& fault, Platform& platform, nlohmann::json& log, std::size_t index) {
  auto until_restored = [&](auto&& restore) {
    sg4::this_actor::sleep_for(fault.duration_s);
    restore();
    log[index]["restored_s"] = sg4::Engine::get_clock();
  };
  switch (fault.kind) {
    case FaultKind::link_down:
      platform.network().link_down(fault.target);
      until_restored([&] { platform.network().link_up(fault.target); });
      break;
    case FaultKind::nfs_server_restart: {
      models::NfsServer* server = platform.server(fault.target);
      server->go_down();
      until_restored([&] { server->come_up(); });
      break;
    }
    case FaultKind::cb_offload_lost: platform.server(fault.target)->lose_callbacks(fault.count); break;
    case FaultKind::odx_token_expire: platform.array(fault.target)->expire_tokens(); break;
    case FaultKind::xcopy_segment_fail: platform.array(fault.target)->fail_next_segment(); break;
    case FaultKind::unit_attention: platform.array(fault.target)->raise_unit_attention(); break;
  }
}

}  // namespace

void schedule_faults(const Scenario& scenario, Platform& platform, nlohmann::json& log) {
  log = nlohmann::json::array();
  for (const FaultSpec& fault : scenario.faults) {
    sg4::Actor::create("fault", host_for(fault, platform), [&fault, &platform, &log] {
      sg4::this_actor::sleep_until(fault.at_s);
      nlohmann::json record{{"kind", fault.kind_name}, {"target", fault.target}, {"at_s", fault.at_s},
                            {"applied_s", sg4::Engine::get_clock()}};
      if (fault.duration_s > 0) record["duration_s"] = fault.duration_s;
      if (fault.kind == FaultKind::cb_offload_lost) record["count"] = fault.count;
      log.push_back(record);
      apply(fault, platform, log, log.size() - 1);
    })->daemonize();
  }
}

}  // namespace offload::sim
