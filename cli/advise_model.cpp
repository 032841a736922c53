#include "cli/advise_model.hpp"

#include <stdlib.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/core.h>

#include "cli/advise_cross_fs.hpp"
#include "cli/advise_ext4_delalloc.hpp"
#include "cli/advise_nfs_model.hpp"
#include "cli/advise_smb_model.hpp"
#include "cli/calibration_scenario.hpp"
#include "cli/calibration_validate.hpp"
#include "cli/page_cache.hpp"
#include "engine/engine.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

/// The scenario run like calibrate's validation (one offload-sim-run process
/// per method), in a temporary directory removed afterwards.
SimulatedCopies simulate_in_scratch(const std::string& scenario_toml, const std::string& fs) {
  char pattern[] = "/tmp/offload-advise-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a temporary directory in /tmp");
  std::string scratch = pattern;
  try {
    SimulatedCopies copies = simulate_copy_results(scenario_toml, scratch + "/advise-" + fs + ".toml", 0);
    std::filesystem::remove_all(scratch);
    return copies;
  } catch (...) {
    std::filesystem::remove_all(scratch);
    throw;
  }
}

MethodPrediction prediction(const std::string& method, const SimulatedCopy& copy, std::uint64_t size_bytes,
                            const CalibrationProfile& profile) {
  MethodPrediction p;
  p.method = method;
  p.seconds = copy.seconds;
  p.throughput_Bps = p.seconds > 0 ? static_cast<double>(size_bytes) / p.seconds : 0;
  p.client_cpu_s = copy.client_cpu_s;
  p.user_space_bytes = method == "host" ? static_cast<double>(size_bytes) : 0;
  p.link_bytes = copy.link_bytes;
  p.operations = copy.operations;
  p.energy_J = copy.energy.value("total_J", 0.0);
  p.client_J = copy.energy.value("client_J", 0.0);
  p.server_J = copy.energy.value("server_J", 0.0);
  p.network_J = copy.energy.value("network_J", 0.0);
  auto rms = profile.rms_error.find(method);
  p.rms_error = rms == profile.rms_error.end() ? -1 : rms->second;
  return p;
}

// NFS or SMB: host (READ to the client, WRITE back), server-side copy (NFS COPY, SMB copychunk) and clone
// (NFS CLONE, SMB duplicate extents), as the probe saw the server answer.
AdviceModel predict_remote(const PathProbe& probe, const CalibrationProfile& profile, AdviceModel model,
                           const RemoteRates& remote) {
  bool smb = is_smb_path(probe);
  model.scenario = smb ? "SMB client and server (models/smb_server)" : "NFS client and server (models/nfs_server)";
  model.remote = remote;
  std::vector<std::string> methods;
  if (probe.server_clone()) {
    methods.push_back("clone");
  } else {
    std::string request = smb ? "FSCTL_DUPLICATE_EXTENTS_TO_FILE" : "CLONE";
    model.left_out.emplace_back("clone", "the server did not clone the probe (" +
                                             (probe.clone_works ? "no " + request + " answered" : probe.clone_error) + ")");
  }
  if (probe.server_copy()) {
    methods.push_back("kernel-copy");
  } else {
    model.left_out.emplace_back("kernel-copy", probe.copy_range == CopyRangeBehaviour::fails
                                                   ? "the copy_file_range probe failed: " + probe.copy_range_error
                                                   : std::string(smb ? "no server-side copychunk" : "no server-side COPY") +
                                                         ": the client copied the probe with READ and WRITE");
  }
  methods.push_back("host");
  std::vector<std::string> labels;
  for (const auto& m : methods) labels.push_back(smb ? m : nfs_sim_method(m));
  const FsConstants& client = profile.fit.filesystems.front();
  NfsModelInputs inputs{model.size_bytes, model.queue_depth, remote.link_Bps, remote.server_disk_Bps,
                        remote.round_trip_s / 2};
  SimulatedCopies copies =
      smb ? simulate_in_scratch(smb_path_scenario_toml(probe, profile.fit, client, inputs, labels), "smb")
          : simulate_in_scratch(nfs_path_scenario_toml(probe, profile.fit, client, inputs, labels), "nfs");
  for (std::size_t i = 0; i < methods.size(); ++i) {
    auto found = copies.find({labels[i], model.size_bytes, model.queue_depth});
    if (found == copies.end()) throw std::runtime_error("the simulation returned no " + methods[i] + " copy");
    // The profile's uncertainty was measured on a local filesystem: it stands for the client's host copy alone.
    MethodPrediction p = prediction(methods[i], found->second, model.size_bytes, profile);
    if (methods[i] != "host") p.rms_error = -1;
    model.predictions.push_back(p);
  }
  return model;
}

