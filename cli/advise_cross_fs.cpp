#include "cli/advise_cross_fs.hpp"

#include <filesystem>
#include <stdexcept>

#include "cli/advise_model.hpp"

namespace offload::cli {

FsConstants combine_read_write(const FsConstants& source, const FsConstants& destination) {
  if (!(source.memcpy_Bps > 0) || !(destination.memcpy_Bps > 0)) return destination;
  double read_s_per_byte = (1 - source.write_share) / source.memcpy_Bps;
  double write_s_per_byte = destination.write_share / destination.memcpy_Bps;
  FsConstants combined = destination;
  combined.memcpy_Bps = 1 / (read_s_per_byte + write_s_per_byte);
  combined.write_share = write_s_per_byte / (read_s_per_byte + write_s_per_byte);
  return combined;
}

std::optional<CalibrationProfile> source_profile(const PathProbe& probe, const CalibrationProfile& destination,
                                                 std::string& why_not) {
  if (probe.same_fs || is_remote_path(probe) || probe.source_fs.empty() || probe.source_fs == destination.fs) return {};
  std::filesystem::path path = std::filesystem::path(destination.path).parent_path() / (probe.source_fs + ".json");
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    why_not = path.string() + " does not exist";
    return {};
  }
  try {
    CalibrationProfile profile = load_profile(path.string());
    if (profile.fs == probe.source_fs && !profile.fit.filesystems.empty()) return profile;
    why_not = path.string() + " was measured on " + profile.fs;
  } catch (const std::exception& e) {
    why_not = e.what();
  }
  return {};
}

}  // namespace offload::cli
