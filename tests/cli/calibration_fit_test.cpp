// The least-squares fits behind `offload calibrate`, on synthetic
// measurements made from known constants (no I/O, no root).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "cli/calibration_fit.hpp"
#include "cli/least_squares.hpp"

namespace offload::cli {
namespace {

constexpr double kMiB = 1048576.0;

TEST(LeastSquares, RecoversALine) {
  std::vector<double> x{16 * kMiB, 64 * kMiB, 256 * kMiB}, y;
  for (double bytes : x) y.push_back(0.002 + bytes / 2e9);
  LinearFit fit = fit_line(x, y, "line");
  EXPECT_NEAR(fit.coefficients[0], 0.002, 1e-12);
  EXPECT_NEAR(1 / fit.coefficients[1], 2e9, 1e-3);
  EXPECT_LT(fit.rms_relative_residual, 1e-12);
}

TEST(LeastSquares, PinsANegativeCoefficientAtZero) {
  std::vector<double> x{1, 2, 4}, y{2.9, 6.0, 12.1};  // y = 3x - a little: the intercept would be negative
  LinearFit fit = fit_line(x, y, "line");
  EXPECT_EQ(fit.coefficients[0], 0);
  EXPECT_NEAR(fit.coefficients[1], 3.0, 0.05);
}

TEST(LeastSquares, TooFewPointsNameWhatWasFitted) {
  try {
    fit_line({1}, {2}, "ext4 host seconds");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "ext4 host seconds: 1 measurement(s) for 2 constants (give more sizes)");
  }
}

TEST(CalibrationFit, RecoversTheConstantsItWasMadeFrom) {
  const double per_op = 12e-6, memcpy_ext4 = 5e9, kernel = 4e9, memcpy_xfs = 7e9;
  const double speed = 0.5, clone_call = 76e-6, clone_per_GiB = 40e-6;
  // Wall seconds of a clone-like copy in the model: open + finish + calls, at `speed`.
  auto clone_wall = [&](double calls, double mib) { return (2 * per_op + calls * clone_call + mib / 1024 * clone_per_GiB) / speed; };
  std::vector<CalibrationPoint> points;
  for (double mib : {16.0, 64.0, 256.0}) {
    auto bytes = static_cast<std::uint64_t>(mib * kMiB);
    double host_ops = 2 * mib / 4 + 2, kernel_ops = 3;
    points.push_back({"ext4", "host", bytes, 1, 0.1, host_ops * per_op + 2 * mib * kMiB / memcpy_ext4, host_ops, {}});
    points.push_back({"ext4", "kernel-copy", bytes, 1, 0.05, kernel_ops * per_op + mib * kMiB / kernel, kernel_ops, {}});
    points.push_back({"xfs", "host", bytes, 1, 0.1, host_ops * per_op + 2 * mib * kMiB / memcpy_xfs, host_ops, {}});
    double remap_calls = std::ceil(mib / 64);
    points.push_back({"xfs", "clone", bytes, 1, clone_wall(1, mib), 3 * per_op, 3, {}});
    points.push_back({"xfs", "kernel-copy", bytes, 1, clone_wall(remap_calls, mib), (2 + remap_calls) * per_op,
                      2 + remap_calls, {}});
  }
  CalibrationFit fit = fit_calibration(points, {{"ext4", false}, {"xfs", true}}, 2);
  EXPECT_NEAR(fit.per_op_s, per_op, 1e-12);
  ASSERT_EQ(fit.filesystems.size(), 2U);
  const FsConstants& ext4 = fit.filesystems[0];
  const FsConstants& xfs = fit.filesystems[1];
  EXPECT_NEAR(ext4.memcpy_Bps / memcpy_ext4, 1, 1e-9);
  EXPECT_NEAR(ext4.kernel_copy_Bps / kernel, 1, 1e-9);
  EXPECT_FALSE(ext4.reflink);
  EXPECT_NEAR(xfs.memcpy_Bps / memcpy_xfs, 1, 1e-9);
  EXPECT_TRUE(xfs.reflink && xfs.copy_range_reflinks);
  EXPECT_EQ(xfs.kernel_copy_Bps, 0);  // it remaps: no data copy to fit

  FsConstants with_speed = xfs;
  with_speed.core_speed = speed;
  fit_clone(points, 1ULL << 30, 64ULL << 20, fit, with_speed);
  EXPECT_NEAR(with_speed.clone_fixed_s, clone_call, 1e-10);
  EXPECT_NEAR(with_speed.clone_per_GiB_s, clone_per_GiB, 1e-10);
  EXPECT_NEAR(fit_time_scale({2, 4, 8}, {1, 2, 4}, "scale"), 2.0, 1e-12);
}

TEST(CalibrationFit, NeedsHostCopies) {
  std::vector<CalibrationPoint> points{{"xfs", "clone", 16 << 20, 1, 2e-4, 3e-5, 3, {}}};
  EXPECT_THROW(fit_calibration(points, {}, 2), std::invalid_argument);
}

}  // namespace
}  // namespace offload::cli
