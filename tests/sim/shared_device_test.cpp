// The disk's processor sharing in virtual time (models/shared_device.hpp):
// I/Os of different sizes and directions started at different times end
// when processor sharing says (a reference that steps the remaining work
// of each job from event to event, independent of the virtual clock); a
// cancelled I/O, or one whose actor ended, leaves the sharing at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <vector>

#include <simgrid/s4u.hpp>

#include "models/disk.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

struct Job {
  double start_s;    // simulated time it is admitted
  double bytes;
  models::DiskOp op;
  double cancel_s;   // simulated time its actor cancels it (infinity: never)
};

constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr double kReadBps = 200e6;
constexpr double kWriteBps = 100e6;

double demand_s(const Job& job) { return job.bytes / (job.op == models::DiskOp::read ? kReadBps : kWriteBps); }

/// End of each job under processor sharing (kNever for a cancelled one):
/// between two events every job in service gets 1/n of the device.
std::vector<double> reference_ends(const std::vector<Job>& jobs) {
  std::vector<double> left(jobs.size()), ends(jobs.size(), kNever);
  std::vector<bool> in(jobs.size(), false), out(jobs.size(), false);
  for (std::size_t i = 0; i < jobs.size(); ++i) left[i] = demand_s(jobs[i]);
  double now = 0;
  for (;;) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) n += in[i] ? 1 : 0;
    double next = kNever;  // the next admission, cancel or end
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (out[i]) continue;
      if (!in[i]) next = std::min(next, jobs[i].start_s);
      else next = std::min({next, jobs[i].cancel_s, now + left[i] * static_cast<double>(n)});
    }
    if (next == kNever) return ends;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (in[i]) left[i] -= (next - now) / static_cast<double>(n);
    now = next;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (out[i]) continue;
      if (in[i] && left[i] <= 1e-12) {
        ends[i] = now;
        in[i] = false;
        out[i] = true;
      } else if (in[i] && jobs[i].cancel_s <= now) {
        in[i] = false;
        out[i] = true;
      } else if (!in[i] && jobs[i].start_s <= now) {
        in[i] = true;
      }
    }
  }
}

/// Runs `jobs` on one DiskModel, one actor each; returns each one's end
/// (null if cancelled) and the simulated time the simulation ended.
/// In a child process: one host "filer" with one disk "d" (kReadBps,
/// kWriteBps); `actors` creates the actors, then the simulation runs and
/// `result` (as `actors` and the actors left it) is returned.
using DiskActors = std::function<void(sg4::Host* host, models::DiskModel& disk, nlohmann::json& result)>;
nlohmann::json run_with_disk(const DiskActors& actors) {
  return in_child([&] {
    QuietEngine simulation("shared-device-test");
    auto* zone = sg4::create_full_zone("world");
    sg4::Host* host = zone->create_host("filer", 1e9)->seal();
    models::DiskSpec spec;
    spec.read_Bps = kReadBps;
    spec.write_Bps = kWriteBps;
    models::DiskModel disk(host, "d", spec);
    zone->seal();
    nlohmann::json result;
    actors(host, disk, result);
    simulation.run();
    result["clock"] = sg4::Engine::get_clock();
    result["read"] = disk.read_bytes();
    result["written"] = disk.write_bytes();
    return result;
  });
}

nlohmann::json simulate_ends(const std::vector<Job>& jobs) {
  return run_with_disk([&](sg4::Host* host, models::DiskModel& disk, nlohmann::json& result) {
    result["ends"] = nlohmann::json::array();
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      result["ends"].push_back(nullptr);
      sg4::Actor::create("io", host, [&, i] {
        const Job& job = jobs[i];
        sg4::this_actor::sleep_until(job.start_s);
        auto io = disk.start(job.bytes, job.op);
        if (job.cancel_s == kNever) {
          io->wait();
          result["ends"][i] = sg4::Engine::get_clock();
        } else if (job.cancel_s > job.start_s) {
          sg4::this_actor::sleep_until(job.cancel_s);
          io->cancel();
        }  // else: the actor ends at once, its I/O with it
      });
    }
  });
}

void expect_processor_sharing(const std::vector<Job>& jobs) {
  nlohmann::json out = simulate_ends(jobs);
  ASSERT_TRUE(out.contains("ends")) << out.dump();
  std::vector<double> want = reference_ends(jobs);
  double last = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (want[i] == kNever) {
      EXPECT_TRUE(out["ends"][i].is_null()) << i << " " << out.dump();
      continue;
    }
    ASSERT_FALSE(out["ends"][i].is_null()) << i << " " << out.dump();
    EXPECT_NEAR(out["ends"][i].get<double>(), want[i], 1e-9 * want[i]) << i << " " << out.dump();
    last = std::max(last, want[i]);
  }
  // Nothing left in the sharing keeps the simulation going after the last end.
  EXPECT_NEAR(out["clock"].get<double>(), std::max(last, jobs.back().start_s), 1e-9) << out.dump();
}

