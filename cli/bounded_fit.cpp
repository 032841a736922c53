#include "cli/bounded_fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <Eigen/Dense>
#include <fmt/core.h>

namespace offload::cli {
namespace {

constexpr double kStep = 1e-4;        // forward-difference step in the internal coordinates

// Internal coordinates: log(value) for log-scale parameters, value / scale
// otherwise, so every coordinate moves by O(1) over its useful range.
struct Coordinates {
  std::vector<double> scale;

  double to_internal(const BoundedParameter& p, std::size_t j, double v) const {
    return p.log_scale ? std::log(v) : v / scale[j];
  }
  double to_value(const BoundedParameter& p, std::size_t j, double u) const {
    return p.log_scale ? std::exp(u) : u * scale[j];
  }
};

double cost_of(const std::vector<double>& r) {
  double sum = 0;
  for (double x : r) sum += x * x;
  return sum;
}

// Groups of parameters whose residual sets are disjoint: each group is
// perturbed in one evaluation.
std::vector<std::vector<std::size_t>> disjoint_groups(const std::vector<BoundedParameter>& ps, std::size_t residuals) {
  auto moved = [&](std::size_t j) {
    std::vector<bool> set(residuals, ps[j].residuals.empty());
    for (std::size_t i : ps[j].residuals) if (i < residuals) set[i] = true;
    return set;
  };
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::vector<bool>> used;
  for (std::size_t j = 0; j < ps.size(); ++j) {
    auto mine = moved(j);
    bool placed = false;
    for (std::size_t g = 0; g < groups.size() && !placed; ++g) {
      bool overlap = false;
      for (std::size_t i = 0; i < residuals && !overlap; ++i) overlap = mine[i] && used[g][i];
      if (overlap) continue;
      groups[g].push_back(j);
      for (std::size_t i = 0; i < residuals; ++i) used[g][i] = used[g][i] || mine[i];
      placed = true;
    }
    if (!placed) {
      groups.push_back({j});
      used.push_back(mine);
    }
  }
  return groups;
}

}  // namespace

BoundedFitResult fit_bounded(std::vector<BoundedParameter>& parameters, const ResidualFunction& residuals,
                             int max_iterations, double tolerance, double good_enough_rms) {
  const std::size_t k = parameters.size();
  Coordinates c;
  std::vector<double> lo(k), hi(k), u(k);
  for (std::size_t j = 0; j < k; ++j) {
    auto& p = parameters[j];
    if (!(p.lower < p.upper)) throw std::invalid_argument(p.name + ": empty bounds");
    if (p.log_scale && !(p.lower > 0)) throw std::invalid_argument(p.name + ": a log-scale bound must be above zero");
    p.value = std::clamp(p.value, p.lower, p.upper);
    double magnitude = std::max(std::abs(p.value), std::max(std::abs(p.lower), std::abs(p.upper)) * 1e-3);
    c.scale.push_back(magnitude > 0 ? magnitude : 1.0);
    lo[j] = c.to_internal(p, j, p.lower);
    hi[j] = c.to_internal(p, j, p.upper);
    u[j] = c.to_internal(p, j, p.value);
  }
  BoundedFitResult out;
  auto evaluate = [&](const std::vector<double>& at) {
    std::vector<double> values(k);
    for (std::size_t j = 0; j < k; ++j) values[j] = c.to_value(parameters[j], j, at[j]);
    ++out.evaluations;
    std::vector<double> r = residuals(values);
    if (r.empty()) throw std::invalid_argument("bounded fit: no residuals to fit");
    for (double x : r) {
      if (!std::isfinite(x)) throw std::invalid_argument("bounded fit: a residual is not finite");
    }
    return r;
  };

  std::vector<double> r = evaluate(u);
  const std::size_t n = r.size();
  double cost = cost_of(r);
  out.start_rms_residual = std::sqrt(cost / static_cast<double>(n));
  auto groups = disjoint_groups(parameters, n);
  double lambda = 1e-3;
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(k));

