#include "cli/calibration_match.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "cli/bounded_fit.hpp"

namespace offload::cli {
namespace {

// The physical range of each knob.
constexpr double kMinCoreSpeed = 0.01;  // a copy that got 1 % of a core: a machine this loaded measures nothing
constexpr double kMaxCoreSpeed = 1.0;   // a whole core: one worker cannot run faster than the core it is on
constexpr double kMaxStartS = 1.0;      // a start-up over a second is a stalled machine, not a start-up
constexpr double kMinKernelCopyBps = 1e7, kMaxKernelCopyBps = 1e12;  // 10 MB/s (a slow disk) .. 1 TB/s (memory)
constexpr double kMaxPerCallS = 0.1;    // 100 ms per clone/remap call: beyond any filesystem's metadata update
// The write side's share of a host copy's CPU: both sides move every byte once, so neither is free.
constexpr double kMinWriteShare = 0.05, kMaxWriteShare = 0.95;

bool is_remap(const FsConstants& fs, const std::string& method) {
  return method == "kernel-copy" && fs.copy_range_reflinks;
}

// The method group a point's knob belongs to: "host", "kernel-copy" (data), "clone" or "remap".
std::string group_of(const FsConstants& fs, const std::string& method) { return is_remap(fs, method) ? "remap" : method; }

}  // namespace

MatchOutcome match_wall_times(const std::vector<CalibrationPoint>& points, FsConstants& fs, const MatchChunks& chunks,
                              const SimulateFs& simulate, SimulatedTimes& last, int max_iterations, double tolerance) {
  (void)chunks;  // the simulator counts the calls itself; kept for callers that state the engine's chunks
  MatchOutcome out;
  out.fs = fs.fs;
  std::vector<const CalibrationPoint*> used;
  std::map<std::string, std::vector<std::size_t>> rows;  // group -> residual indices
  for (const auto& p : points) {
    if (p.fs != fs.fs || !(p.seconds > 0)) continue;
    rows[group_of(fs, p.method)].push_back(used.size());
    used.push_back(&p);
  }
  if (used.empty()) {
    last = simulate(fs);
    out.iterations = 1;
    return out;
  }
  if (fs.remap_fixed_s < 0 && rows.contains("remap")) fs.remap_fixed_s = fs.clone_fixed_s;  // a remap starts at the clone's cost

  // Two fits, each joint over its points: the CPU-bound copies (host, in-kernel
  // data copies) set the core speed with their own knobs; then the
  // metadata-only copies (clone, remap) set their per-call costs at that
  // speed, so sub-millisecond copies, the noisiest, cannot drag the core
  // speed the data copies measure.
  struct Knob {
    BoundedParameter parameter;
    double* value;
  };
  auto run_fit = [&](std::vector<Knob> knobs, const std::vector<std::string>& groups) {
    std::vector<std::size_t> fitted_rows;  // indices into `used`
    for (const auto& g : groups) {
      if (rows.contains(g)) fitted_rows.insert(fitted_rows.end(), rows.at(g).begin(), rows.at(g).end());
    }
    std::sort(fitted_rows.begin(), fitted_rows.end());
    if (knobs.empty() || fitted_rows.empty()) return;
    std::vector<BoundedParameter> parameters;
    for (auto& knob : knobs) {  // residual indices relative to the fitted rows
      std::vector<std::size_t> moved;
      for (std::size_t row : knob.parameter.residuals) {
        moved.push_back(static_cast<std::size_t>(std::find(fitted_rows.begin(), fitted_rows.end(), row) - fitted_rows.begin()));
      }
      knob.parameter.residuals = moved;
      parameters.push_back(knob.parameter);
    }
    auto residuals = [&](const std::vector<double>& values) {
      for (std::size_t j = 0; j < values.size(); ++j) *knobs[j].value = values[j];
      last = simulate(fs);
      std::vector<double> r;
      for (std::size_t row : fitted_rows) {
        const CalibrationPoint* p = used[row];
        auto it = last.find({p->method, p->size_bytes, p->queue_depth});
        double simulated = it == last.end() ? 0 : it->second;
        if (!(simulated > 0)) {
          throw std::runtime_error(fmt::format("{} {} {} B qd {}: the simulation gave no time", fs.fs, p->method,
                                               p->size_bytes, p->queue_depth));
        }
        r.push_back(std::log(simulated / p->seconds));  // relative error, symmetric in over and under
      }
      return r;
    };
    BoundedFitResult fit = fit_bounded(parameters, residuals, max_iterations, tolerance);
    for (std::size_t j = 0; j < knobs.size(); ++j) *knobs[j].value = parameters[j].value;
    out.iterations += fit.evaluations;
    for (const auto& bound : fit.at_bound) {
      out.fitted_on_bound = true;
      out.notes.push_back(fmt::format("the model cannot explain these points: {} (rms error {:.1f} % over {} {} points)",
                                      bound, std::expm1(fit.rms_residual) * 100, fitted_rows.size(),
                                      fmt::join(groups, "/")));
    }
  };
  auto knob = [&](const char* name, double& value, double lower, double upper, bool log_scale, const char* group,
                  std::vector<Knob>& into) {
    if (group != nullptr && !rows.contains(group)) return;
    into.push_back({{name, value, lower, upper, log_scale, group != nullptr ? rows.at(group) : std::vector<std::size_t>{}}, &value});
  };
  // Only copies at several queue depths tell the write side's share apart:
  // with one request in flight reads and writes alternate whatever their split.
  auto has_deeper_queue = [&](const std::string& group) {
    if (!rows.contains(group)) return false;
    bool one = false, deeper = false;
    for (std::size_t row : rows.at(group)) (used[row]->queue_depth > 1 ? deeper : one) = true;
    return one && deeper;
  };
  std::vector<Knob> data_knobs, metadata_knobs;
  if (rows.contains("host") || rows.contains("kernel-copy")) {
    knob("core_speed", fs.core_speed, kMinCoreSpeed, kMaxCoreSpeed, true, nullptr, data_knobs);
  }
  knob("host_copy_start", fs.host_copy_start_s, 0, kMaxStartS, false, "host", data_knobs);
  bool split_unseen = rows.contains("host") && !has_deeper_queue("host");
  if (!split_unseen) knob("write_share", fs.write_share, kMinWriteShare, kMaxWriteShare, false, "host", data_knobs);
  if (fs.kernel_copy_Bps > 0) {
    knob("kernel_copy_bandwidth", fs.kernel_copy_Bps, kMinKernelCopyBps, kMaxKernelCopyBps, true, "kernel-copy", data_knobs);
  }
  knob("clone_fixed_cpu", fs.clone_fixed_s, 0, kMaxPerCallS, false, "clone", metadata_knobs);
  knob("remap_fixed_cpu", fs.remap_fixed_s, 0, kMaxPerCallS, false, "remap", metadata_knobs);

  auto all_residuals = [&] {
    last = simulate(fs);
    ++out.iterations;
    double sum = 0;
    for (const CalibrationPoint* p : used) {
      double e = std::log(last.at({p->method, p->size_bytes, p->queue_depth}) / p->seconds);
      sum += e * e;
    }
    return std::expm1(std::sqrt(sum / static_cast<double>(used.size())));
  };
  out.start_rms_residual = all_residuals();
  run_fit(data_knobs, {"host", "kernel-copy"});
  run_fit(metadata_knobs, {"clone", "remap"});
  out.rms_residual = all_residuals();  // and `last` holds the final constants' times: validation-FS.toml
  if (split_unseen) {
    out.notes.push_back(fmt::format("write_share left at {} (not fitted): host copies at one queue depth cannot tell "
                                    "their read and write sides apart; measure at depth 1 and deeper (--queue-depths 1,8)",
                                    fs.write_share));
  }

  std::map<std::string, std::pair<double, double>> sums;  // group -> simulated, measured seconds
  for (const CalibrationPoint* p : used) {
    auto& s = sums[group_of(fs, p->method)];
    s.first += last.at({p->method, p->size_bytes, p->queue_depth});
    s.second += p->seconds;
  }
  for (const auto& [group, s] : sums) out.ratio[group] = s.first / s.second;
  return out;
}

}  // namespace offload::cli
