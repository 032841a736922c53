#include "cli/calibration_fit.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/core.h>

#include "cli/least_squares.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

constexpr double kGiB = 1073741824.0;
constexpr double kMaxMemcpyBps = 1e12;   // 1 TB/s: beyond any machine's memory bandwidth per core
constexpr double kFreeFaultsBps = 1e15;  // 1 PB/s: fresh buffers cost nothing the fit can measure

bool remaps(const std::vector<std::pair<std::string, bool>>& copy_range_reflinks, const std::string& fs) {
  for (const auto& [name, yes] : copy_range_reflinks) if (name == fs) return yes;
  return false;
}

double calls(std::uint64_t size_bytes, std::uint64_t chunk_bytes) {
  return std::ceil(static_cast<double>(size_bytes) / static_cast<double>(std::max<std::uint64_t>(1, chunk_bytes)));
}

}  // namespace

CalibrationFit fit_calibration(const std::vector<CalibrationPoint>& points,
                               const std::vector<std::pair<std::string, bool>>& copy_range_reflinks, int cores) {
  CalibrationFit fit;
  fit.cores = cores;
  std::vector<std::string> filesystems;
  for (const auto& p : points) {
    if (std::find(filesystems.begin(), filesystems.end(), p.fs) == filesystems.end()) filesystems.push_back(p.fs);
  }
  // The cost of one operation: copies that move no data through the CPU
  // (clone, or copy_file_range where it remaps) are operations only.
  std::vector<double> per_op;
  for (const auto& p : points) {
    bool metadata_only = p.method == "clone" || (p.method == "kernel-copy" && remaps(copy_range_reflinks, p.fs));
    if (metadata_only && p.operations > 0 && p.cpu_seconds > 0) per_op.push_back(p.cpu_seconds / p.operations);
  }
  std::sort(per_op.begin(), per_op.end());
  bool any_host = std::any_of(points.begin(), points.end(), [](const auto& p) { return p.method == "host"; });
  if (!any_host) throw std::invalid_argument("--methods: the CPU fit needs host copies (memcpy_bandwidth)");
  if (!per_op.empty()) {
    fit.per_op_s = per_op[per_op.size() / 2];
  } else {  // no metadata-only copies (ext4 alone): operations and bytes together. A
    // copy_file_range takes few, constant operations, so with it the two are told apart.
    std::vector<std::string> columns;  // one per-byte column per (fs, method)
    std::vector<std::vector<double>> rows;
    std::vector<double> cpu;
    for (const auto& p : points) {
      bool data_copy = p.method == "host" || (p.method == "kernel-copy" && !remaps(copy_range_reflinks, p.fs));
      if (!data_copy || !(p.cpu_seconds > 0)) continue;
      std::string key = p.fs + " " + p.method;
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
    }
    for (const auto& p : points) {
      std::string key = p.fs + " " + p.method;
      auto column = std::find(columns.begin(), columns.end(), key);
      if (column == columns.end() || !(p.cpu_seconds > 0)) continue;
      std::vector<double> row(1 + columns.size(), 0.0);
      row[0] = p.operations;
      row[1 + static_cast<std::size_t>(column - columns.begin())] = static_cast<double>(p.size_bytes);
      rows.push_back(row);
      cpu.push_back(p.cpu_seconds);
    }
    fit.per_op_s = fit_non_negative(rows, cpu, true, "CPU seconds of host and kernel copies").coefficients[0];
  }
  // Per byte, per filesystem: the write path is the filesystem's (btrfs checksums data).
  auto per_byte = [&](const std::string& fs, const std::string& method, double memcpys) -> double {
    std::vector<std::vector<double>> rows;
    std::vector<double> work;
    for (const auto& p : points) {
      if (p.fs != fs || p.method != method || !(p.cpu_seconds > 0)) continue;
      rows.push_back({memcpys * static_cast<double>(p.size_bytes)});
      work.push_back(std::max(p.cpu_seconds - p.operations * fit.per_op_s, 1e-9));
    }
    if (rows.empty()) return 0;
    LinearFit f = fit_non_negative(rows, work, true, fs + " " + method + " CPU seconds");
    fit.cpu_rms_relative_residual = std::max(fit.cpu_rms_relative_residual, f.rms_relative_residual);
    return f.coefficients[0] > 0 ? 1 / f.coefficients[0] : 0;
  };

  // Host copies, jointly over the filesystems: each filesystem's memcpy
  // bandwidth (2 x bytes) and one shared cost of faulting in fresh buffers.
  std::map<std::string, double> host_memcpy_Bps;
  double buffer_fault_Bps = 0;
  {
    std::vector<std::string> columns;  // filesystems with host points
    for (const auto& p : points) {
      if (p.method == "host" && p.cpu_seconds > 0 && std::find(columns.begin(), columns.end(), p.fs) == columns.end()) {
        columns.push_back(p.fs);
      }
    }
    bool any_fresh = std::any_of(points.begin(), points.end(),
                                 [](const auto& p) { return p.method == "host" && p.fresh_buffer_bytes > 0; });
    std::vector<std::vector<double>> rows;
    std::vector<double> work;
    for (const auto& p : points) {
      if (p.method != "host" || !(p.cpu_seconds > 0)) continue;
      std::vector<double> row(columns.size() + (any_fresh ? 1 : 0), 0.0);
      row[static_cast<std::size_t>(std::find(columns.begin(), columns.end(), p.fs) - columns.begin())] =
          2.0 * static_cast<double>(p.size_bytes);
      if (any_fresh) row.back() = p.fresh_buffer_bytes;
      rows.push_back(row);
      work.push_back(std::max(p.cpu_seconds - p.operations * fit.per_op_s, 1e-9));
    }
    if (!rows.empty()) {
      LinearFit f = fit_non_negative(rows, work, true, "host copies' CPU seconds");
      fit.cpu_rms_relative_residual = std::max(fit.cpu_rms_relative_residual, f.rms_relative_residual);
      for (std::size_t j = 0; j < columns.size(); ++j) {
        double rate = f.coefficients[j] > 0 ? 1 / f.coefficients[j] : kMaxMemcpyBps;
        if (rate > kMaxMemcpyBps) {  // CPU seconds that hardly grow with size: noise, not a memory this fast
          fit.notes.push_back(fmt::format("{}: memcpy_bandwidth held at {} (the fit gave {}: the host copies' CPU "
                                          "seconds hardly grow with size; use larger --sizes)",
                                          columns[j], format_rate(kMaxMemcpyBps), format_rate(rate)));
          rate = kMaxMemcpyBps;
        }
        host_memcpy_Bps[columns[j]] = rate;
      }
      // A zero cost: faults too cheap to see beside the copies' work.
      if (any_fresh) buffer_fault_Bps = f.coefficients.back() > 0 ? 1 / f.coefficients.back() : kFreeFaultsBps;
    }
  }

  for (const std::string& name : filesystems) {
    FsConstants fs;
    fs.fs = name;
    fs.copy_range_reflinks = remaps(copy_range_reflinks, name);
    for (const auto& p : points) {
      if (p.fs != name) continue;
      if (std::find(fs.methods.begin(), fs.methods.end(), p.method) == fs.methods.end()) fs.methods.push_back(p.method);
      fs.reflink |= p.method == "clone";
    }
    fs.reflink |= fs.copy_range_reflinks;
    fs.memcpy_Bps = host_memcpy_Bps.contains(name) ? host_memcpy_Bps.at(name) : 0;
    fs.buffer_fault_Bps = buffer_fault_Bps;
    if (!fs.copy_range_reflinks) fs.kernel_copy_Bps = per_byte(name, "kernel-copy", 1);
    fit.filesystems.push_back(fs);
    for (const std::string& method : fs.methods) {
      std::vector<double> x, y;
      for (const auto& p : points) {
        if (p.fs == name && p.method == method) {
          x.push_back(static_cast<double>(p.size_bytes));
          y.push_back(p.seconds);
        }
      }
      if (x.size() < 2) continue;
      LinearFit line = fit_line(x, y, name + " " + method + " seconds");
      fit.lines.push_back({name, method, line.coefficients[0],
                           line.coefficients[1] > 0 ? 1 / line.coefficients[1] : 0, line.rms_relative_residual});
      if (method == "host") {  // the wait beyond the faults the model charges as CPU work (mean over the points)
        FsConstants& f = fit.filesystems.back();
        double fault_s = 0;
        int n = 0;
        for (const auto& p : points) {
          if (p.fs != name || p.method != "host" || !(f.buffer_fault_Bps > 0)) continue;
          fault_s += p.fresh_buffer_bytes / f.buffer_fault_Bps;
          ++n;
        }
        f.host_copy_start_s = std::max(0.0, line.coefficients[0] - (n > 0 ? fault_s / n : 0));
      }
    }
  }
  return fit;
}

