// A weighted flow (models/weighted_flow.hpp) standing for k transfers takes
// what k separate comms on its route take: the same bytes moved at each
// instant and the same end for every other flow sharing its links, under
// LV08 (cross-traffic on the reverse route, RTT-weighted sharing) and CM02,
// with TCP's window bounding the flows on a long link, with k changed while
// it runs (a transfer that joins after its latency, one that leaves), and
// held at k = 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "models/weighted_flow.hpp"
#include "tests/sim/cross_traffic_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;

/// A change of the transfers A -> B stands for: at `at_s`, `delta` of them
/// join (each pays the route's latency first) or leave.
struct Change {
  double at_s;
  int delta;
};

struct Case {
  std::string model;        // LV08 or CM02
  double latency_s;         // of the A-side link
  int streams;              // transfers A -> B at the start
  std::vector<Change> changes;
};

constexpr double kBytes = 40e6;  // per transfer of the reference; the weighted flow carries their sum
const std::vector<double> kSamples_s{0.01, 0.05, 0.1, 0.2, 0.3, 0.4};

/// Runs A -> B as separate comms (`weighted` false) or one weighted flow,
/// beside cross traffic: C -> B over the shared core and B's link, and
/// B -> A over A's link the other way. Returns the bytes A -> B moved at
/// each sample and the end of each cross flow.
nlohmann::json run(const Case& c, bool weighted) {
  return in_child([&] {
    QuietEngine simulation("weighted-flow-test");
    if (c.model == "CM02") {
      sg4::Engine::set_config("network/model:CM02");
      sg4::Engine::set_config("network/crosstraffic:0");
    }
    auto platform = CrossTrafficPlatform::build(c.latency_s);
    sg4::Host* a = platform.a;
    sg4::Host* b = platform.b;
    sg4::Host* x = platform.c;
    nlohmann::json result{{"moved", nlohmann::json::array()}, {"cross", nlohmann::json::array()}};
    auto cross = [&](sg4::Host* from, sg4::Host* to, double bytes, double start_s, int index) {
      result["cross"].push_back(nullptr);
      sg4::Actor::create("cross", from, [&, from, to, bytes, start_s, index] {
        sg4::this_actor::sleep_until(start_s);
        sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(bytes))->wait();
        result["cross"][index] = sg4::Engine::get_clock();
      });
    };
    cross(x, b, 30e6, 0, 0);
    cross(x, b, 10e6, 0.07, 1);
    cross(b, a, 20e6, 0.02, 2);
    sg4::Actor::create("flows", a, [&] {
      std::vector<sg4::CommPtr> comms;     // the reference's transfers
      std::vector<double> left_at_cancel;  // bytes of the cancelled ones when they left
      std::unique_ptr<models::WeightedFlow> flow;
      int streams = c.streams;
      int total = c.streams;
      for (const Change& change : c.changes) total += std::max(change.delta, 0);
      if (weighted) {
        flow = std::make_unique<models::WeightedFlow>(a, b, kBytes * total);
        flow->set_streams(streams);  // applied once its latency passed:
        sg4::this_actor::sleep_until(flow->data_start_s());
        flow->set_streams(streams);
      } else {
        for (int i = 0; i < streams; ++i) comms.push_back(sg4::Comm::sendto_async(a, b, kBytes));
      }
      auto moved = [&] {
        if (weighted) return flow->moved();
        double sum = 0;
        for (auto& comm : comms) sum += kBytes - comm->get_remaining();
        for (double left : left_at_cancel) sum += kBytes - left;
        return sum;
      };
      // In time order: each change (a joining transfer of the weighted flow
      // counts once its latency passed), then each sample.
      std::vector<std::pair<double, int>> events;  // time, change index (-1: a sample)
      for (std::size_t i = 0; i < c.changes.size(); ++i) {
        double at = c.changes[i].at_s + (weighted && c.changes[i].delta > 0 ? flow->latency_s() : 0);
        events.emplace_back(at, static_cast<int>(i));
      }
      for (double sample : kSamples_s) events.emplace_back(sample, -1);
      std::stable_sort(events.begin(), events.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (const auto& [at, index] : events) {
        sg4::this_actor::sleep_until(at);
        if (index < 0) {
          result["moved"].push_back(moved());
          continue;
        }
        int delta = c.changes[static_cast<std::size_t>(index)].delta;
        if (weighted) {
          flow->set_streams(streams += delta);
        } else if (delta > 0) {
          for (int i = 0; i < delta; ++i) comms.push_back(sg4::Comm::sendto_async(a, b, kBytes));
        } else {
          for (int i = 0; i < -delta; ++i) {
            left_at_cancel.push_back(comms.back()->get_remaining());
            comms.back()->cancel();
            comms.pop_back();
          }
        }
      }
      if (weighted) flow->comm()->cancel();
      for (auto& comm : comms) comm->cancel();
    });
    simulation.run();
    return result;
  });
}

void expect_same(const Case& c) {
  nlohmann::json reference = run(c, false);
  nlohmann::json weighted = run(c, true);
  ASSERT_FALSE(reference.contains("error")) << reference.dump();
  ASSERT_FALSE(weighted.contains("error")) << weighted.dump();
  ASSERT_EQ(reference["moved"].size(), kSamples_s.size());
  for (std::size_t i = 0; i < kSamples_s.size(); ++i) {
    double want = reference["moved"][i], got = weighted["moved"][i];
    EXPECT_NEAR(got, want, 1e-6 * want + 1) << "bytes moved A -> B at " << kSamples_s[i] << " s";
  }
  for (std::size_t i = 0; i < reference["cross"].size(); ++i) {
    ASSERT_FALSE(reference["cross"][i].is_null()) << "cross flow " << i << " did not end";
    EXPECT_NEAR(weighted["cross"][i].get<double>(), reference["cross"][i].get<double>(), 1e-9)
        << "end of cross flow " << i;
  }
}

TEST(WeightedFlow, StandsForKTransfersUnderLv08) { expect_same({"LV08", 50e-6, 3, {}}); }

TEST(WeightedFlow, StandsForKTransfersUnderCm02) { expect_same({"CM02", 50e-6, 3, {}}); }

// 50 ms: TCP's window (4 MiB / 2 x 50 ms = 42 MB/s) bounds each of the two below
// A's link (125 MB/s); CM02, whose latency factor is 1, so data moves from 50 ms.
TEST(WeightedFlow, TcpWindowBoundScalesWithK) { expect_same({"CM02", 50e-3, 2, {{0.1, +1}}}); }

TEST(WeightedFlow, TransfersJoinAndLeaveWhileItRuns) {
  expect_same({"LV08", 50e-6, 2, {{0.03, +2}, {0.12, -3}, {0.25, +1}}});
}

TEST(WeightedFlow, HeldAtZeroMovesNothingOfNote) {
  Case c{"LV08", 50e-6, 1, {{0.05, -1}}};
  nlohmann::json weighted = run(c, true);
  ASSERT_FALSE(weighted.contains("error")) << weighted.dump();
  double at_hold = weighted["moved"][1];  // sample at 0.05 s, when it was held
  double last = weighted["moved"][kSamples_s.size() - 1];
  EXPECT_GT(at_hold, 1e6);
  EXPECT_LE(last - at_hold, models::WeightedFlow::kHeldRate * 0.4 + 1);
  expect_same(c);
}

}  // namespace
}  // namespace offload::testing
