#include "cli/least_squares.hpp"

#include <cmath>
#include <stdexcept>

#include <Eigen/Dense>

namespace offload::cli {

LinearFit fit_non_negative(const std::vector<std::vector<double>>& rows, const std::vector<double>& y, bool relative,
                           const std::string& what) {
  if (rows.empty() || rows.size() != y.size()) throw std::invalid_argument(what + ": no measurements to fit");
  const std::size_t n = rows.size(), k = rows[0].size();
  if (n < k) {
    throw std::invalid_argument(what + ": " + std::to_string(n) + " measurement(s) for " + std::to_string(k) +
                                " constants (give more sizes)");
  }
  Eigen::MatrixXd a(n, k);
  Eigen::VectorXd b(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (rows[i].size() != k) throw std::invalid_argument(what + ": rows of different lengths");
    double weight = relative ? 1.0 / y[i] : 1.0;
    if (relative && !(y[i] > 0)) throw std::invalid_argument(what + ": a measured value is not above zero");
    for (std::size_t j = 0; j < k; ++j) a(i, j) = rows[i][j] * weight;
    b(i) = y[i] * weight;
  }
  std::vector<bool> active(k, true);
  Eigen::VectorXd solution = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(k));
  for (std::size_t round = 0; round < k; ++round) {
    std::vector<Eigen::Index> columns;
    for (std::size_t j = 0; j < k; ++j) if (active[j]) columns.push_back(static_cast<Eigen::Index>(j));
    Eigen::MatrixXd sub(n, static_cast<Eigen::Index>(columns.size()));
    for (std::size_t c = 0; c < columns.size(); ++c) sub.col(static_cast<Eigen::Index>(c)) = a.col(columns[c]);
    Eigen::VectorXd x = sub.colPivHouseholderQr().solve(b);
    solution.setZero();
    bool negative = false;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (x(static_cast<Eigen::Index>(c)) < 0) {
        active[static_cast<std::size_t>(columns[c])] = false;  // pin it at zero and refit the rest
        negative = true;
      } else {
        solution(columns[c]) = x(static_cast<Eigen::Index>(c));
      }
    }
    if (!negative) break;
  }
  LinearFit fit;
  fit.rows = n;
  fit.coefficients.assign(solution.data(), solution.data() + k);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double predicted = 0;
    for (std::size_t j = 0; j < k; ++j) predicted += rows[i][j] * fit.coefficients[j];
    double error = y[i] != 0 ? (predicted - y[i]) / y[i] : predicted;
    sum += error * error;
  }
  fit.rms_relative_residual = std::sqrt(sum / static_cast<double>(n));
  return fit;
}

LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::string& what) {
  std::vector<std::vector<double>> rows;
  for (double v : x) rows.push_back({1.0, v});
  return fit_non_negative(rows, y, true, what);
}

}  // namespace offload::cli
