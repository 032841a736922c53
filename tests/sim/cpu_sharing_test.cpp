// The CPU's cores shared in virtual time (models/cpu.hpp over
// models/shared_device.hpp) against SimGrid's own CPU model: the same jobs
// on a CpuModel and, as plain Execs, on an identical host of the same
// simulation end at the same times, with some cancelled, under and over the
// core count; both hosts consume the same energy (models/power.hpp's
// integral of the busy cores against SimGrid's energy plugin reading the
// Execs' load of the twin); a serial lane's
// pieces still run one after the other beside the other jobs.
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "models/power.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

constexpr double kNever = std::numeric_limits<double>::infinity();

struct Job {
  double start_s;
  double cpu_s;     // seconds of one core
  double cancel_s;  // when its actor cancels it (kNever: never)
};

/// Runs `jobs` on a CpuModel of `cores` cores and as plain Execs on a twin
/// host; returns both hosts' job ends (null: cancelled) and energy.
nlohmann::json run_both(const std::vector<Job>& jobs, int cores) {
  return in_child([&] {
    QuietEngine simulation("cpu-sharing-test");
    sg_host_energy_plugin_init();  // for the twin's Execs
    auto* zone = sg4::create_full_zone("world");
    models::PowerSpec power{.idle_W = 50, .epsilon_W = 80, .all_cores_W = 200};
    sg4::Host* model_host = zone->create_host("model", models::kFlopsPerCpuSecond)->set_core_count(cores);
    sg4::Host* plain_host = zone->create_host("plain", models::kFlopsPerCpuSecond)->set_core_count(cores);
    models::set_host_power(model_host, power);
    plain_host->set_property("wattage_per_state", "50:80:200");
    plain_host->set_property("wattage_off", "0");
    model_host->seal();
    plain_host->seal();
    zone->seal();
    models::CpuSpec spec;
    spec.cores = cores;
    models::CpuModel cpu(model_host, spec);
    nlohmann::json result{{"model", nlohmann::json::array()}, {"plain", nlohmann::json::array()}};
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      result["model"].push_back(nullptr);
      result["plain"].push_back(nullptr);
      for (bool modelled : {true, false}) {
        sg4::Host* host = modelled ? model_host : plain_host;
        sg4::Actor::create("job", host, [&, i, modelled, host] {
          const Job& job = jobs[i];
          sg4::this_actor::sleep_until(job.start_s);
          sg4::ExecPtr work = modelled ? cpu.work_async(job.cpu_s)
                                       : sg4::this_actor::exec_init(job.cpu_s * models::kFlopsPerCpuSecond)->set_host(host)->start();
          if (job.cancel_s == kNever) {
            work->wait();
            result[modelled ? "model" : "plain"][i] = sg4::Engine::get_clock();
          } else {
            sg4::this_actor::sleep_until(job.cancel_s);
            work->cancel();
          }
        });
      }
    }
    simulation.run();
    result["model_J"] = models::consumed_energy_J(model_host);
    result["plain_J"] = sg_host_get_consumed_energy(plain_host);
    result["clock"] = sg4::Engine::get_clock();
    return result;
  });
}

void expect_same_as_simgrid(const std::vector<Job>& jobs, int cores) {
  nlohmann::json out = run_both(jobs, cores);
  ASSERT_TRUE(out.contains("model_J")) << out.dump();
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& plain = out["plain"][i];
    const auto& model = out["model"][i];
    ASSERT_EQ(plain.is_null(), model.is_null()) << i << " " << out.dump();
    if (plain.is_null()) continue;
    EXPECT_NEAR(model.get<double>(), plain.get<double>(), 1e-9 * plain.get<double>()) << i << " " << out.dump();
  }
  double plain_J = out["plain_J"].get<double>();
  EXPECT_GT(plain_J, 0) << out.dump();
  EXPECT_NEAR(out["model_J"].get<double>(), plain_J, 1e-9 * plain_J) << out.dump();
}

TEST(CpuSharing, JobsUnderAndOverTheCoreCountEndAsSimGridsCpuModelSays) {
  std::vector<Job> jobs;
  for (int i = 0; i < 30; ++i) {  // up to ~12 at once on 4 cores, sizes and starts without a pattern
    jobs.push_back({0.07 * ((i * 31) % 19), 0.1 * (1 + (i * 7919) % 11), kNever});
  }
  expect_same_as_simgrid(jobs, 4);
}

TEST(CpuSharing, CancelledJobsLeaveTheCoresAtOnce) {
  // Six 1 s jobs on 2 cores, two cancelled at 0.3 and 0.9: the other four
  // end when SimGrid's Execs do (each gets 2/n of a core meanwhile).
  std::vector<Job> jobs{{0, 1, kNever}, {0, 1, 0.3}, {0, 1, kNever}, {0.2, 1, 0.9}, {0.2, 1, kNever}, {0.5, 2, kNever}};
  expect_same_as_simgrid(jobs, 2);
}

