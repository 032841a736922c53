#include "cli/advise.hpp"

#include <filesystem>
#include <optional>

#include <fmt/core.h>

#include "cli/advise_cross_fs.hpp"
#include "cli/advise_remote_model.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

// On an NFS or SMB path the profile gives the client's CPU constants: the mount's own
// (DIR/nfs.json, from `offload calibrate` on the mount) or, failing that, the
// local source filesystem's.
std::string nfs_profile_path(const PathProbe& probe) {
  std::string directory = profile_directory();
  if (directory.empty()) throw AdviseUsageError("no profile directory: set XDG_STATE_HOME or HOME, or give --profile FILE");
  for (const std::string& fs : {probe.destination_fs, probe.source_fs}) {
    if (std::filesystem::exists(directory + "/" + fs + ".json")) return directory + "/" + fs + ".json";
  }
  throw AdviseUsageError(fmt::format("no calibration profile for the {3} client: neither {0}/{1}.json nor {0}/{2}.json "
                                     "exists; run `offload calibrate --dir DIR` with DIR on a local filesystem, or give "
                                     "--profile FILE",
                                     directory, probe.destination_fs, probe.source_fs,
                                     is_smb_path(probe) ? "SMB" : "NFS"));
}

CalibrationProfile pick_profile(const AdviseRequest& request, const PathProbe& probe) {
  std::string path = request.profile;
  if (path.empty() && is_remote_path(probe)) path = nfs_profile_path(probe);
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
  if (profile.fs != probe.destination_fs && !is_remote_path(probe)) {
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

// A rate option, or nullopt when not given; AdviseUsageError naming the option when bad.
std::optional<double> rate_option(const std::string& name, const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto rate = parse_rate_Bps(text);
  if (!rate) throw AdviseUsageError(name + " " + text + ": " + rate.error());
  if (!(*rate > 0)) throw AdviseUsageError(name + " " + text + ": must be above 0");
  return *rate;
}

// A duration option, or nullopt when not given; AdviseUsageError naming the option when bad.
std::optional<double> duration_option(const std::string& name, const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto seconds = parse_duration_s(text);
  if (!seconds) throw AdviseUsageError(name + " " + text + ": " + seconds.error());
  if (!(*seconds > 0)) throw AdviseUsageError(name + " " + text + ": must be above 0");
  return *seconds;
}

RemoteRates remote_rates(const AdviseRequest& request, const PathProbe& probe, const CalibrationProfile& profile) {
  RemoteRates rates;
  if (auto link = rate_option("--link-rate", request.link_rate)) {
    rates.link_Bps = *link;
    rates.link_how = "--link-rate " + request.link_rate;
  } else if (probe.link && probe.link->rate_Bps() > 0) {
    rates.link_Bps = probe.link->rate_Bps();
    rates.link_how = probe.link->shaping.empty() ? "probed: line rate of " + probe.link->interface
                                                 : "probed: tbf on " + probe.link->interface;
  } else if (is_remote_path(probe)) {
    throw AdviseUsageError(fmt::format("the link rate to the {} server of {} is unknown ({}); give --link-rate RATE",
                                       is_smb_path(probe) ? "SMB" : "NFS", probe.destination_dir, probe.link ? probe.link->line_rate_how : "no server address"));
  }
  if (auto disk = rate_option("--server-disk", request.server_disk)) {
    rates.server_disk_Bps = *disk;
    rates.server_disk_how = "--server-disk " + request.server_disk;
  } else {
    double memcpy = profile.fit.filesystems.front().memcpy_Bps;
    rates.server_disk_Bps = memcpy > 0 ? memcpy : 8e9;
    rates.server_disk_how = "not probed: assumed as fast as the profile's memory copy (a warm server cache); "
                            "--server-disk RATE to set it";
  }
  if (auto trip = duration_option("--round-trip", request.round_trip)) {
    rates.round_trip_s = *trip;
    rates.round_trip_how = "--round-trip " + request.round_trip;
  } else if (probe.round_trip.median_s > 0 && is_smb_path(probe)) {
    rates.round_trip_s = probe.round_trip.median_s / kSmbStatfsRoundTrips;
    rates.round_trip_how = fmt::format("probed: {} / {:g} (one statfs on a cifs mount waits for {:g} round trips)",
                                       probe.round_trip.how, kSmbStatfsRoundTrips, kSmbStatfsRoundTrips);
  } else if (probe.round_trip.median_s > 0) {
    rates.round_trip_s = probe.round_trip.median_s;
    rates.round_trip_how = "probed: " + probe.round_trip.how;
  } else {
    rates.round_trip_s = 2 * kAssumedLinkLatency_s;
    rates.round_trip_how = "assumed: a LAN's (" + probe.round_trip.how + "); --round-trip TIME to set it";
  }
  return rates;
}

}  // namespace

Advice advise(const AdviseRequest& request) {
  if (request.queue_depth == 0) throw AdviseUsageError("--queue-depth: must be at least 1");
  if (request.verify && request.repeat == 0) throw AdviseUsageError("--repeat: must be at least 1");
  rate_option("--link-rate", request.link_rate);  // a bad rate is an error on any path, before probing
  rate_option("--server-disk", request.server_disk);
  duration_option("--round-trip", request.round_trip);
  Advice advice;
  advice.probe = probe_path(request.source, request.destination);
  std::uint64_t size = copy_size(request, advice.probe);
  advice.profile = pick_profile(request, advice.probe);
  RemoteRates remote = is_remote_path(advice.probe) ? remote_rates(request, advice.probe, advice.profile) : RemoteRates{};
  std::string no_source_profile;
  auto source = source_profile(advice.probe, advice.profile, no_source_profile);
  advice.model = predict_methods(advice.probe, advice.profile, size, request.queue_depth, remote, source);
  if (!no_source_profile.empty()) advice.model.scenario += "; host reads at the destination's rate too: " + no_source_profile;
  advice.recommendation = recommend(advice.probe, advice.model);
  if (request.verify) advice.measured = verify_methods(advice.probe, advice.model, request.repeat);
  return advice;
}

}  // namespace offload::cli
