#include "sim/simulation.hpp"

#include <cstdlib>
#include <sstream>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <random>

#include <simgrid/s4u.hpp>

#include "engine/engine.hpp"
#include "engine/status_json.hpp"
#include "models/actor_pool.hpp"
#include "models/power.hpp"
#include "sim/energy.hpp"
#include "sim/faults.hpp"
#include "sim/platform.hpp"
#include "sim/sim_runtime.hpp"

namespace offload::sim {
namespace {

struct HostEngine {  // one engine per simulated host, as on a real machine
  HostEngine(Platform& platform, SimHost& host, const Scenario& scenario, const MethodVariant& method)
      : runtime(host.host), factory(platform, host, method.nfs_async), engine(runtime, factory, scenario.engine) {}
  SimRuntime runtime;
  SimTargetFactory factory;
  Engine engine;
};

struct CopyRecord {
  std::string host;
  int copy_entry = 0;  // index of its [[copy]] entry in the scenario
  int index = 0;
  std::string from;
  std::string to;
  double size_bytes = 0;
  CopyStatus status;
  std::optional<CopyError> submit_error;
  std::shared_ptr<const models::FaultTally> faults;  // what faults did to it
};

nlohmann::json record_json(const CopyRecord& r) {
  double start = static_cast<double>(r.status.submitted_ns) / 1e9;
  double end = static_cast<double>(r.status.finished_ns) / 1e9;
  double latency = end - start;
  nlohmann::json json{{"host", r.host},           {"copy", r.copy_entry + 1}, {"bytes_done", r.status.bytes_done},
                      {"index", r.index},         {"from", r.from},
                      {"to", r.to},               {"size_bytes", count_json(r.size_bytes)},
                      {"state", state_name(r.status.state)},
                      {"start_s", start},         {"end_s", end},
                      {"latency_s", latency},
                      {"throughput_Bps", latency > 0 ? r.size_bytes / latency : 0.0},
                      {"methods_used", r.status.methods_used_text()},
                      {"bytes_by_method", bytes_by_method_json(r.status)},
                      {"fallbacks", fallbacks_json(r.status)}, {"operations", r.status.operations}};
  models::FaultTally faults = r.faults ? *r.faults : models::FaultTally{};
  json["retries"] = count_json(faults.retries);
  json["redrives"] = count_json(faults.redrives);
  json["callbacks_lost"] = count_json(faults.callbacks_lost);
  const auto& error = r.submit_error ? r.submit_error : r.status.error;
  if (error) json["error"] = error->describe();
  return json;
}

// SimGrid options for a run, from the environment (README.md "Checking the
// solver"): space-separated "name:value" items, e.g. network/optim:Full to
// run SimGrid's exact network solver instead of its lazy, selective one.
void apply_simgrid_options(const char* options) {
  if (options == nullptr) return;
  std::istringstream items(options);
  std::string item;
  while (items >> item) {
    try {
      sg4::Engine::set_config(item);
    } catch (const std::exception& e) {
      std::string what = e.what();
      throw ScenarioError("OFFLOAD_SIMGRID_CFG: '" + item + "': " + what.substr(0, what.find('\n')));
    }
  }
}

}  // namespace

nlohmann::json run_simulation(const Scenario& scenario, const MethodVariant& method) {
  auto wall_start = std::chrono::steady_clock::now();
  int argc = 4;
  char program[] = "offload-sim";
  char quiet[] = "--log=root.thres:critical";
  char stack[] = "--cfg=contexts/stack-size:256";  // KiB: op actors are shallow
  // No guard page below each actor's stack: it costs two memory mappings per
  // actor, and 10,000 copies keep ~41,000 actors alive, past Linux's
  // vm.max_map_count (65530) ("Failed to protect stack").
  char guard[] = "--cfg=contexts/guard-size:0";
  char* argv[] = {program, quiet, stack, guard, nullptr};
  models::map_actor_stacks();
  sg4::Engine simulation(&argc, argv);
  if (scenario.network_model == "CM02") {
    sg4::Engine::set_config("network/model:CM02");
    sg4::Engine::set_config("network/crosstraffic:0");
  }
  apply_simgrid_options(std::getenv("OFFLOAD_SIMGRID_CFG"));
  Platform platform(scenario);
  EnergyMeter energy(platform.energy_sources(), platform.network(), scenario.energy.link);

  std::map<std::string, std::unique_ptr<HostEngine>> engines;
  std::deque<CopyRecord> records;  // stable addresses while actors fill them
  std::mt19937_64 random(scenario.seed);
  std::vector<sg4::ActorPtr> workloads;
  double first_start = 1e300;
  for (std::size_t spec_index = 0; spec_index < scenario.copies.size(); ++spec_index) {
    const CopySpec& spec = scenario.copies[spec_index];
    for (SimHost* host : platform.members(spec.on)) {
      auto& slot = engines[host->name];
      if (!slot) slot = std::make_unique<HostEngine>(platform, *host, scenario, method);
      Engine* engine = &slot->engine;
      SimTargetFactory* factory = &slot->factory;
      double start = spec.start_s;
      if (spec.start_jitter_s > 0) start += std::uniform_real_distribution<double>(0, spec.start_jitter_s)(random);
      first_start = std::min(first_start, start);
      std::vector<CopyRecord*> mine;
      for (int i = 0; i < spec.count; ++i) {
        records.push_back({host->name, static_cast<int>(spec_index), i, spec.from, spec.to, spec.size_bytes, {}, {}, {}});
        mine.push_back(&records.back());
      }
      workloads.push_back(sg4::Actor::create("workload", host->host, [engine, factory, mine, spec, start, method, name = host->name] {
        sg4::this_actor::sleep_until(start);
        std::deque<std::pair<CopyRecord*, Cookie>> in_flight;
        auto finish_oldest = [&] {
          auto [record, cookie] = in_flight.front();
          in_flight.pop_front();
          record->status = *engine->wait(cookie);
          engine->release(cookie);
        };
        for (CopyRecord* record : mine) {
          while (static_cast<int>(in_flight.size()) >= spec.concurrency) finish_oldest();
          CopyRequest request{.source = spec.from,
                              .destination = spec.to + "#" + name + "." + std::to_string(record->index),
                              .length = static_cast<std::uint64_t>(spec.size_bytes),
                              .method = method.choice};
          auto cookie = engine->submit(request);
          record->faults = factory->tally(request.destination);
          if (!cookie) {
            record->submit_error = cookie.error();
            record->status.state = CopyState::failed;
            continue;
          }
          in_flight.emplace_back(record, *cookie);
          if (spec.cancel_after_s) {  // a user (or a timeout) gives up on the copy
            sg4::Actor::create("cancel", sg4::this_actor::get_host(), [engine, cookie = *cookie, delay = *spec.cancel_after_s] {
              sg4::this_actor::sleep_for(delay);
              engine->cancel(cookie);
            })->daemonize();
          }
        }
        while (!in_flight.empty()) finish_oldest();
      }));
    }
  }
  // The charged interval: from the first submit (every workload submits
  // its first copy at its start) to the end of the last workload's last copy.
  sg4::Actor::create("energy-meter", workloads.front()->get_host(), [&energy, &workloads, first_start] {
    sg4::this_actor::sleep_until(first_start);
    energy.start();
    for (const sg4::ActorPtr& workload : workloads) workload->join();
    energy.stop();
    models::ActorPool::end_idle_actors();  // every copy is over: their stacks go before SimGrid's kill
  });
  nlohmann::json faults_applied;
  schedule_faults(scenario, platform, faults_applied);
  simulation.run();
  double sim_time = sg4::Engine::get_clock();

  nlohmann::json copies = nlohmann::json::array();
  double bytes = 0, latency_sum = 0, first_done = 1e300, last_end = 0;
  int done = 0, cancelled = 0;
  models::FaultTally fault_totals;
  std::uint64_t fallback_count = 0;
  for (const CopyRecord& r : records) {
    copies.push_back(record_json(r));
    if (r.faults) {
      fault_totals.retries += r.faults->retries;
      fault_totals.redrives += r.faults->redrives;
      fault_totals.callbacks_lost += r.faults->callbacks_lost;
    }
    cancelled += r.status.state == CopyState::cancelled ? 1 : 0;
    for (const FallbackRecord& fallback : r.status.fallbacks) fallback_count += fallback.ranges;
    if (r.status.state != CopyState::done) continue;
    ++done;
    bytes += r.size_bytes;
    double start = static_cast<double>(r.status.submitted_ns) / 1e9;
    double end = static_cast<double>(r.status.finished_ns) / 1e9;
    latency_sum += end - start;
    first_done = std::min(first_done, start);
    last_end = std::max(last_end, end);
  }
  double span = done > 0 ? last_end - first_done : 0;
  nlohmann::json summary{{"copies", records.size()},
                         {"done", done},
                         {"cancelled", cancelled},
                         {"failed", static_cast<int>(records.size()) - done - cancelled},
                         {"bytes", count_json(bytes)},
                         {"makespan_s", span},
                         {"mean_latency_s", done > 0 ? latency_sum / done : 0.0},
                         {"aggregate_throughput_Bps", span > 0 ? bytes / span : 0.0},
                         {"faults_applied", faults_applied.size()},
                         {"retries", count_json(fault_totals.retries)},
                         {"redrives", count_json(fault_totals.redrives)},
                         {"callbacks_lost", count_json(fault_totals.callbacks_lost)},
                         {"fallbacks", fallback_count}};
  // CPU per GiB the workload asked to copy (a failed copy's CPU counts
  // against its size): finite for every run, sizes are above zero.
  double moved = 0;
  double tried_start = 1e300, tried_end = 0;  // every copy's span, when none finished
  for (const CopyRecord& r : records) {
    moved += r.size_bytes;
    if (r.status.finished_ns == 0) continue;
    tried_start = std::min(tried_start, static_cast<double>(r.status.submitted_ns) / 1e9);
    tried_end = std::max(tried_end, static_cast<double>(r.status.finished_ns) / 1e9);
  }
  auto [client_cpu, server_cpu] = platform.client_and_server_cpu_s();
  auto per_GiB = [&](double seconds) { return moved > 0 ? nlohmann::json(seconds / (moved / 1073741824.0)) : nlohmann::json(nullptr); };
  summary["client_cpu_s"] = client_cpu;
  summary["server_cpu_s"] = server_cpu;
  summary["client_cpu_s_per_GiB"] = per_GiB(client_cpu);
  summary["server_cpu_s_per_GiB"] = per_GiB(server_cpu);
  nlohmann::json bottleneck =
      bottleneck_json(platform.resource_busy(), done > 0 ? span : std::max(0.0, tried_end - tried_start));
  nlohmann::json engine_ops = nlohmann::json::object();
  nlohmann::json engine_actors = nlohmann::json::object();  // what the run cost the simulator, per engine host
  for (const auto& [name, host_engine] : engines) {
    engine_ops[name] = host_engine->runtime.started();
    engine_actors[name] = host_engine->runtime.actors();
  }
  engines.clear();  // engines end inside the simulation's lifetime
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return {{"scenario", scenario.name},
          {"file", scenario.file},
          {"point", scenario.point},
          {"method", method.label},
          {"network_model", scenario.network_model},
          {"host_stage", scenario.host_stage},
          {"seed", scenario.seed},
          {"sim_time_s", sim_time},
          {"wall_s", wall},
          {"summary", summary},
          {"bottleneck", bottleneck},
          {"energy", energy.json(moved)},
          {"copies", copies},
          {"faults", faults_applied},
          {"engine_operations", engine_ops},
          {"engine_actors", engine_actors},
          {"metrics", platform.metrics()}};
}

}  // namespace offload::sim
