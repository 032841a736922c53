// The bounded Levenberg-Marquardt fit behind `offload calibrate`
// (cli/bounded_fit.hpp): it recovers known parameters of a nonlinear model,
// stops on a bound the data pushes against and says so, leaves a parameter
// free when its optimum is inside the box, and perturbs parameters with
// disjoint residuals together.
#include <gtest/gtest.h>

#include <cmath>

#include "cli/bounded_fit.hpp"

namespace offload::cli {
namespace {

// y = a * exp(-x / tau) + c at x = 0..9
std::vector<double> decay(double a, double tau, double c) {
  std::vector<double> y;
  for (int x = 0; x < 10; ++x) y.push_back(a * std::exp(-x / tau) + c);
  return y;
}

TEST(BoundedFit, RecoversANonlinearModel) {
  auto measured = decay(5, 3, 0.5);
  std::vector<BoundedParameter> ps{{"a", 1, 0.1, 100, true, {}}, {"tau", 1, 0.1, 100, true, {}}, {"c", 0, 0, 10, false, {}}};
  auto result = fit_bounded(ps, [&](const std::vector<double>& v) {
    auto y = decay(v[0], v[1], v[2]);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] -= measured[i];
    return y;
  }, 50, 1e-14, 0);
  EXPECT_NEAR(ps[0].value, 5, 1e-4);
  EXPECT_NEAR(ps[1].value, 3, 1e-4);
  EXPECT_NEAR(ps[2].value, 0.5, 1e-4);
  EXPECT_TRUE(result.at_bound.empty());
  EXPECT_LT(result.rms_residual, 1e-6);
  EXPECT_GT(result.start_rms_residual, 0.5);
}

TEST(BoundedFit, StopsOnTheBoundTheDataPushesAgainst) {
  // The best offset is -1, below the physical bound 0: the fit ends at 0,
  // says so, and the slope still fits the data given that offset.
  std::vector<BoundedParameter> ps{{"offset", 2, 0, 5, false, {}}, {"slope", 1, 0.01, 100, true, {}}};
  auto result = fit_bounded(ps, [](const std::vector<double>& v) {
    std::vector<double> r;
    for (int x = 1; x <= 5; ++x) r.push_back(v[0] + v[1] * x - (-1 + 2.0 * x));
    return r;
  }, 50, 1e-14);
  EXPECT_EQ(ps[0].value, 0);
  ASSERT_EQ(result.at_bound.size(), 1U);
  EXPECT_EQ(result.at_bound[0], "offset at its lower bound 0");
  // Least squares of 2x - 1 by s x over x = 1..5: s = sum(x(2x-1)) / sum(x^2) = 95 / 55.
  EXPECT_NEAR(ps[1].value, 95.0 / 55.0, 1e-4);
  EXPECT_GT(result.rms_residual, 0.1);
}

TEST(BoundedFit, DisjointParametersShareAnEvaluation) {
  // Four parameters, each moving its own residual: one evaluation per
  // Jacobian, not four.
  std::vector<double> target{1, 2, 3, 4};
  std::vector<BoundedParameter> ps;
  for (std::size_t j = 0; j < 4; ++j) ps.push_back({"p" + std::to_string(j), 0.5, 0.1, 10, true, {j}});
  auto result = fit_bounded(ps, [&](const std::vector<double>& v) {
    std::vector<double> r;
    for (std::size_t j = 0; j < 4; ++j) r.push_back(std::log(v[j] * v[j] / (target[j] * target[j])));
    return r;
  }, 30, 1e-14);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_NEAR(ps[j].value, target[j], 1e-4) << j;
  // 1 start + per iteration 1 Jacobian + its trial steps: about 2-3 per iteration.
  EXPECT_LE(result.evaluations, 1 + 3 * result.iterations);
}

TEST(BoundedFit, RefusesEmptyBoundsNamingTheParameter) {
  std::vector<BoundedParameter> ps{{"core_speed", 1, 2, 1, true, {}}};
  try {
    fit_bounded(ps, [](const std::vector<double>&) { return std::vector<double>{0.0}; });
    FAIL() << "empty bounds were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("core_speed"), std::string::npos);
  }
}

}  // namespace
}  // namespace offload::cli
