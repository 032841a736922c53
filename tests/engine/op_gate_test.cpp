// OpGate, the runtime seam's pause point: it lets the set number of
// operations through, holds the next ones until released, counts one kind
// when asked, re-arms without letting an operation slip past, and holds a
// RealRuntime's operations before they run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/op_gate.hpp"
#include "engine/real_runtime.hpp"

namespace offload {
namespace {

// Only a hang reaches it.
constexpr std::chrono::seconds kBound{120};

// Runs `kinds` through the gate one after another on a thread, as a runtime
// worker does; at its end releases the gate (a failed test must not hang) and joins.
class GateWorker {
 public:
  GateWorker(OpGate& gate, std::vector<OpKind> kinds)
      : gate_(gate), thread_([&gate, kinds, this] {
          for (OpKind kind : kinds) {
            gate.enter(Op{.kind = kind});
            ++passed_;
          }
        }) {}
  ~GateWorker() {
    gate_.release();
    thread_.join();
  }
  std::size_t passed() const { return passed_; }

 private:
  OpGate& gate_;
  std::atomic<std::size_t> passed_{0};
  std::thread thread_;
};

TEST(OpGate, HoldsAfterTheSetNumberUntilReleased) {
  OpGate gate(HoldPoint{.ops_before = 2});
  {
    GateWorker worker(gate, {OpKind::map_data, OpKind::read, OpKind::write, OpKind::read, OpKind::write});
    ASSERT_TRUE(gate.wait_held(kBound));
    EXPECT_EQ(worker.passed(), 2U);
    EXPECT_EQ(gate.held(), 1U);
    EXPECT_EQ(gate.held_kind(), OpKind::write);
    gate.release(HoldPoint{.ops_before = 1});  // the held write and a read go, the next write waits
    ASSERT_TRUE(gate.wait_held(kBound));
    EXPECT_EQ(worker.passed(), 4U);
  }  // releases and joins: every operation passed
  EXPECT_EQ(gate.held(), 0U);
}

TEST(OpGate, CountsOnlyTheKindAskedFor) {
  OpGate gate(HoldPoint{.ops_before = 0, .kind = OpKind::finish});
  GateWorker worker(gate, {OpKind::map_data, OpKind::read, OpKind::write, OpKind::finish});
  ASSERT_TRUE(gate.wait_held(kBound));
  EXPECT_EQ(worker.passed(), 3U);
  EXPECT_EQ(gate.held_kind(), OpKind::finish);
  gate.release();
}

TEST(OpGate, WaitEndsWhenTheGateOpensWithoutAHold) {
  OpGate open_gate;
  EXPECT_FALSE(open_gate.wait_held(kBound));  // not armed: nothing to wait for
  OpGate gate(HoldPoint{.ops_before = 100});
  std::thread opener([&gate] { gate.release(); });
  EXPECT_FALSE(gate.wait_held(kBound));  // ends at the release, long before the bound
  opener.join();
}

// A target that counts the operations it ran.
class CountingTarget final : public CopyTarget {
 public:
  const TargetInfo& info() const override { return info_; }
  OpResult map_data(ByteRange) override { return ran(); }
  OpResult read(const Op&) override { return ran(); }
  OpResult write(const Op&) override { return ran(); }
  OpResult zero_range(const Op&) override { return ran(); }
  OpResult finish() override { return ran(); }
  OpResult abort() override { return ran(); }
  std::atomic<int> runs{0};

 private:
  OpResult ran() {
    ++runs;
    return {};
  }
  TargetInfo info_;
};

class CountingSink final : public CompletionSink {
 public:
  void on_complete(std::uint64_t, OpResult) override { ++completions; }
  std::atomic<int> completions{0};
};

TEST(OpGate, HoldsARealRuntimesOperationsBeforeTheyRun) {
  OpGate gate(HoldPoint{.ops_before = 2});
  CountingTarget target;
  CountingSink sink;
  {
    RealRuntime runtime(1);
    struct ReleaseFirst {  // before the runtime joins its workers, even after a failure
      OpGate& gate;
      ~ReleaseFirst() { gate.release(); }
    } release_first{gate};
    runtime.set_gate(&gate);
    runtime.bind(&sink);
    for (std::uint64_t id = 1; id <= 4; ++id) runtime.start(id, target, Op{.kind = OpKind::read});
    ASSERT_TRUE(gate.wait_held(kBound));
    EXPECT_EQ(target.runs, 2);  // the third waits at the gate, not in the target
    gate.release();
    TimeNs deadline = runtime.now_ns() + std::chrono::nanoseconds(kBound).count();
    EXPECT_TRUE(runtime.wait_until(deadline, [&sink] { return sink.completions == 4; }));
  }
  EXPECT_EQ(target.runs, 4);
}

}  // namespace
}  // namespace offload
