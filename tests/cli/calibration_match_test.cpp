// The wall-time matching step of `offload calibrate` (cli/calibration_match.hpp)
// against a closed-form stand-in for the simulator: each method's time is
// affine in its knob, with costs the knobs cannot move (open/finish
// operations, the host start-up), so the fixed-point updates must converge
// on the measured sums and leave the other methods alone.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/calibration_match.hpp"

namespace offload::cli {
namespace {

constexpr double kMiB = 1048576.0;
constexpr std::uint64_t kCloneChunk = 1ULL << 30, kCopyChunk = 64ULL << 20;
constexpr double kPerOp = 10e-6;  // CPU seconds per open/finish operation

double calls(std::uint64_t size, std::uint64_t chunk) { return std::ceil(static_cast<double>(size) / static_cast<double>(chunk)); }

// Seconds of one copy of `size` bytes with the constants in `fs`.
double closed_form(const FsConstants& fs, const std::string& method, std::uint64_t size) {
  double bytes = static_cast<double>(size), ops = 2 * kPerOp;
  if (method == "host") return fs.host_copy_start_s + (2 * bytes / fs.memcpy_Bps + ops) / fs.core_speed;
  if (method == "clone") return (ops + calls(size, kCloneChunk) * fs.clone_fixed_s) / fs.core_speed;
  if (fs.copy_range_reflinks) {
    double per_call = fs.remap_fixed_s >= 0 ? fs.remap_fixed_s : fs.clone_fixed_s;
    return (ops + calls(size, kCopyChunk) * per_call) / fs.core_speed;
  }
  return (ops + bytes / fs.kernel_copy_Bps) / fs.core_speed;
}

std::vector<CalibrationPoint> measured_with(const FsConstants& truth, const std::vector<std::string>& methods) {
  std::vector<CalibrationPoint> points;
  for (double mib : {16.0, 64.0, 256.0}) {
    auto size = static_cast<std::uint64_t>(mib * kMiB);
    for (const auto& method : methods) points.push_back({truth.fs, method, size, 1, closed_form(truth, method, size), 0, 3, {}});
  }
  return points;
}

SimulatedTimes simulate(const FsConstants& fs, const std::vector<CalibrationPoint>& points) {
  SimulatedTimes times;
  for (const auto& p : points) times[{p.method, p.size_bytes, p.queue_depth}] = closed_form(fs, p.method, p.size_bytes);
  return times;
}

TEST(CalibrationMatch, EachMethodReachesItsMeasuredTime) {
  FsConstants truth;
  truth.fs = "xfs";
  truth.reflink = truth.copy_range_reflinks = true;
  truth.memcpy_Bps = 4e9;
  truth.core_speed = 0.4;
  truth.host_copy_start_s = 0.01;
  truth.clone_fixed_s = 80e-6;
  truth.remap_fixed_s = 2e-3;  // copy_file_range's remap costs more than FICLONERANGE here
  auto points = measured_with(truth, {"host", "clone", "kernel-copy"});

  FsConstants guess = truth;  // the physical fit's guess: full speed, remap = clone
  guess.core_speed = 1;
  guess.clone_fixed_s = 10e-6;
  guess.remap_fixed_s = -1;
  SimulatedTimes last;
  MatchOutcome out = match_wall_times(points, guess, {kCloneChunk, kCopyChunk},
                                      [&](const FsConstants& fs) { return simulate(fs, points); }, last);
  EXPECT_NEAR(guess.core_speed / truth.core_speed, 1, 1e-3);
  EXPECT_NEAR(guess.clone_fixed_s / truth.clone_fixed_s, 1, 1e-3);
  EXPECT_NEAR(guess.remap_fixed_s / truth.remap_fixed_s, 1, 1e-3);
  ASSERT_EQ(out.ratio.size(), 3U);
  for (const auto& [what, ratio] : out.ratio) EXPECT_NEAR(ratio, 1, 1e-3) << what;
  EXPECT_FALSE(out.fitted_on_bound);
  // Each simulation is a run of the simulator: the default limits keep them few.
  EXPECT_LE(out.iterations, 40);
  for (const auto& p : points) EXPECT_NEAR(last.at({p.method, p.size_bytes, 1}) / p.seconds, 1, 1e-3) << p.method;
}

TEST(CalibrationMatch, KernelCopyRateMovesAloneOnExt4) {
  FsConstants truth;
  truth.fs = "ext4";
  truth.memcpy_Bps = 3e9;
  truth.kernel_copy_Bps = 0.5e9;  // the in-kernel copy waits on writeback: slower than its CPU rate says
  truth.core_speed = 0.8;
  auto points = measured_with(truth, {"host", "kernel-copy"});
  FsConstants guess = truth;
  guess.kernel_copy_Bps = 2e9;
  guess.core_speed = 1;
  SimulatedTimes last;
  match_wall_times(points, guess, {kCloneChunk, kCopyChunk}, [&](const FsConstants& fs) { return simulate(fs, points); },
                   last, 40, 1e-7);
  EXPECT_NEAR(guess.core_speed / truth.core_speed, 1, 1e-4);
  EXPECT_NEAR(guess.kernel_copy_Bps / truth.kernel_copy_Bps, 1, 1e-4);
  EXPECT_EQ(guess.memcpy_Bps, truth.memcpy_Bps);  // CPU constants are the CPU fit's, untouched
}

TEST(CalibrationMatch, SaysWhenAKnobHitsItsBound) {
  FsConstants truth;
  truth.fs = "btrfs";
  truth.reflink = true;
  truth.memcpy_Bps = 3e9;
  truth.clone_fixed_s = 0;
  auto points = measured_with(truth, {"host", "clone"});
  for (auto& p : points) if (p.method == "clone") p.seconds = kPerOp;  // faster than its own open + finish
  FsConstants guess = truth;
  guess.clone_fixed_s = 50e-6;
  SimulatedTimes last;
  MatchOutcome out = match_wall_times(points, guess, {kCloneChunk, kCopyChunk},
                                      [&](const FsConstants& fs) { return simulate(fs, points); }, last);
  EXPECT_EQ(guess.clone_fixed_s, 0);
  EXPECT_GT(out.ratio.at("clone"), 1.5);
  EXPECT_TRUE(out.fitted_on_bound);
  ASSERT_EQ(out.notes.size(), 2U);  // and the write share, not fitted from one queue depth
  EXPECT_NE(out.notes.front().find("the model cannot explain these points: clone_fixed_cpu at its lower bound 0"),
            std::string::npos) << out.notes.front();
  EXPECT_NEAR(guess.core_speed, truth.core_speed, 1e-3) << "the clones moved the host copies' core speed";
}

// The host time line's intercept overstates the start-up (the physical fit
// takes it from medians of copies at every queue depth): fitted jointly with
// the core speed, both come back, where a fixed start-up would leave the
// core speed wanting to exceed a whole core.
TEST(CalibrationMatch, StartUpAndCoreSpeedFitTogether) {
  FsConstants truth;
  truth.fs = "ext4";
  truth.memcpy_Bps = 6e9;
  truth.kernel_copy_Bps = 1.5e9;
  truth.core_speed = 0.9;
  truth.host_copy_start_s = 0.004;
  auto points = measured_with(truth, {"host", "kernel-copy"});
  FsConstants guess = truth;
  guess.core_speed = 1;
  guess.host_copy_start_s = 0.03;  // the time line's intercept: too high
  guess.kernel_copy_Bps = 3e9;
  SimulatedTimes last;
  MatchOutcome out = match_wall_times(points, guess, {kCloneChunk, kCopyChunk},
                                      [&](const FsConstants& fs) { return simulate(fs, points); }, last, 30, 1e-10);
  EXPECT_NEAR(guess.core_speed / truth.core_speed, 1, 1e-3);
  EXPECT_NEAR(guess.host_copy_start_s, truth.host_copy_start_s, 1e-5);
  EXPECT_NEAR(guess.kernel_copy_Bps / truth.kernel_copy_Bps, 1, 1e-3);
  EXPECT_FALSE(out.fitted_on_bound);
  EXPECT_LT(out.rms_residual, 1e-3);
  EXPECT_GT(out.start_rms_residual, 0.2);
}

// Host copies at queue depth 1 and 8 on two cores: at depth 1 reads and
// writes alternate; deeper, the reads run beside the writes, which
// serialise on the destination's inode lock, so the copy takes the larger
// of the writes' CPU and half of all of it. How much faster depth 8 copies
// says how the CPU splits: the fit finds the write share.
TEST(CalibrationMatch, WriteShareFromTheDeeperQueue) {
  FsConstants truth;
  truth.fs = "ext4";
  truth.memcpy_Bps = 8e9;
  truth.core_speed = 0.9;
  truth.write_share = 0.8;
  auto host_s = [](const FsConstants& fs, std::uint64_t size, unsigned depth) {
    double cpu = 2 * static_cast<double>(size) / fs.memcpy_Bps;
    double wall = depth == 1 ? cpu : std::max(fs.write_share * cpu, cpu / 2);
    return fs.host_copy_start_s + (wall + 2 * kPerOp) / fs.core_speed;
  };
  std::vector<CalibrationPoint> points;
  for (double mib : {16.0, 64.0, 256.0}) {
    auto size = static_cast<std::uint64_t>(mib * kMiB);
    for (unsigned depth : {1U, 8U}) points.push_back({truth.fs, "host", size, depth, host_s(truth, size, depth), 0, 3, {}});
  }
  FsConstants guess = truth;
  guess.core_speed = 1;
  guess.write_share = 0.5;
  SimulatedTimes last;
  auto simulate_depths = [&](const FsConstants& fs) {
    SimulatedTimes times;
    for (const auto& p : points) times[{p.method, p.size_bytes, p.queue_depth}] = host_s(fs, p.size_bytes, p.queue_depth);
    return times;
  };
  MatchOutcome out = match_wall_times(points, guess, {kCloneChunk, kCopyChunk}, simulate_depths, last, 40, 1e-10);
  EXPECT_NEAR(guess.write_share, truth.write_share, 1e-3);
  EXPECT_NEAR(guess.core_speed / truth.core_speed, 1, 1e-3);
  EXPECT_FALSE(out.fitted_on_bound);
  // At one queue depth the split cannot be seen: the knob is left alone.
  std::erase_if(points, [](const CalibrationPoint& p) { return p.queue_depth != 1; });
  FsConstants single = truth;
  single.write_share = 0.5;
  MatchOutcome one_depth = match_wall_times(points, single, {kCloneChunk, kCopyChunk}, simulate_depths, last);
  EXPECT_EQ(single.write_share, 0.5);
  ASSERT_FALSE(one_depth.notes.empty());
  EXPECT_NE(one_depth.notes.back().find("write_share left at 0.5 (not fitted)"), std::string::npos) << one_depth.notes.back();
  EXPECT_FALSE(one_depth.fitted_on_bound);
}

// Copies faster than the model can make them at a whole core: the fit ends
// on the bound and says so, with the error left.
TEST(CalibrationMatch, FasterThanAWholeCoreIsReported) {
  FsConstants truth;
  truth.fs = "xfs";
  truth.memcpy_Bps = 4e9;
  truth.core_speed = 1.3;  // not physical: the measured copies beat the CPU fit's own rate
  auto points = measured_with(truth, {"host"});
  FsConstants guess = truth;
  guess.core_speed = 0.5;
  SimulatedTimes last;
  MatchOutcome out = match_wall_times(points, guess, {kCloneChunk, kCopyChunk},
                                      [&](const FsConstants& fs) { return simulate(fs, points); }, last);
  EXPECT_EQ(guess.core_speed, 1.0);
  EXPECT_EQ(guess.host_copy_start_s, 0.0);
  EXPECT_TRUE(out.fitted_on_bound);
  ASSERT_FALSE(out.notes.empty());
  EXPECT_NE(out.notes.front().find("core_speed at its upper bound 1"), std::string::npos) << out.notes.front();
  EXPECT_GT(out.rms_residual, 0.2);
}

}  // namespace
}  // namespace offload::cli

