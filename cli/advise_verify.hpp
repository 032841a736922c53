// `offload advise --verify`: each predicted method run for real on the
// source into a temporary file in the destination's directory (copy_trial.hpp:
// a verified warm-up copy, then timed copies after syncfs; the file is
// removed afterwards), medians side by side with the predictions. A copy
// whose first timed copies took under 10 ms (clone, a remapping
// copy_file_range: 0.1-3 ms, scheduling noise of the same size) is timed
// again until it has kShortCopySamples samples, so that its median and its
// min-max spread say how far apart two such methods really are.
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
  double min_s = 0;           ///< fastest timed copy (wall seconds)
  double max_s = 0;           ///< slowest timed copy (wall seconds)
};

/// Copies with a median under this are timed kShortCopySamples times (seconds).
inline constexpr double kShortCopySeconds = 0.010;
/// Timed copies of a short copy: a median of 15 moves by at most 2 samples per disturbed copy.
inline constexpr unsigned kShortCopySamples = 15;
/// More timed copies, interleaved, of the methods retime_overlapping() names: with the first 3, a median of 9.
inline constexpr unsigned kOverlapExtraCopies = 6;

/// Indices of the ok methods to time again: the fastest median's method and
/// each other whose median is more than 10 % slower while its min-max spread
/// overlaps the fastest's (those copies do not yet say which is faster; on
/// ext4 host and kernel-copy land there, 1-30 % apart). Empty when no method
/// overlaps so, or the fastest median is under kShortCopySeconds (timed kShortCopySamples times already).
std::vector<std::size_t> retime_overlapping(const std::vector<MeasuredMethod>& measured);

/// The recommendation measured right: its median within 10 % of the fastest
/// median, or inside the fastest method's measured min-max spread (the two
/// cannot be told apart by these copies).
bool measured_right(const MeasuredMethod& recommended, const MeasuredMethod& fastest);

/// Runs `repeat` timed copies per predicted method (same queue depth), at
/// least kShortCopySamples for a method whose median is under kShortCopySeconds;
/// then kOverlapExtraCopies more of the methods retime_overlapping() names,
/// in rounds of one copy each whose order alternates.
std::vector<MeasuredMethod> verify_methods(const PathProbe& probe, const AdviceModel& model, unsigned repeat);

}  // namespace offload::cli