void fit_clone(const std::vector<CalibrationPoint>& points, std::uint64_t clone_chunk_bytes,
               std::uint64_t kernel_copy_chunk_bytes, const CalibrationFit& fit, FsConstants& fs) {
  std::vector<std::vector<double>> rows;
  std::vector<double> work;
  for (const auto& p : points) {
    bool is_clone = p.method == "clone";
    if (p.fs != fs.fs || !(is_clone || (p.method == "kernel-copy" && fs.copy_range_reflinks))) continue;
    double n = calls(p.size_bytes, is_clone ? clone_chunk_bytes : kernel_copy_chunk_bytes);
    // The model's open and finish operations cost per_op_cpu each; the rest is the clone calls.
    double cpu_s = p.seconds * fs.core_speed - 2 * fit.per_op_s;
    rows.push_back({n, static_cast<double>(p.size_bytes) / kGiB});
    work.push_back(std::max(cpu_s, 1e-9));
  }
  if (rows.empty()) return;
  if (rows.size() < 2) throw std::invalid_argument(fs.fs + " clone: give at least two --sizes");
  LinearFit clone = fit_non_negative(rows, work, true, fs.fs + " clone seconds");
  fs.clone_fixed_s = clone.coefficients[0];
  fs.clone_per_GiB_s = clone.coefficients[1];
}

