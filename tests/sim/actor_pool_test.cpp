// ActorPool::end_idle_actors (models/actor_pool.hpp): once the work is done,
// idle pooled actors end before the simulation does, a busy one after its
// task, and a task submitted afterwards still runs (each simulation in a
// forked child).
#include <gtest/gtest.h>

#include <simgrid/s4u.hpp>

#include "models/actor_pool.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

TEST(ActorPool, EndIdleActorsEndsIdleOnesAtOnceAndBusyOnesAfterTheirTask) {
  nlohmann::json out = in_child([] {
    QuietEngine simulation("actor-pool-test");
    auto* zone = sg4::create_full_zone("world");
    sg4::Host* host = zone->create_host("h", 1e9)->seal();
    zone->seal();
    models::ActorPool pool(host, "worker");
    nlohmann::json out;
    double late_task_ran_at = -1;
    sg4::Actor::create("client", host, [&] {
      for (int i = 0; i < 3; ++i) pool.submit([] { sg4::this_actor::sleep_for(1); });
      pool.submit([] { sg4::this_actor::sleep_for(5); });  // still busy when the work is declared done
      sg4::this_actor::sleep_for(2);
      std::size_t before = sg4::Engine::get_instance()->get_actor_count();
      models::ActorPool::end_idle_actors();
      out["actors_before"] = before;
      out["actors_after"] = sg4::Engine::get_instance()->get_actor_count();
      out["ended_at"] = sg4::Engine::get_clock();
      pool.submit([&] {
        sg4::this_actor::sleep_for(1);
        late_task_ran_at = sg4::Engine::get_clock();
      });
      sg4::this_actor::sleep_for(4);  // past the busy task's end
      out["actors_at_end"] = sg4::Engine::get_instance()->get_actor_count();
    });
    simulation.run();
    out["late_task_ran_at"] = late_task_ran_at;
    out["pool_size"] = pool.size();
    return out;
  });
  // client + 4 workers, 3 of them idle at t = 2 s: they end in no simulated time.
  EXPECT_EQ(out["actors_before"].get<int>(), 5) << out.dump();
  EXPECT_EQ(out["actors_after"].get<int>(), 2) << out.dump();
  EXPECT_DOUBLE_EQ(out["ended_at"].get<double>(), 2.0) << out.dump();
  // The late task got an actor of its own, and it and the busy one ended after their tasks.
  EXPECT_DOUBLE_EQ(out["late_task_ran_at"].get<double>(), 3.0) << out.dump();
  EXPECT_EQ(out["pool_size"].get<int>(), 5) << out.dump();
  EXPECT_EQ(out["actors_at_end"].get<int>(), 1) << out.dump();
}

}  // namespace
}  // namespace offload::testing
