#include "cli/advise_answer.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {
namespace {

std::string why(const PathProbe& probe, const std::string& method) {
  if (is_nfs_path(probe) && method != "host") {
    return (method == "clone" ? "server-side CLONE" : "server-side COPY") + std::string(" on NFS ") + probe.nfs_version +
           ", the data stays on the server";
  }
  if (is_smb_path(probe) && method != "host") {
    return (method == "clone" ? "FSCTL_DUPLICATE_EXTENTS_TO_FILE" : "server-side copychunk") + std::string(" on SMB ") +
           probe.smb_dialect + ", the data stays on the server";
  }
  if (method == "clone") return "metadata-only on " + probe.destination_fs;
  if (method == "kernel-copy") {
    return probe.copy_range == CopyRangeBehaviour::remaps
               ? "copy_file_range remaps extents on " + probe.destination_fs + " (metadata only)"
               : "in-kernel copy on " + probe.destination_fs + ", no bytes through user space";
  }
  return "read and write through user space is the fastest here";
}

std::string uncertainty_text(double rms) { return rms < 0 ? "?" : fmt::format("±{:.0f} %", rms * 100); }

const MeasuredMethod* find_measured(const std::vector<MeasuredMethod>& measured, const std::string& method) {
  for (const auto& m : measured) if (m.method == method) return &m;
  return nullptr;
}

// The fastest measured method and its median (nullptr when none finished).
const MeasuredMethod* fastest(const std::vector<MeasuredMethod>& measured) {
  const MeasuredMethod* best = nullptr;
  for (const auto& m : measured) {
    if (m.outcome == "ok" && (best == nullptr || m.seconds < best->seconds)) best = &m;
  }
  return best;
}

// "0.012 %", "3.4 %": a share that may be tiny.
std::string percent_text(double share) {
  return share * 100 >= 1 ? fmt::format("{:.3g} %", share * 100) : fmt::format("{:.2g} %", share * 100);
}

// What an offloaded method gains over the host copy: "22x faster, saves 10.5 s".
std::string gain_text(const MethodPrediction& best, const MethodPrediction& host) {
  double gain = host.seconds / best.seconds;
  return fmt::format("{} faster, saves {}", gain >= 100 ? fmt::format("{:.0f}x", gain) : fmt::format("{:.3g}x", gain),
                     format_seconds(host.seconds - best.seconds));
}

// The host copy is network-bound when its busier link direction (half its
// link bytes: READ replies in, WRITE calls out) needs at least 80 % of its
// predicted time at the link's rate; then the offloaded method's reason
// says so, with the share of the bytes it moves and what it gains.
std::optional<std::string> network_bound_reason(const AdviceModel& model, const MethodPrediction& best,
                                                const MethodPrediction& host) {
  double rate = model.remote.link_Bps;
  if (!(rate > 0) || best.method == "host" || !(host.link_bytes > 0) || !(host.seconds > 0)) return std::nullopt;
  if (host.link_bytes / 2 / rate < 0.8 * host.seconds) return std::nullopt;
  return fmt::format("network-bound at {}: {} moves {} of the bytes over the link ({} vs {} host), {} vs {} host: {}",
                     bits_text(rate), best.method == "clone" ? "server-side clone" : "server-side copy",
                     percent_text(best.link_bytes / host.link_bytes), format_bytes(best.link_bytes),
                     format_bytes(host.link_bytes), format_seconds(best.seconds), format_seconds(host.seconds),
                     gain_text(best, host));
}

// Times inside the combined uncertainty cannot rank two methods. Then the one that moves no bytes through the
// copying process's buffers (an offloaded method: the kernel or the server copies) wins the tie over the host copy,
// which moves every byte through user space twice. Measured on ext4 (bench/README.md, "ext4: host vs
// copy_file_range"): the two are predicted within 1-10 % of each other there, and which one measures faster
// follows the price of the host copy's fresh page-cache folios, which changes from run to run.
bool wins_tie(const MethodPrediction& offloaded, const MethodPrediction& fastest) {
  return offloaded.user_space_bytes < fastest.user_space_bytes;
}

// Where copy_file_range remaps (XFS, btrfs), it and FICLONERANGE are one kernel operation:
// vfs_copy_file_range calls the filesystem's remap_file_range on one superblock (fs/read_write.c), as
// the clone ioctl does; only the calls differ (one per engine chunk). Their times cannot rank them.
bool same_kernel_operation(const PathProbe& probe, const MethodPrediction& a, const MethodPrediction& b) {
  return !is_remote_path(probe) && probe.copy_range == CopyRangeBehaviour::remaps && a.method != b.method &&
         a.method != "host" && b.method != "host";
}

}  // namespace

std::string format_seconds(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.3g} us", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.3g} ms", seconds * 1e3);
  return fmt::format("{:.3g} s", seconds);
}

