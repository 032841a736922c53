// Timed copies of one file through one method on real files, the first one
// verified byte for byte: the measuring loop shared by `offload compare`
// and `offload calibrate`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.hpp"

namespace offload::cli {

/// What to time.
struct TrialSpec {
  std::string directory;     ///< where the destination goes
  std::string source;        ///< an existing source file in `directory`
  std::uint64_t size_bytes;  ///< the source's size (bytes verified)
  std::string method;        ///< "host", "kernel-copy", "clone" or "auto"
  unsigned repeat = 3;       ///< timed copies
  EngineConfig engine;       ///< queue depth, chunk sizes
  bool warm_up = false;      ///< the first (verified) copy is not timed: it warms caches and thread pools
  bool sync_first = false;   ///< syncfs before every copy, so none pays for an earlier one's writeback
  std::string destination;   ///< the copies' file ("" = DIRECTORY/offload-trial-METHOD.bin)
  /// `source` is a device node (a LUN or an NVMe namespace): each copy goes
  /// from its bytes [0, size) to [size, 2 x size) of the same node and is
  /// verified there (buffer cache dropped first); `directory` and
  /// `destination` are unused.
  bool device = false;
  bool verify_first = true;  ///< compare the first copy with the source (false: more copies of a verified trial)
};

/// The copies' outcome: one entry per finished copy in the vectors.
struct TrialResult {
  std::string fs;                     ///< destination filesystem type ("xfs", ...)
  std::string outcome = "ok";         ///< "ok", or the error that stopped the trials
  std::string methods_used;           ///< what the engine used ("clone", "host", ...)
  bool verified = false;              ///< the first copy's bytes equal the source's
  std::vector<double> seconds;        ///< wall seconds, submit to end, per copy
  std::vector<double> cpu_seconds;    ///< host CPU seconds of the copy's operations, per copy
  std::vector<std::uint64_t> operations;  ///< target operations, per copy
  std::vector<std::uint64_t> fresh_buffer_bytes;  ///< host buffer bytes first touched, per copy
  /// True when every copy finished.
  [[nodiscard]] bool ok() const { return outcome == "ok"; }
};

/// Runs `spec.repeat` timed copies (plus a warm-up one when asked) to
/// `spec.destination` or `DIRECTORY/offload-trial-METHOD.bin` (removed before each copy and at the
/// end), or within the device node, verifies the first, and appends each timed copy's status JSON to
/// `runs`. Stops at the first failure.
TrialResult run_trials(const TrialSpec& spec, nlohmann::json& runs);

/// Appends `more`'s timed copies to `into`; `more`'s outcome replaces an "ok" one.
void append_trials(TrialResult& into, const TrialResult& more);

/// Runs every spec's copies round-robin, one copy per spec and round (each
/// spec's warm-up and verification in the first round, `spec.repeat` timed
/// copies in all), so that a disturbance lasting several consecutive copies
/// falls on several specs' samples instead of on all of one spec's: on the
/// development VM, runs of consecutive ext4 host copies wrote 9-13x slower
/// (bench/README.md "Slow runs of copies"). A spec stops at its first
/// failure, the others go on. One result per spec, in the specs' order.
std::vector<TrialResult> run_interleaved(const std::vector<TrialSpec>& specs, nlohmann::json& runs);

/// The median of `values` (0 when empty).
double median(std::vector<double> values);

}  // namespace offload::cli
