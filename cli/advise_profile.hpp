// Calibration profiles: what `offload calibrate` fitted for one filesystem
// (the constants of its calibrated host) and how far the calibrated
// simulator was off per method (rms relative error of the held-out copies),
// saved as FS.json in the profile directory, read by `offload advise`.
// Directory: $XDG_STATE_HOME/offload/profiles, or
// $HOME/.local/state/offload/profiles when XDG_STATE_HOME is unset (the XDG
// Base Directory Specification's place for state that persists).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/calibration_fit.hpp"

namespace offload::cli {

/// One filesystem's profile.
struct CalibrationProfile {
  std::string path;                       ///< the file it was read from
  std::string fs;                         ///< filesystem type it was measured on ("xfs")
  std::string provenance;                 ///< what calibrate measured (sizes, depths, copies)
  std::string created_utc;                ///< when (ISO 8601)
  CalibrationFit fit;                     ///< the fit, with this filesystem only
  std::map<std::string, double> rms_error;  ///< method -> rms relative error of simulated vs measured seconds
};

/// The profile directory (see above); "" when neither variable is set.
std::string profile_directory();

/// Writes one profile per filesystem of `validation` (the JSON `offload
/// calibrate` writes as validation.json: "fit" and per-point "points") into
/// `directory` (created); returns the files written.
std::vector<std::string> save_profiles(const nlohmann::json& validation, const std::string& provenance,
                                       const std::string& directory);

/// Reads a profile; throws std::runtime_error naming `path` and the cause.
CalibrationProfile load_profile(const std::string& path);

/// The fit back from fit_to_json's form.
CalibrationFit fit_from_json(const nlohmann::json& fit);

}  // namespace offload::cli