TEST(CpuSharing, OneJobAloneRunsOnOneCore) {
  // 8 cores, one 1.5 s job: one core, not all of them (as a SimGrid Exec).
  nlohmann::json out = run_both({{0, 1.5, kNever}}, 8);
  ASSERT_TRUE(out.contains("model_J")) << out.dump();
  EXPECT_NEAR(out["model"][0].get<double>(), 1.5, 1e-12) << out.dump();
  // Load 1/8 for 1.5 s: 80 + (200 - 80) / 8 W.
  EXPECT_NEAR(out["model_J"].get<double>(), 1.5 * (80 + 120.0 / 8), 1e-9) << out.dump();
}

/// Runs `actors` on host a (2 cores, a CpuModel whose sends cost one
/// cycle a byte at 1 GHz: a message of B bytes is B ns of a lane) beside a
/// host b; returns what they put in the result.
using LaneActors = std::function<void(sg4::Host* a, sg4::Host* b, models::CpuModel& cpu, nlohmann::json& result)>;
nlohmann::json run_on_two_cores(const LaneActors& actors) {
  return in_child([&] {
    QuietEngine simulation("cpu-sharing-test");
    auto* zone = sg4::create_full_zone("world");
    sg4::Host* a = zone->create_host("a", models::kFlopsPerCpuSecond)->set_core_count(2)->seal();
    sg4::Host* b = zone->create_host("b", models::kFlopsPerCpuSecond)->seal();
    zone->seal();
    models::CpuSpec spec;
    spec.cores = 2;
    spec.stack.clock_Hz = 1e9;
    spec.stack.send_cycles_per_byte = 1;
    spec.stack.message_cycles = 0;
    models::CpuModel cpu(a, spec);
    nlohmann::json result;
    actors(a, b, cpu, result);
    simulation.run();
    return result;
  });
}

TEST(CpuSharing, SerialLanePiecesRunOneAfterTheOtherBesideOtherJobs) {
  // Two cores; a 1 s job from 0 and three 0.5 s pieces on one lane: the
  // lane uses one core, so its pieces end at 0.5, 1.0 and 1.5 s while the
  // job has the other core (ends at 1 s).
  nlohmann::json out = run_on_two_cores([](sg4::Host* a, sg4::Host* b, models::CpuModel& cpu, nlohmann::json& result) {
    result["pieces"] = nlohmann::json::array();
    sg4::Actor::create("job", a, [&cpu, &result] {
      cpu.work_async(1.0)->wait();
      result["job_s"] = sg4::Engine::get_clock();
    });
    sg4::Actor::create("sender", a, [&cpu, &result, b] {
      std::vector<models::LanePiecePtr> pieces;
      for (int i = 0; i < 3; ++i) pieces.push_back(cpu.message_work(b, 0.5e9, models::StackSide::send));
      for (auto& piece : pieces) {
        piece->wait();
        result["pieces"].push_back(sg4::Engine::get_clock());
      }
    });
  });
  ASSERT_EQ(out["pieces"].size(), 3U) << out.dump();
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out["pieces"][i].get<double>(), 0.5 * (i + 1), 1e-9) << out.dump();
  EXPECT_NEAR(out["job_s"].get<double>(), 1.0, 1e-9) << out.dump();
}

TEST(CpuSharing, LanePieceWakesEveryWaiterAtItsEndAndNoneAfter) {
  // One 1 s piece: two actors wait for it from the start and wake at 1 s;
  // a third looks at 2 s (it ran) and goes on at once.
  auto piece = std::make_shared<models::LanePiecePtr>();
  nlohmann::json out = run_on_two_cores([piece](sg4::Host* a, sg4::Host* b, models::CpuModel& cpu, nlohmann::json& result) {
    result["woke"] = nlohmann::json::array();
    sg4::Actor::create("sender", a, [&cpu, b, piece] { *piece = cpu.message_work(b, 1e9, models::StackSide::send); });
    for (double look_s : {0.0, 0.0, 2.0}) {
      sg4::Actor::create("waiter", a, [&result, piece, look_s] {
        sg4::this_actor::sleep_until(look_s);
        sg4::this_actor::yield();  // the sender queued the piece first
        (*piece)->wait();
        result["woke"].push_back(sg4::Engine::get_clock());
      });
    }
  });
  ASSERT_EQ(out["woke"].size(), 3U) << out.dump();
  EXPECT_NEAR(out["woke"][0].get<double>(), 1.0, 1e-9) << out.dump();
  EXPECT_NEAR(out["woke"][1].get<double>(), 1.0, 1e-9) << out.dump();
  EXPECT_NEAR(out["woke"][2].get<double>(), 2.0, 1e-9) << out.dump();
}

}  // namespace
}  // namespace offload::testing