Recommendation recommend(const PathProbe& probe, const AdviceModel& model) {
  if (model.predictions.empty()) return {"", "no method could be simulated"};
  auto order = model.predictions;
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.seconds < b.seconds; });
  auto band = [&](const MethodPrediction& a, const MethodPrediction& b) {
    return std::max(0.0, a.rms_error) + std::max(0.0, b.rms_error);
  };
  // The same kernel operation as the fastest: fewer calls wins (their times cannot rank them).
  std::size_t chosen = 0;
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (same_kernel_operation(probe, order[0], order[i]) && order[i].operations < order[chosen].operations) chosen = i;
  }
  // Inside the uncertainty of the fastest: a method that moves fewer bytes through user space wins the tie.
  std::optional<std::size_t> tied;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const MethodPrediction& fast = order[chosen];
    const MethodPrediction& other = order[i];
    if (i == chosen || same_kernel_operation(probe, fast, other) || !wins_tie(other, fast)) continue;
    if (other.seconds > fast.seconds * (1 + band(fast, other))) continue;
    if (!tied || other.seconds < order[*tied].seconds) tied = i;
  }
  if (tied) {
    const MethodPrediction& best = order[*tied];
    const MethodPrediction& fast = order[chosen];
    return {best.method, fmt::format("{}: {}, {} vs {} {} (tied within the uncertainty {}: {} moves {} through user "
                                     "space, {} {})",
                                     best.method, why(probe, best.method), format_seconds(best.seconds),
                                     format_seconds(fast.seconds), fast.method, uncertainty_text(band(best, fast)),
                                     fast.method, format_bytes(fast.user_space_bytes), best.method,
                                     format_bytes(best.user_space_bytes))};
  }
  const MethodPrediction best = order[chosen];
  order.erase(order.begin() + static_cast<std::ptrdiff_t>(chosen));
  std::string reason = best.method + ": " + why(probe, best.method) + ", " + format_seconds(best.seconds);
  if (order.empty()) return {best.method, best.method + ": the only method this path allows, " + format_seconds(best.seconds)};
  auto host = std::find_if(order.begin(), order.end(), [](const auto& p) { return p.method == "host"; });
  if (host != order.end()) {
    if (auto network = network_bound_reason(model, best, *host)) return {best.method, best.method + ": " + *network};
  }
  const MethodPrediction& shown = best.method != "host" && host != order.end() ? *host : order.front();
  reason += " vs " + format_seconds(shown.seconds) + " " + shown.method;
  // On a network path the offload's gain over the host copy, as when network-bound.
  if (is_remote_path(probe) && shown.method == "host" && best.method != "host") reason += ": " + gain_text(best, shown);
  // The same kernel operation is named even when another method's prediction lies between the two.
  auto same_op = std::find_if(order.begin(), order.end(), [&](const auto& p) { return same_kernel_operation(probe, best, p); });
  const MethodPrediction& next = same_op != order.end() ? *same_op : order.front();
  bool same = same_op != order.end();
  if (same || next.seconds <= best.seconds * (1 + band(best, next))) {
    reason += same ? fmt::format(" ({} is the same kernel operation here: copy_file_range remaps like the clone ioctl",
                                 next.method)
                   : fmt::format(" ({} is within the uncertainty", next.method);
    if (same && next.operations > best.operations) {  // why the same operation went to this one
      reason += fmt::format("; {} takes fewer calls: {:.0f} vs {:.0f}", best.method, best.operations, next.operations);
    }
    reason += ")";
  }
  return {best.method, reason};
}

std::string probe_text(const PathProbe& probe) {
  std::string out;
  for (const auto& f : probe.findings) out += fmt::format("  {:<23} {:<32} {}\n", f.what + ":", f.result, f.how);
  return out;
}

std::string advice_table(const AdviceModel& model, const std::vector<MeasuredMethod>& measured) {
  std::string out = fmt::format("{:<12} {:>11} {:>8} {:>12} {:>9} {:>11} {:>10} {:>9}", "method", "predicted", "±rms",
                                "throughput", "CPU s", "user bytes", "link bytes", "energy J");
  if (!measured.empty()) out += fmt::format(" {:>11} {:>8} {:>9}", "measured", "error", "CPU s");
  out += "\n";
  for (const auto& p : model.predictions) {
    out += fmt::format("{:<12} {:>11} {:>8} {:>12} {:>9.3g} {:>11} {:>10} {:>9.3g}", p.method, format_seconds(p.seconds),
                       uncertainty_text(p.rms_error), format_rate(p.throughput_Bps), p.client_cpu_s,
                       format_bytes(p.user_space_bytes), format_bytes(p.link_bytes), p.energy_J);
    if (const MeasuredMethod* m = find_measured(measured, p.method)) {
      if (m->outcome == "ok") {
        out += fmt::format(" {:>11} {:>+7.0f}% {:>9.3g}", format_seconds(m->seconds), (p.seconds / m->seconds - 1) * 100,
                           m->cpu_seconds);
      } else {
        out += "  failed: " + m->outcome;
      }
    }
    out += "\n";
  }
  for (const auto& [method, reason] : model.left_out) out += fmt::format("{:<12} not simulated: {}\n", method, reason);
  return out;
}

