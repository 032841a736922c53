// A streamed stage's wire (models/stream_wire.hpp) delivers each chunk when
// the chunk's own comm would have ended (one comm per chunk, started at the
// same time, with the same cross traffic on the links: the chunked model's
// wire), including chunks that start while others move data, after the
// wire went idle, and under LV08 and CM02, with the chunks of two stages
// sharing the route's flow; a link of the route that goes down fails the
// chunks in flight at that instant, as it fails their comms; a stage
// cancelled alone stops its chunks at that instant (as cancelled comms)
// and the other stage's chunks end as if those comms had been cancelled.
// The chunks are begun and followed from the kernel (StreamWire::follow,
// no actor: a streamed request's way, models/host_stream.hpp).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "models/kernel_timer.hpp"
#include "models/network.hpp"
#include "models/stream_wire.hpp"
#include "tests/sim/cross_traffic_platform.hpp"
#include "tests/sim/simulate.hpp"

// Not in the sanitizer build: these runs end with the network's inbox
// daemons killed by SimGrid (an exception thrown on an actor stack that
// SimGrid, not built with ASan, switched to), where ASan warns that it
// ignores __asan_handle_no_return and then reports a stack-buffer-overflow
// in its own sigaltstack call ("False positive error reports may follow").
// The stage's wire still runs under the sanitizers in sim_stream_equivalence.
#if !defined(__SANITIZE_ADDRESS__)
namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

struct Chunk {
  double start_s;
  double bytes;
};

const std::vector<Chunk> kChunks{{0, 30e6}, {0, 20e6}, {0.05, 25e6}, {0.06, 10e6}, {0.3, 15e6}, {0.3001, 5e6}};
constexpr double kNoOutage = std::numeric_limits<double>::infinity();

/// How a chunk moves: its own comm, or through its stage's wire, followed
/// from the kernel.
enum class Way { comm, followed };

/// Each chunk A -> B as its own comm or through the StreamWire of its
/// stage (chunk i in stage i % 2, both on the route A -> B), beside cross
/// traffic C -> B and B -> A; the link `core` goes down at `down_s`; stage
/// 1 is cancelled at `cancel_s` (its comms in flight then, when chunked).
/// Returns each chunk's end, or -(the time it failed).
nlohmann::json run(const std::string& model, Way way, double down_s = kNoOutage, double cancel_s = kNoOutage) {
  bool wire = way != Way::comm;
  return in_child([&] {
    QuietEngine simulation("stream-wire-test");
    if (model == "CM02") {
      sg4::Engine::set_config("network/model:CM02");
      sg4::Engine::set_config("network/crosstraffic:0");
    }
    auto platform = CrossTrafficPlatform::build(50e-6);
    sg4::Host* a = platform.a;
    sg4::Host* b = platform.b;
    sg4::Host* x = platform.c;
    models::Network network;
    network.add_route(a, b, {"la", "core", "lb"}, {true, true, false});
    network.add_route(x, b, {"lc", "core", "lb"}, {true, true, false});
    network.open_endpoints();
    double total = 0;
    for (const Chunk& c : kChunks) total += c.bytes;
    models::StreamWire stage0(network, a, b, total);
    models::StreamWire stage1(network, a, b, total);
    std::vector<sg4::CommPtr> comms(kChunks.size());
    nlohmann::json result{{"ends", nlohmann::json::array()}};
    // Followed chunks have no actor: one keeps the simulation (and the
    // route's helper, a daemon) alive well past every chunk's end.
    if (wire) sg4::Actor::create("keeper", a, [] { sg4::this_actor::sleep_until(10); });
    for (std::size_t i = 0; i < kChunks.size(); ++i) {
      result["ends"].push_back(nullptr);
      if (wire) {
        models::at_time(kChunks[i].start_s, [&, i] {
          models::StreamWire& stage = i % 2 == 0 ? stage0 : stage1;
          auto ticket = stage.begin(kChunks[i].bytes);
          stage.follow(ticket, [&result, ticket, i] {
            result["ends"][i] = ticket->arrived ? sg4::Engine::get_clock() : -sg4::Engine::get_clock();
          });
        });
        continue;
      }
      sg4::Actor::create("chunk", a, [&, i] {
        sg4::this_actor::sleep_until(kChunks[i].start_s);
        if (i % 2 == 1 && sg4::Engine::get_clock() >= cancel_s) {  // its stage was cancelled: not sent
          result["ends"][i] = -sg4::Engine::get_clock();
          return;
        }
        try {
          comms[i] = network.start_flow(a, b, kChunks[i].bytes);
          comms[i]->wait();
          result["ends"][i] = sg4::Engine::get_clock();
        } catch (const simgrid::Exception&) {
          result["ends"][i] = -sg4::Engine::get_clock();
        }
      });
    }
    auto cross = [&](sg4::Host* from, sg4::Host* to, double bytes, double start_s) {
      sg4::Actor::create("cross", from, [from, to, bytes, start_s] {
        sg4::this_actor::sleep_until(start_s);
        try {
          sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(bytes))->wait();
        } catch (const simgrid::Exception&) {
        }
      });
    };
    cross(x, b, 30e6, 0);
    cross(x, b, 10e6, 0.07);
    cross(b, a, 20e6, 0.02);
    if (cancel_s != kNoOutage) {
      sg4::Actor::create("canceller", a, [&] {
        sg4::this_actor::sleep_until(cancel_s);
        if (wire) {
          stage1.cancel();
          return;
        }
        for (std::size_t i = 1; i < comms.size(); i += 2) {
          if (comms[i] && comms[i]->get_state() == sg4::Activity::State::STARTED) comms[i]->cancel();
        }
      });
    }
    if (down_s != kNoOutage) {
      sg4::Actor::create("outage", x, [core = platform.core, down_s] {
        sg4::this_actor::sleep_until(down_s);
        core->turn_off();
        sg4::this_actor::sleep_for(0.05);
        core->turn_on();
      });
    }
    simulation.run();
    result["link_bytes"] = network.link_bytes().at("core");
    return result;
  });
}

