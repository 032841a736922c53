// A method's prediction as `offload advise` ranks it, for the recommendation tests.
#pragma once

#include <string>

#include "cli/advise_model.hpp"

namespace offload::cli::advise_test {

/// `method` predicted at `seconds` with relative uncertainty `rms` and `operations` target operations.
inline MethodPrediction predicted(const std::string& method, double seconds, double rms, double operations) {
  MethodPrediction p;
  p.method = method;
  p.seconds = seconds;
  p.rms_error = rms;
  p.operations = operations;
  return p;
}

}  // namespace offload::cli::advise_test