  for (int iteration = 0; iteration < max_iterations && k > 0; ++iteration) {
    // Jacobian by forward differences, one evaluation per group; a step
    // that would leave the box goes the other way.
    Eigen::MatrixXd jac = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
    for (const auto& group : groups) {
      std::vector<double> shifted = u, step(k, 0.0);
      for (std::size_t j : group) {
        step[j] = u[j] + kStep <= hi[j] ? kStep : -kStep;
        shifted[j] = u[j] + step[j];
      }
      std::vector<double> rs = evaluate(shifted);
      if (rs.size() != n) throw std::invalid_argument("bounded fit: the residual count changed");
      for (std::size_t j : group) {
        const auto& ps = parameters[j];
        for (std::size_t i = 0; i < n; ++i) {
          bool moves = ps.residuals.empty() || std::find(ps.residuals.begin(), ps.residuals.end(), i) != ps.residuals.end();
          if (moves) jac(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = (rs[i] - r[i]) / step[j];
        }
      }
    }
    Eigen::Map<const Eigen::VectorXd> rv(r.data(), static_cast<Eigen::Index>(n));
    gradient = jac.transpose() * rv;
    // Active set: a parameter on a bound whose descent direction points out stays there.
    std::vector<bool> free(k);
    for (std::size_t j = 0; j < k; ++j) {
      bool at_lo = u[j] <= lo[j] + 1e-12, at_hi = u[j] >= hi[j] - 1e-12;
      free[j] = !((at_lo && gradient(static_cast<Eigen::Index>(j)) > 0) || (at_hi && gradient(static_cast<Eigen::Index>(j)) < 0));
    }
    Eigen::MatrixXd normal = jac.transpose() * jac;
    bool accepted = false;
    for (int attempt = 0; attempt < 8 && !accepted; ++attempt) {
      ++out.iterations;
      Eigen::MatrixXd a = normal;
      Eigen::VectorXd b = -gradient;
      for (std::size_t j = 0; j < k; ++j) {
        auto jj = static_cast<Eigen::Index>(j);
        if (!free[j]) {
          a.row(jj).setZero();
          a.col(jj).setZero();
          a(jj, jj) = 1;
          b(jj) = 0;
        } else {
          a(jj, jj) += lambda * std::max(normal(jj, jj), 1e-12);
        }
      }
      Eigen::VectorXd delta = a.ldlt().solve(b);
      std::vector<double> trial(k);
      for (std::size_t j = 0; j < k; ++j) trial[j] = std::clamp(u[j] + delta(static_cast<Eigen::Index>(j)), lo[j], hi[j]);
      if (trial == u) break;
      std::vector<double> rt = evaluate(trial);
      double trial_cost = cost_of(rt);
      if (trial_cost < cost) {
        double drop = (cost - trial_cost) / std::max(cost, 1e-300);
        u = trial;
        r = rt;
        cost = trial_cost;
        lambda = std::max(lambda / 3, 1e-9);
        accepted = true;
        // Converged when a step gains little, or the points are met to 0.01 %.
        if (drop < tolerance || std::sqrt(cost / static_cast<double>(n)) < good_enough_rms) out.converged = true;
      } else {
        lambda *= 4;
      }
    }
    if (!accepted) out.converged = true;  // no step lowers the cost: a (bounded) minimum
    if (out.converged) break;
  }
  out.rms_residual = std::sqrt(cost / static_cast<double>(n));
  for (std::size_t j = 0; j < k; ++j) {
    auto& p = parameters[j];
    p.value = c.to_value(p, j, u[j]);
    bool at_lo = u[j] <= lo[j] + 1e-9, at_hi = u[j] >= hi[j] - 1e-9;
    double g = gradient(static_cast<Eigen::Index>(j));
    if (at_lo && g > 0) {
      p.value = p.lower;
      out.at_bound.push_back(fmt::format("{} at its lower bound {:.6g}", p.name, p.lower));
    } else if (at_hi && g < 0) {
      p.value = p.upper;
      out.at_bound.push_back(fmt::format("{} at its upper bound {:.6g}", p.name, p.upper));
    }
  }
  return out;
}

}  // namespace offload::cli