TEST(SharedDevice, TwoJobsOneStartedLaterEndWhenProcessorSharingSays) {
  // 1 s of reading at 0 and 0.5: alone until 0.5, halves after: 1.5 and 2.
  std::vector<Job> jobs{{0, kReadBps, models::DiskOp::read, kNever}, {0.5, kReadBps, models::DiskOp::read, kNever}};
  ASSERT_NEAR(reference_ends(jobs)[0], 1.5, 1e-12);
  ASSERT_NEAR(reference_ends(jobs)[1], 2.0, 1e-12);
  expect_processor_sharing(jobs);
}

TEST(SharedDevice, ReadsAndWritesOfDifferentSizesAtDifferentTimes) {
  std::vector<Job> jobs;
  for (int i = 0; i < 40; ++i) {  // sizes and start times spread without a pattern the order could hide in
    double bytes = (1 + (i * 7919) % 13) * 16e6;
    auto op = i % 3 == 0 ? models::DiskOp::write : models::DiskOp::read;
    jobs.push_back({0.05 * ((i * 31) % 17), bytes, op, kNever});
  }
  expect_processor_sharing(jobs);
}

TEST(SharedDevice, CancelledJobLeavesTheSharingAtOnce) {
  // 2, 1 and 1 s at 0; the third cancelled at 0.3: the second ends at 2.1
  // and the first at 3.1 (not 3 and 4 as without the cancel).
  std::vector<Job> jobs{{0, 2 * kReadBps, models::DiskOp::read, kNever},
                        {0, kWriteBps, models::DiskOp::write, kNever},
                        {0, kReadBps, models::DiskOp::read, 0.3}};
  ASSERT_NEAR(reference_ends(jobs)[1], 2.1, 1e-12);
  ASSERT_NEAR(reference_ends(jobs)[0], 3.1, 1e-12);
  expect_processor_sharing(jobs);
}

TEST(SharedDevice, JobOfAnEndedActorLeavesTheSharing) {
  // As SimGrid cancels the Execs of an actor that ends: the second job has the disk to itself.
  std::vector<Job> jobs{{0, kReadBps, models::DiskOp::read, 0}, {0, kReadBps, models::DiskOp::read, kNever}};
  expect_processor_sharing(jobs);
  nlohmann::json out = simulate_ends(jobs);
  EXPECT_NEAR(out["ends"][1].get<double>(), 1.0, 1e-12) << out.dump();
  EXPECT_DOUBLE_EQ(out["read"].get<double>(), 2 * kReadBps) << out.dump();  // accounting counts both, as before
}

TEST(SharedDevice, DroppedHandleStillSharesUntilItsEnd) {
  // As an Exec whose last reference goes (SimGrid 3.32 does not cancel it):
  // a 1 s read dropped at once by an actor that lives on halves the device
  // for another 1 s read until both end at 2 s.
  nlohmann::json out = run_with_disk([](sg4::Host* host, models::DiskModel& disk, nlohmann::json& result) {
    sg4::Actor::create("dropper", host, [&] {
      disk.start(kReadBps, models::DiskOp::read);  // the handle goes at once
      sg4::this_actor::sleep_for(5);
    });
    sg4::Actor::create("waiter", host, [&] {
      disk.start(kReadBps, models::DiskOp::read)->wait();
      result["end_s"] = sg4::Engine::get_clock();
    });
  });
  ASSERT_TRUE(out.contains("end_s")) << out.dump();
  EXPECT_NEAR(out["end_s"].get<double>(), 2.0, 1e-12) << out.dump();
}

TEST(SharedDevice, HandleWaitsAmongOtherActivities) {
  nlohmann::json out = run_with_disk([](sg4::Host* host, models::DiskModel& disk, nlohmann::json& result) {
    sg4::Actor::create("waiter", host, [&] {
      auto io = disk.start(kReadBps, models::DiskOp::read);        // 1 s of the device
      sg4::ExecPtr exec = sg4::this_actor::exec_init(2e9)->start();  // 2 s of the host's CPU
      std::vector<sg4::ActivityPtr> both{exec, io};
      result["first"] = sg4::Activity::wait_any_for(both, -1);
      result["first_s"] = sg4::Engine::get_clock();
      result["tested"] = io->test();
      exec->wait();
      result["second_s"] = sg4::Engine::get_clock();
    });
  });
  ASSERT_TRUE(out.contains("first")) << out.dump();
  EXPECT_EQ(out["first"].get<int>(), 1) << out.dump();
  EXPECT_NEAR(out["first_s"].get<double>(), 1.0, 1e-12) << out.dump();
  EXPECT_TRUE(out["tested"].get<bool>()) << out.dump();
  EXPECT_NEAR(out["second_s"].get<double>(), 2.0, 1e-12) << out.dump();
}

}  // namespace
}  // namespace offload::testing
