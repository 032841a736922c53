// Nonlinear least squares with box bounds for `offload calibrate`: a
// projected Levenberg-Marquardt method (Levenberg 1944, Marquardt 1963; the
// bound handling as in the projected/active-set variants of Nocedal & Wright,
// "Numerical Optimization", 2nd ed., ch. 16-18) on Eigen. The residuals come
// from a function that may be expensive (a simulation): the Jacobian is taken
// by forward differences, and parameters that move disjoint residuals are
// perturbed together in one evaluation (Curtis, Powell & Reid 1974), so a fit
// of several knobs that each drive one copy method costs two or three
// evaluations per iteration rather than one per knob.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace offload::cli {

/// One fitted parameter, with its physical bounds.
struct BoundedParameter {
  std::string name;                   ///< for messages, e.g. "core_speed"
  double value = 0;                   ///< start value (clamped into the bounds) in; fitted value out
  double lower = 0;                   ///< smallest physical value
  double upper = 0;                   ///< largest physical value (> lower)
  bool log_scale = false;             ///< fit log(value): rates and speeds (lower > 0 then)
  std::vector<std::size_t> residuals; ///< indices of the residuals it moves (empty: all of them)
};

/// How a bounded fit ended.
struct BoundedFitResult {
  int iterations = 0;                 ///< accepted or rejected Levenberg-Marquardt steps
  int evaluations = 0;                ///< calls of the residual function
  double rms_residual = 0;            ///< sqrt(mean(r^2)) at the fitted values
  double start_rms_residual = 0;      ///< the same at the start values
  bool converged = false;             ///< the cost stopped falling before the iteration limit
  /// Parameters that ended on a bound the data pushes against, e.g.
  /// "core_speed at its upper bound 1": the model cannot explain the points
  /// with physical values there.
  std::vector<std::string> at_bound;
};

/// The residuals (e.g. log(simulated / measured) per point) at `values`
/// (one per parameter, in order). Always returns the same count.
using ResidualFunction = std::function<std::vector<double>(const std::vector<double>& values)>;

/// Minimises sum(r^2) over the parameters within their bounds; writes the
/// fitted values back into `parameters`. Stops after `max_iterations` steps,
/// when a step lowers the cost by less than `tolerance` (relative), or when
/// the rms residual falls below `good_enough_rms` (residuals that are
/// relative errors: 1e-4 = 0.01 %). Throws std::invalid_argument naming
/// the parameter when its bounds are empty or a log-scale bound is not above
/// zero, and when the function returns no residuals or a non-finite one.
BoundedFitResult fit_bounded(std::vector<BoundedParameter>& parameters, const ResidualFunction& residuals,
                             int max_iterations = 12, double tolerance = 1e-6, double good_enough_rms = 1e-4);

}  // namespace offload::cli