namespace offload::cli {
namespace {

// The spread beside each validation row: the row's throughput in its slowest
// and fastest repetition; a prediction outside 10 % but inside it is noise.
TEST(CalibrationSpread, RowsCarryTheirRepetitionsSpread) {
  const std::uint64_t mib = 1ULL << 20;
  CalibrationPoint small{"xfs", "host", 16 * mib, 1, 0.02, 0, 3, {}, 0, {0.02, 0.01, 0.04}};
  CalibrationPoint large{"xfs", "host", 64 * mib, 1, 0.08, 0, 3, {}, 0, {0.08, 0.05, 0.10}};
  std::map<std::string, SimulatedTimes> simulated;
  simulated["xfs"][{"host", 16 * mib, 1}] = 0.016;  // 25 % faster than measured in all: off by more than 10 %
  simulated["xfs"][{"host", 64 * mib, 1}] = 0.064;
  auto rows = compare_throughput({small, large}, simulated);
  ASSERT_EQ(rows.size(), 1U);
  const double bytes = 80.0 * mib;
  EXPECT_DOUBLE_EQ(rows[0].measured_Bps, bytes / 0.10);
  EXPECT_DOUBLE_EQ(rows[0].spread_low_Bps, bytes / 0.14);   // 3rd repetition: 0.04 + 0.10 s
  EXPECT_DOUBLE_EQ(rows[0].spread_high_Bps, bytes / 0.06);  // 2nd repetition: 0.01 + 0.05 s
  EXPECT_NEAR(rows[0].error, 0.25, 1e-12);
  EXPECT_TRUE(rows[0].within(0.10)) << "inside the spread";
  simulated["xfs"][{"host", 16 * mib, 1}] = 0.005;  // faster than the fastest repetition
  simulated["xfs"][{"host", 64 * mib, 1}] = 0.02;
  rows = compare_throughput({small, large}, simulated);
  EXPECT_FALSE(rows[0].within(0.10));
  EXPECT_NE(validation_table(rows, 0.10).find("NO"), std::string::npos);
}

}  // namespace
}  // namespace offload::cli