double fit_time_scale(const std::vector<double>& measured_s, const std::vector<double>& simulated_s,
                      const std::string& what) {
  std::vector<std::vector<double>> rows;
  for (double s : simulated_s) rows.push_back({s});
  LinearFit scale = fit_non_negative(rows, measured_s, true, what);
  if (!(scale.coefficients[0] > 0)) throw std::invalid_argument(what + ": simulated times are zero");
  return scale.coefficients[0];
}

nlohmann::json fit_to_json(const CalibrationFit& fit) {
  nlohmann::json filesystems = nlohmann::json::array();
  for (const auto& fs : fit.filesystems) {
    filesystems.push_back({{"fs", fs.fs}, {"reflink", fs.reflink}, {"copy_range_reflinks", fs.copy_range_reflinks},
                           {"memcpy_Bps", fs.memcpy_Bps},
                           {"kernel_copy_Bps", fs.kernel_copy_Bps}, {"clone_fixed_s", fs.clone_fixed_s},
                           {"clone_per_GiB_s", fs.clone_per_GiB_s},
                           {"remap_fixed_s", fs.remap_fixed_s}, {"core_speed", fs.core_speed},
                           {"host_copy_start_s", fs.host_copy_start_s},
                           {"buffer_fault_Bps", fs.buffer_fault_Bps}, {"write_share", fs.write_share},
                           {"writeback_Bps", fs.writeback_Bps}, {"page_writeback_Bps", fs.page_writeback_Bps},
                           {"methods", fs.methods}});
  }
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : fit.lines) {
    lines.push_back({{"fs", l.fs}, {"method", l.method}, {"intercept_s", l.intercept_s},
                     {"bandwidth_Bps", l.bandwidth_Bps}, {"rms_relative_residual", l.rms_relative_residual}});
  }
  return {{"cores", fit.cores},
          {"per_op_s", fit.per_op_s},   {"cpu_rms_relative_residual", fit.cpu_rms_relative_residual},
          {"filesystems", filesystems}, {"time_lines", lines}, {"notes", fit.notes}};
}

}  // namespace offload::cli