void expect_same_ends(const std::string& model, double down_s = kNoOutage, double cancel_s = kNoOutage,
                      Way way = Way::followed) {
  nlohmann::json chunked = run(model, Way::comm, down_s, cancel_s);
  nlohmann::json streamed = run(model, way, down_s, cancel_s);
  ASSERT_FALSE(chunked.contains("error")) << chunked.dump();
  ASSERT_FALSE(streamed.contains("error")) << streamed.dump();
  for (std::size_t i = 0; i < kChunks.size(); ++i) {
    ASSERT_FALSE(chunked["ends"][i].is_null()) << "chunk " << i << " never ended (comms)";
    ASSERT_FALSE(streamed["ends"][i].is_null()) << "chunk " << i << " never ended (wire)";
    double want = chunked["ends"][i], got = streamed["ends"][i];
    if (down_s != kNoOutage && want < 0) {  // failed with the link: the wire's chunk too, at that instant
      EXPECT_DOUBLE_EQ(got, want) << "chunk " << i << " (negative: failed at)";
      continue;
    }
    if (down_s != kNoOutage && want > down_s) continue;  // began after the outage: the wire stays broken (by design)
    if (i % 2 == 1 && want < 0) {  // cancelled in flight: the wire's chunk stops then too
      EXPECT_DOUBLE_EQ(got, want) << "chunk " << i << " (negative: cancelled at)";
      continue;
    }
    EXPECT_NEAR(got, want, 1e-9) << "end of chunk " << i;
  }
  EXPECT_DOUBLE_EQ(streamed["link_bytes"].get<double>(), chunked["link_bytes"].get<double>());
}

TEST(StreamWire, ChunksEndWhenTheirOwnCommsWouldUnderLv08) { expect_same_ends("LV08"); }

TEST(StreamWire, ChunksEndWhenTheirOwnCommsWouldUnderCm02) { expect_same_ends("CM02"); }

TEST(StreamWire, AStageCancelledAloneLeavesTheOtherStagesChunksOnTime) {
  nlohmann::json streamed = run("LV08", Way::followed, kNoOutage, 0.08);
  ASSERT_FALSE(streamed.contains("error")) << streamed.dump();
  int cancelled = 0;
  for (std::size_t i = 1; i < kChunks.size(); i += 2) cancelled += streamed["ends"][i].get<double>() < 0 ? 1 : 0;
  EXPECT_GT(cancelled, 0) << streamed.dump();
  for (std::size_t i = 0; i < kChunks.size(); i += 2) EXPECT_GT(streamed["ends"][i].get<double>(), 0) << streamed.dump();
  expect_same_ends("LV08", kNoOutage, 0.08);
}

TEST(StreamWire, ALinkDownFailsTheChunksInFlightAtOnce) {
  nlohmann::json streamed = run("LV08", Way::followed, 0.12);
  ASSERT_FALSE(streamed.contains("error")) << streamed.dump();
  int failed = 0;
  for (const auto& end : streamed["ends"]) failed += end.get<double>() < 0 ? 1 : 0;
  EXPECT_GT(failed, 0) << streamed.dump();
  expect_same_ends("LV08", 0.12);
}

}  // namespace
}  // namespace offload::testing
#endif  // !__SANITIZE_ADDRESS__
