#include "cli/calibration_scenario.hpp"

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {
namespace {

// The one number rule (engine/units.hpp): binary units chosen per value, six digits, read back by the parsers.
std::string rate(double bytes_per_s) { return "\"" + toml_rate(bytes_per_s) + "\""; }
std::string duration(double seconds) { return "\"" + toml_duration(seconds) + "\""; }

template <typename T>
std::string array(const std::vector<T>& values, bool quoted) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? ", " : "") + (quoted ? fmt::format("\"{}\"", values[i]) : fmt::format("{}", values[i]));
  }
  return out + "]";
}

std::string host_table(const CalibrationFit& fit, const FsConstants& fs) {
  std::string fs_table = fmt::format("{{ reflink = {}, copy_range_reflinks = {}", fs.reflink, fs.copy_range_reflinks);
  // Not applicable is absent (the simulator's defaults), not a fitted 0: no clone costs without reflink.
  if (fs.reflink) {
    fs_table += ", clone_fixed_cpu = " + duration(fs.clone_fixed_s) + ", clone_cpu_per_GiB = " + duration(fs.clone_per_GiB_s);
  }
  if (fs.copy_range_reflinks && fs.remap_fixed_s >= 0) fs_table += ", remap_fixed_cpu = " + duration(fs.remap_fixed_s);
  if (fs.kernel_copy_Bps > 0) fs_table += ", kernel_copy_bandwidth = " + rate(fs.kernel_copy_Bps);
  if (fs.host_copy_start_s > 0) fs_table += ", host_copy_start = " + duration(fs.host_copy_start_s);
  if (fs.write_share != 0.5) fs_table += fmt::format(", write_share = {:.9g}", fs.write_share);  // every digit: the fit perturbs it by 1e-4
  fs_table += " }";
  return fmt::format(
      "[[host]]                          # {fs}: methods measured {methods}\n"
      "name = \"{name}\"\n"
      "cores = {cores}\n"
      "core_speed = {speed:.6g}                # share of a core the copies got (wall vs CPU seconds)\n"
      "memcpy_bandwidth = {memcpy}\n"
      "{fault}"
      "per_op_cpu = {per_op}\n"
      "# Not a measured disk: the copies ran warm in the page cache and never waited for the device.\n"
      "disk = {{ read = \"100GBps\", write = \"100GBps\", latency = \"0s\" }}\n"
      "fs = {fs_table}\n",
      fmt::arg("fs", fs.fs), fmt::arg("methods", array(fs.methods, false)), fmt::arg("name", calibrated_host_name(fs.fs)),
      fmt::arg("cores", fit.cores), fmt::arg("speed", fs.core_speed), fmt::arg("memcpy", rate(fs.memcpy_Bps > 0 ? fs.memcpy_Bps : 8e9)),
      fmt::arg("per_op", duration(fit.per_op_s)), fmt::arg("fs_table", fs_table),
      fmt::arg("fault", fs.buffer_fault_Bps > 0 ? "buffer_fault_bandwidth = " + rate(fs.buffer_fault_Bps) + "\n" : ""));
}

}  // namespace

std::string calibrated_host_name(const std::string& fs) { return "calibrated-" + (fs.empty() ? std::string("fs") : fs); }

std::string fragment_toml(const CalibrationFit& fit, const std::string& provenance) {
  std::string out = "# Scenario fragment written by `offload calibrate`: " + provenance + "\n";
  out += fmt::format("# CPU fit: {} per operation; per-byte fits within {:.1f} % rms (relative).\n\n",
                     format_duration(fit.per_op_s), fit.cpu_rms_relative_residual * 100);
  for (const auto& fs : fit.filesystems) out += host_table(fit, fs) + "\n";
  return out;
}

std::string validation_scenario_toml(const CalibrationFit& fit, const FsConstants& fs,
                                     const std::vector<std::uint64_t>& sizes, const std::vector<unsigned>& queue_depths,
                                     const std::vector<std::string>& methods, const EngineConfig& engine) {
  std::string out = fmt::format(
      "[scenario]\n"
      "name = \"calibration-{fs}\"\n"
      "description = \"The copies `offload calibrate` measured on {fs}, on the calibrated host\"\n"
      "network_model = \"CM02\"\n"
      "methods = {methods}\n\n"
      "[engine]\n"
      "queue_depth = {qd}\n"
      "copy_depth = {copy_depth}\n"
      "host_chunk = {host_chunk}\n"
      "kernel_copy_chunk = {kernel_chunk}\n"
      "clone_chunk = {clone_chunk}\n\n",
      fmt::arg("fs", fs.fs), fmt::arg("methods", array(methods, true)), fmt::arg("qd", queue_depths.front()),
      fmt::arg("copy_depth", engine.copy_depth),
      fmt::arg("host_chunk", engine.host_chunk_bytes), fmt::arg("kernel_chunk", engine.kernel_copy_chunk_bytes),
      fmt::arg("clone_chunk", engine.clone_chunk_bytes));
  out += host_table(fit, fs) + "\n";
  out += fmt::format("[[copy]]\non = \"{}\"\nfrom = \"local:/calibration/source\"\nto = \"local:/calibration/copy\"\nsize = {}\n\n",
                     calibrated_host_name(fs.fs), sizes.front());
  out += "[sweep]\n\"copy.1.size\" = " + array(sizes, false) + "\n\"engine.queue_depth\" = " + array(queue_depths, false) + "\n";
  return out;
}

}  // namespace offload::cli
