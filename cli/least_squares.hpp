// Linear least squares with Eigen for `offload calibrate`: y = X b, with
// optional relative weighting (each row divided by its y, so a 16 MiB copy
// counts as much as a 512 MiB one) and non-negative coefficients (a
// coefficient that comes out negative is fixed at zero and the rest refitted).
#pragma once

#include <string>
#include <vector>

namespace offload::cli {

/// A fitted linear model.
struct LinearFit {
  std::vector<double> coefficients;   ///< one per feature column, all >= 0
  double rms_relative_residual = 0;   ///< sqrt(mean(((fit - y) / y)^2)) over the rows
  std::size_t rows = 0;               ///< observations used
};

/// Fits y ~ sum_j rows[i][j] * b[j]. Every row needs as many features as
/// `rows[0]`, y > 0 when `relative`; throws std::invalid_argument naming
/// `what` when there are fewer rows than features or the sizes disagree.
LinearFit fit_non_negative(const std::vector<std::vector<double>>& rows, const std::vector<double>& y, bool relative,
                           const std::string& what);

/// y = a + b x: returns {a, b} (both >= 0) via fit_non_negative.
LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::string& what);

}  // namespace offload::cli
