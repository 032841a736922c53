// `offload advise`, part 3: the answer. The recommended method (the
// shortest predicted time) with its reason in one line, the table per
// method with each prediction's uncertainty (the profile's rms relative
// error for that method), the probe results with how each was found, and
// the same as JSON (kind "offload-advice") for scripts and Python.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/advise_model.hpp"
#include "cli/advise_probe.hpp"
#include "cli/advise_profile.hpp"
#include "cli/advise_verify.hpp"

namespace offload::cli {

/// The method to use and why.
struct Recommendation {
  std::string method;  ///< "clone", "kernel-copy" or "host"
  std::string reason;  ///< one line: "clone: metadata-only on xfs, 0.3 ms vs 1.2 s host"
};

/// The fastest predicted method, unless another one is the same kernel
/// operation (clone and a copy_file_range that remaps: both are the
/// filesystem's remap_file_range): then the one with fewer operations (calls
/// into the kernel) is recommended. The reason names the runner-up, and says
/// when it is predicted inside the combined uncertainty (the sum of both rms
/// errors) or is the same operation. A method predicted inside that
/// uncertainty of the fastest's time that moves fewer bytes through user
/// space (an offloaded one against the host copy) wins the tie (the reason
/// says "tied").
Recommendation recommend(const PathProbe& probe, const AdviceModel& model);

/// "12.3 ms", "1.20 s", "850 us".
std::string format_seconds(double seconds);

/// Probe results, one per line, each with how it was found.
std::string probe_text(const PathProbe& probe);

/// The prediction table (and measured columns when `measured` is not empty).
std::string advice_table(const AdviceModel& model, const std::vector<MeasuredMethod>& measured);

/// Everything as one JSON object.
nlohmann::json advice_json(const PathProbe& probe, const CalibrationProfile& profile, const AdviceModel& model,
                           const Recommendation& recommendation, const std::vector<MeasuredMethod>& measured);

}  // namespace offload::cli