nlohmann::json advice_json(const PathProbe& probe, const CalibrationProfile& profile, const AdviceModel& model,
                           const Recommendation& recommendation, const std::vector<MeasuredMethod>& measured) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : probe.findings) findings.push_back({{"what", f.what}, {"result", f.result}, {"how", f.how}});
  nlohmann::json methods = nlohmann::json::array();
  for (const auto& p : model.predictions) {
    nlohmann::json row{{"method", p.method}, {"predicted_s", p.seconds}, {"throughput_Bps", p.throughput_Bps},
                       {"client_cpu_s", p.client_cpu_s}, {"user_space_bytes", p.user_space_bytes},
                       {"link_bytes", p.link_bytes}, {"operations", p.operations},
                       {"energy_J", p.energy_J},
                       {"energy_J_by_part", {{"client", p.client_J}, {"server", p.server_J}, {"network", p.network_J}}},
                       {"rms_relative_error", p.rms_error < 0 ? nlohmann::json(nullptr) : nlohmann::json(p.rms_error)},
                       {"recommended", p.method == recommendation.method}};
    if (const MeasuredMethod* m = find_measured(measured, p.method)) {
      row["measured_outcome"] = m->outcome;
      row["measured_s"] = m->outcome == "ok" ? nlohmann::json(m->seconds) : nlohmann::json(nullptr);
      row["measured_cpu_s"] = m->outcome == "ok" ? nlohmann::json(m->cpu_seconds) : nlohmann::json(nullptr);
      row["measured_samples_s"] = m->samples_s;
      row["measured_min_s"] = m->min_s;
      row["measured_max_s"] = m->max_s;
    }
    methods.push_back(row);
  }
  nlohmann::json left_out = nlohmann::json::array();
  for (const auto& [method, reason] : model.left_out) left_out.push_back({{"method", method}, {"reason", reason}});
  nlohmann::json out{{"kind", "offload-advice"},
                     {"source", probe.source},
                     {"destination", probe.destination},
                     {"size_bytes", model.size_bytes},
                     {"queue_depth", model.queue_depth},
                     {"probe",
                      {{"source_fs", probe.source_fs}, {"destination_fs", probe.destination_fs},
                       {"same_fs", probe.same_fs}, {"clone", probe.clone_works},
                       {"copy_file_range", probe.copy_range == CopyRangeBehaviour::remaps   ? "remaps"
                                           : probe.copy_range == CopyRangeBehaviour::copies ? "copies"
                                                                                            : "fails"},
                       {"nfs_version", probe.nfs_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(probe.nfs_version)},
                       {"findings", findings}}},
                     {"profile", {{"path", profile.path}, {"fs", profile.fs}, {"created_utc", profile.created_utc},
                                  {"provenance", profile.provenance}}},
                     {"scenario", model.scenario},
                     {"methods", methods},
                     {"left_out", left_out},
                     {"recommended", recommendation.method},
                     {"reason", recommendation.reason}};
  if (model.remote.link_Bps > 0) {
    out["remote"] = {{"link_Bps", model.remote.link_Bps}, {"link_how", model.remote.link_how},
                     {"server_disk_Bps", model.remote.server_disk_Bps}, {"server_disk_how", model.remote.server_disk_how},
                     {"round_trip_s", model.remote.round_trip_s}, {"round_trip_how", model.remote.round_trip_how}};
  }
  if (!model.page_cache.empty()) out["page_cache"] = model.page_cache;
  if (probe.nfs_copy_ops) out["probe"]["nfs_server_copy"] = probe.server_copy();
  if (probe.nfs_clone_ops) out["probe"]["nfs_server_clone"] = probe.server_clone();
  if (!probe.smb_dialect.empty()) out["probe"]["smb_dialect"] = probe.smb_dialect;
  if (probe.smb_copy_ioctls) out["probe"]["smb_server_copychunk"] = probe.server_copy();
  if (probe.smb_clone_ioctls) out["probe"]["smb_duplicate_extents"] = probe.server_clone();
  if (probe.link) {
    out["probe"]["link"] = {{"address", probe.link->address}, {"interface", probe.link->interface},
                            {"line_rate_Bps", probe.link->line_rate_Bps}, {"rate_Bps", probe.link->rate_Bps()}};
  }
  if (probe.round_trip.median_s > 0) {
    out["probe"]["round_trip"] = {{"median_s", probe.round_trip.median_s}, {"min_s", probe.round_trip.min_s},
                                  {"max_s", probe.round_trip.max_s}, {"samples_s", probe.round_trip.samples_s}};
  }
  if (const MeasuredMethod* best = fastest(measured)) {
    const auto* chosen = find_measured(measured, recommendation.method);
    out["verify"] = {{"fastest_measured", best->method},
                     {"recommended_vs_fastest", chosen != nullptr && chosen->outcome == "ok"
                                                    ? nlohmann::json(chosen->seconds / best->seconds - 1)
                                                    : nlohmann::json(nullptr)},
                     {"right", chosen != nullptr && chosen->outcome == "ok" && measured_right(*chosen, *best)}};
  }
  return out;
}

}  // namespace offload::cli
