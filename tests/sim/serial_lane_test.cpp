// Serial lanes (models/serial_lane.hpp, CpuModel::message_work): the stack
// work of one connection runs one piece after the other, also when several
// actors send on a connection that has no lane yet (making a lane yields the
// actor: each simulation in a forked child).
#include <gtest/gtest.h>

#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

/// `senders` actors on one host queue a message to the same peer at time 0
/// and wait for its stack work; returns the simulated end of each.
nlohmann::json lane_ends(int senders, const models::CpuSpec& spec, double bytes) {
  return in_child([&] {
    QuietEngine simulation("serial-lane-test");
    auto* zone = sg4::create_full_zone("world");
    sg4::Host* a = zone->create_host("a", models::kFlopsPerCpuSecond)->set_core_count(spec.cores)->seal();
    sg4::Host* b = zone->create_host("b", models::kFlopsPerCpuSecond)->seal();
    zone->seal();
    models::CpuModel cpu(a, spec);
    nlohmann::json ends = nlohmann::json::array();
    for (int i = 0; i < senders; ++i) {
      sg4::Actor::create("sender", a, [&] {
        cpu.message_work(b, bytes, models::StackSide::send)->wait();
        ends.push_back(sg4::Engine::get_clock());
      });
    }
    simulation.run();
    return nlohmann::json{{"ends", ends}, {"piece_s", cpu.stack_cost_s(bytes, models::StackSide::send)},
                          {"lane_s", cpu.busiest_lane_s()}};
  });
}

TEST(SerialLane, MessagesOfOneConnectionRunOneAfterTheOtherFromTheFirst) {
  models::CpuSpec spec;
  spec.cores = 8;  // cores to spare: only the lane makes the pieces wait for each other
  nlohmann::json out = lane_ends(3, spec, 1e6);
  ASSERT_EQ(out["ends"].size(), 3U) << out.dump();
  double piece = out["piece_s"].get<double>();
  ASSERT_GT(piece, 0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out["ends"][i].get<double>(), (i + 1) * piece, 1e-9) << out.dump();
  EXPECT_NEAR(out["lane_s"].get<double>(), 3 * piece, 1e-12) << out.dump();  // one lane carried all three
}

}  // namespace
}  // namespace offload::testing
