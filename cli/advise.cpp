#include "cli/advise.hpp"

#include <filesystem>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {
namespace {

CalibrationProfile pick_profile(const AdviseRequest& request, const PathProbe& probe) {
  std::string path = request.profile;
  if (path.empty()) {
    std::string directory = profile_directory();
    if (directory.empty()) throw AdviseUsageError("no profile directory: set XDG_STATE_HOME or HOME, or give --profile FILE");
    path = directory + "/" + probe.destination_fs + ".json";
    if (!std::filesystem::exists(path)) {
      throw AdviseUsageError(fmt::format("no calibration profile for {} (the destination {} is on {}): {} does not exist; "
                                         "run `offload calibrate --dir DIR` with DIR on {}, or give --profile FILE",
                                         probe.destination_fs, probe.destination_dir, probe.destination_fs, path,
                                         probe.destination_fs));
    }
  }
  CalibrationProfile profile;
  try {
    profile = load_profile(path);
  } catch (const std::runtime_error& e) {
    throw AdviseUsageError(std::string("--profile ") + e.what());
  }
  if (profile.fs != probe.destination_fs) {
    throw AdviseUsageError(fmt::format("--profile {}: measured on {}, but the destination {} is on {}", path, profile.fs,
                                       probe.destination_dir, probe.destination_fs));
  }
  return profile;
}

std::uint64_t copy_size(const AdviseRequest& request, const PathProbe& probe) {
  if (request.size.empty()) {
    if (probe.source_bytes == 0) throw AdviseUsageError("SOURCE " + probe.source + ": empty; give --size");
    return probe.source_bytes;
  }
  auto size = parse_size_bytes(request.size);
  if (!size) throw AdviseUsageError("--size " + request.size + ": " + size.error());
  if (*size == 0) throw AdviseUsageError("--size " + request.size + ": must be above 0");
  if (request.verify && *size != probe.source_bytes) {
    throw AdviseUsageError(fmt::format("--size {} with --verify: the real copies copy SOURCE ({} bytes); drop --size",
                                       request.size, probe.source_bytes));
  }
  return *size;
}

}  // namespace

Advice advise(const AdviseRequest& request) {
  if (request.queue_depth == 0) throw AdviseUsageError("--queue-depth: must be at least 1");
  if (request.verify && request.repeat == 0) throw AdviseUsageError("--repeat: must be at least 1");
  Advice advice;
  advice.probe = probe_path(request.source, request.destination);
  std::uint64_t size = copy_size(request, advice.probe);
  advice.profile = pick_profile(request, advice.probe);
  advice.model = predict_methods(advice.probe, advice.profile, size, request.queue_depth);
  advice.recommendation = recommend(advice.probe, advice.model);
  if (request.verify) advice.measured = verify_methods(advice.probe, advice.model, request.repeat);
  return advice;
}

}  // namespace offload::cli