// The data copies' bytes beyond the dirty-page budget go at the device's write-back rate (page_cache.hpp).
void charge_writeback(AdviceModel& model, const PathProbe& probe, const FsConstants& fs) {
  if (!(fs.writeback_Bps > 0)) {
    model.page_cache = "not modelled: the profile has no write-back rate (calibrated before it was measured)";
    return;
  }
  DirtyBudget budget = dirty_budget(read_dirty_settings());
  double size = static_cast<double>(model.size_bytes);
  model.page_cache = fmt::format("{}; beyond it the data copies write at {} (the profile's write-back rate)",
                                 budget.how, format_rate(fs.writeback_Bps));
  double ext4_wait_s = 0;
  if (probe.destination_fs == "ext4") {
    // The wait writes pages back without a cache flush; older profiles have only the syncfs rate.
    bool page_rate = fs.page_writeback_Bps > 0;
    double rate = page_rate ? fs.page_writeback_Bps : fs.writeback_Bps;
    try {
      Ext4SpaceState space = read_ext4_space(probe.destination_dir);
      ext4_wait_s = ext4_delalloc_wait_seconds(size, space, rate);
      model.page_cache += fmt::format("; ext4: {}", space.how);
      model.page_cache += ext4_wait_s > 0
                              ? fmt::format(": the copy waits {} for write-back at {} ({}) each time half the free "
                                            "space is dirty (ext4_nonda_switch)", format_duration(ext4_wait_s),
                                            format_rate(rate), page_rate ? "sync_file_range" : "syncfs")
                              : ": the copy stays under half the free space dirty (no ext4_nonda_switch wait)";
    } catch (const std::exception& e) {
      model.page_cache += fmt::format("; ext4's delayed-allocation wait not modelled ({})", e.what());
    }
  }
  for (auto& p : model.predictions) {
    bool writes_data = p.method == "host" || (p.method == "kernel-copy" && probe.copy_range == CopyRangeBehaviour::copies);
    if (!writes_data) continue;
    p.seconds = throttled_seconds(p.seconds, size, budget.budget_bytes, fs.writeback_Bps) + ext4_wait_s;
    p.throughput_Bps = size / p.seconds;
  }
}

}  // namespace

bool is_nfs_path(const PathProbe& probe) { return probe.network_fs.compare(0, 3, "nfs") == 0 && probe.same_fs; }

bool is_smb_path(const PathProbe& probe) {
  return (probe.network_fs == "cifs" || probe.network_fs == "smb3") && probe.same_fs;
}

bool is_remote_path(const PathProbe& probe) { return is_nfs_path(probe) || is_smb_path(probe); }

std::vector<std::pair<std::string, std::string>> methods_for_path(const PathProbe& probe,
                                                                  std::vector<std::string>& allowed) {
  std::vector<std::pair<std::string, std::string>> left_out;
  if (probe.clone_works) {
    allowed.push_back("clone");
  } else {
    left_out.emplace_back("clone", "the FICLONERANGE probe failed: " + probe.clone_error);
  }
  if (probe.copy_range != CopyRangeBehaviour::fails) {
    allowed.push_back("kernel-copy");
  } else {
    left_out.emplace_back("kernel-copy", "the copy_file_range probe failed: " + probe.copy_range_error);
  }
  allowed.push_back("host");
  return left_out;
}

AdviceModel predict_methods(const PathProbe& probe, const CalibrationProfile& profile, std::uint64_t size_bytes,
                            unsigned queue_depth, const RemoteRates& remote,
                            const std::optional<CalibrationProfile>& source) {
  AdviceModel model{size_bytes, queue_depth, {}, {}, "local filesystem (calibrated host)", {}};
  if (is_remote_path(probe)) return predict_remote(probe, profile, model, remote);
  std::vector<std::string> allowed;
  model.left_out = methods_for_path(probe, allowed);
  FsConstants fs = profile.fit.filesystems.front();
  if (source) {
    fs = combine_read_write(source->fit.filesystems.front(), fs);
    model.scenario += fmt::format("; host reads at {}'s calibrated rate ({}), writes at {}'s", source->fs, source->path,
                                  profile.fs);
  }
  // The probe, not the calibration, says what copy_file_range does on this path (it copies across filesystems).
  fs.copy_range_reflinks = probe.copy_range == CopyRangeBehaviour::remaps;
  if (probe.copy_range == CopyRangeBehaviour::copies && !(fs.kernel_copy_Bps > 0)) {
    std::erase(allowed, "kernel-copy");
    model.left_out.emplace_back("kernel-copy", fmt::format("copy_file_range copies data here, and {} has no in-kernel "
                                                           "copy rate (calibrated where it remaps)", profile.path));
  }
  std::vector<std::string> methods;
  for (const auto& method : allowed) {
    if (std::find(fs.methods.begin(), fs.methods.end(), method) != fs.methods.end()) {
      methods.push_back(method);
    } else {
      model.left_out.emplace_back(method, profile.path + " has no calibrated " + method + " copies");
    }
  }
  EngineConfig engine;
  engine.queue_depth = queue_depth;
  std::string text = validation_scenario_toml(profile.fit, fs, {size_bytes}, {queue_depth}, methods, engine);
  SimulatedCopies copies = simulate_in_scratch(text, fs.fs);
  for (const std::string& method : methods) {
    auto found = copies.find({method, size_bytes, queue_depth});
    if (found == copies.end()) throw std::runtime_error("the simulation returned no " + method + " copy");
    model.predictions.push_back(prediction(method, found->second, size_bytes, profile));
  }
  charge_writeback(model, probe, fs);
  return model;
}

}  // namespace offload::cli
