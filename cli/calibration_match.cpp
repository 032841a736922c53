#include "cli/calibration_match.hpp"

#include <algorithm>
#include <cmath>

namespace offload::cli {
namespace {

struct Sums {
  double measured_s = 0;   ///< measured seconds (fit half), summed
  double simulated_s = 0;  ///< simulated seconds, summed
  double calls = 0;        ///< clone calls, summed (metadata copies only)
};

bool is_remap(const FsConstants& fs, const std::string& method) {
  return method == "kernel-copy" && fs.copy_range_reflinks;
}

double calls(std::uint64_t size_bytes, std::uint64_t chunk_bytes) {
  return std::ceil(static_cast<double>(size_bytes) / static_cast<double>(std::max<std::uint64_t>(1, chunk_bytes)));
}

}  // namespace

MatchOutcome match_wall_times(const std::vector<CalibrationPoint>& points, FsConstants& fs, const MatchChunks& chunks,
                              const SimulateFs& simulate, SimulatedTimes& last, int max_iterations, double tolerance) {
  MatchOutcome out;
  out.fs = fs.fs;
  for (int round = 0; round < max_iterations; ++round) {
    last = simulate(fs);
    ++out.iterations;
    std::map<std::string, Sums> sums;  // "host", "kernel-copy" (data), "clone", "remap"
    for (const auto& p : points) {
      auto it = last.find({p.method, p.size_bytes, p.queue_depth});
      if (p.fs != fs.fs || it == last.end() || !(p.seconds > 0)) continue;
      bool remap = is_remap(fs, p.method);
      bool metadata = p.method == "clone" || remap;
      Sums& s = sums[remap ? "remap" : p.method];
      double start = p.method == "host" ? fs.host_copy_start_s : 0;  // a wait, not work: no knob moves it
      s.measured_s += p.seconds - start;
      s.simulated_s += it->second - start;
      if (metadata) s.calls += calls(p.size_bytes, p.method == "clone" ? chunks.clone_chunk_bytes : chunks.kernel_copy_chunk_bytes);
    }
    out.ratio.clear();
    bool converged = true;
    for (const auto& [what, s] : sums) {
      if (!(s.measured_s > 0) || !(s.simulated_s > 0)) continue;
      double ratio = s.simulated_s / s.measured_s;
      out.ratio[what] = ratio;
      if (std::abs(ratio - 1) > tolerance) converged = false;
    }
    if (converged || round + 1 == max_iterations) break;
    for (const auto& [what, s] : sums) {
      if (!(s.measured_s > 0) || !(s.simulated_s > 0)) continue;
      double ratio = s.simulated_s / s.measured_s;
      if (what == "host") {
        // Work at core_speed c takes W / c: the speed that gives the measured time.
        fs.core_speed = std::clamp(fs.core_speed * ratio, 1e-3, 1.0);
      } else if (what == "kernel-copy" && fs.kernel_copy_Bps > 0) {
        fs.kernel_copy_Bps = std::clamp(fs.kernel_copy_Bps * ratio, 1e6, 1e13);
      } else if ((what == "clone" || what == "remap") && s.calls > 0) {
        // Each call costs its fixed CPU / core_speed of wall time.
        double& per_call_s = what == "clone" ? fs.clone_fixed_s : fs.remap_fixed_s;
        if (per_call_s < 0) per_call_s = fs.clone_fixed_s;  // a remap starts at the clone's cost
        per_call_s = std::max(0.0, per_call_s + (s.measured_s - s.simulated_s) * fs.core_speed / s.calls);
      }
    }
  }
  // Knobs that could not reach the measured time.
  auto off = [&](const char* what) { return out.ratio.contains(what) && std::abs(out.ratio.at(what) - 1) > tolerance; };
  if (off("host") && fs.core_speed == 1.0) out.notes.emplace_back("host: core_speed at its bound 1, the simulated copies stay slower");
  if (off("clone") && fs.clone_fixed_s == 0) {
    out.notes.emplace_back("clone: per-call cost at 0, the copies' open and finish operations alone exceed the measured time");
  }
  if (off("remap") && fs.remap_fixed_s == 0) {
    out.notes.emplace_back("remap: per-call cost at 0, the copies' open and finish operations alone exceed the measured time");
  }
  return out;
}

}  // namespace offload::cli
