// `offload advise --verify`: each predicted method run for real on the
// source into a temporary file in the destination's directory (copy_trial.hpp:
// a verified warm-up copy, then timed copies after syncfs; the file is
// removed afterwards), medians side by side with the predictions.
#pragma once

#include <string>
#include <vector>

#include "cli/advise_model.hpp"
#include "cli/advise_probe.hpp"

namespace offload::cli {

/// The measured copies of one method.
struct MeasuredMethod {
  std::string method;         ///< as predicted
  std::string outcome = "ok"; ///< "ok" or the error that stopped the copies
  double seconds = 0;         ///< median wall seconds of the timed copies
  double cpu_seconds = 0;     ///< median CPU seconds of the copy's operations
  std::vector<double> samples_s;  ///< every timed copy
};

/// Runs `repeat` timed copies per predicted method (same queue depth).
std::vector<MeasuredMethod> verify_methods(const PathProbe& probe, const AdviceModel& model, unsigned repeat);

}  // namespace offload::cli
