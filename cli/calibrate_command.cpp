// `offload calibrate`: measures real copies on this machine (host,
// kernel-copy, clone; several sizes and queue depths; one directory per
// filesystem), fits the simulator's CPU and local-filesystem constants by
// least squares (cli/calibration_fit.hpp), writes them as a scenario
// fragment, then replays the same copies in the simulator on the calibrated
// host and prints predicted vs measured throughput per method per fs.
// Outputs in --out: calibration.toml (fragment), measurements.json (every
// timed copy), validation-FS.toml (the replay scenarios) and validation.json
// (kind "offload-calibration": fit, table, per-point times; read by
// `offload report`). The outputs get their names only once all of them are
// written: a run stopped by a signal (cli/stop_signals.hpp) leaves none, and
// removes its source files. Without --dir it measures in a temporary directory.
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/advise_profile.hpp"
#include "cli/calibration_fit.hpp"
#include "cli/calibration_match.hpp"
#include "cli/calibration_scenario.hpp"
#include "cli/calibration_validate.hpp"
#include "cli/commands.hpp"
#include "cli/copy_runner.hpp"
#include "cli/copy_trial.hpp"
#include "cli/file_check.hpp"
#include "cli/page_cache.hpp"
#include "cli/scratch_directory.hpp"
#include "cli/stop_signals.hpp"
#include "engine/units.hpp"
#include "sim/scenario/scenario.hpp"

namespace offload::cli {
namespace {

// The file methods a calibration can measure one at a time (auto mixes them).
std::vector<std::string> pinned_file_methods() {
  auto names = file_method_choice_names();
  std::erase(names, "auto");
  return names;
}

constexpr double kTarget = 0.10;  // the validation target: 10 % per method

struct CalibrateOptions {
  std::vector<std::string> directories;
  std::vector<std::string> sizes{"16MiB", "64MiB", "256MiB"};
  std::vector<unsigned> queue_depths{1, 8};
  std::vector<std::string> methods{"host", "kernel-copy", "clone"};
  unsigned repeat = 7;  // 4 fit + 3 held out: each median survives a disturbed copy
  unsigned jobs = 0;
  std::string out = "calibration";
  std::string profile_dir = profile_directory();  // where `offload advise` looks ("" = do not save)
};

struct Measured {
  std::vector<CalibrationPoint> points;
  nlohmann::json runs = nlohmann::json::array();
  nlohmann::json failures = nlohmann::json::array();  // methods that cannot copy on a filesystem
  std::vector<std::pair<std::string, bool>> copy_range_reflinks;
  std::map<std::string, double> writeback_Bps;  // fs -> the device's write-back rate (cli/page_cache.hpp)
  std::map<std::string, double> page_writeback_Bps;  // fs -> the same without a cache flush (sync_file_range)
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error(path + ": cannot write");
}

// Does copy_file_range share extents here (XFS, btrfs) rather than copy data?
bool copy_range_remaps(const std::string& directory, const EngineConfig& engine) {
  std::string source = directory + "/offload-calibrate-probe.bin", copy = source + ".copy";
  bool shared = false;
  if (write_pattern_file(source, 4 << 20, 7)) {
    unlink(copy.c_str());
    RunOptions options;
    options.engine = engine;
    auto status = run_copy({.source = source, .destination = copy, .method = MethodChoice::kernel_copy}, options);
    if (status && status->state == CopyState::done) shared = shares_extents(copy).value_or(false);
  }
  unlink(copy.c_str());
  unlink(source.c_str());
  return shared;
}

// Alternate copies fit and check: the 1st, 3rd, 5th ... timed copy of a point
// feed the fit, the 2nd, 4th ... are held out for the validation, so the
// reported error includes how well one run of copies predicts the next.
std::pair<std::vector<double>, std::vector<double>> split_samples(const std::vector<double>& seconds) {
  std::vector<double> fit_half, held_out;
  for (std::size_t i = 0; i < seconds.size(); ++i) (i % 2 == 0 ? fit_half : held_out).push_back(seconds[i]);
  return {fit_half, held_out};
}

// The points as the held-out copies measured them (the fit half where none was held out).
std::vector<CalibrationPoint> held_out_points(std::vector<CalibrationPoint> points) {
  for (auto& p : points) {
    if (!(p.holdout_seconds > 0)) continue;
    p.seconds = p.holdout_seconds;
    p.half_samples_s = split_samples(p.samples_s).second;
  }
  return points;
}

// Copies of one point that burnt over 3x the CPU of its cheapest (at least 1 ms of
// CPU, so not a sub-millisecond copy's scheduling noise): on the development VM
// 15-30 % of the host copies of 32-64 MiB wrote into fresh page-cache folios
// 6-9x slower (bench/README.md "Slow runs of copies"). Said, so that a point's
// median is read with that in mind.
void note_slow_copies(const std::string& fs, const TrialSpec& spec, const std::vector<double>& cpu_seconds) {
  if (cpu_seconds.empty()) return;
  double cheapest = *std::min_element(cpu_seconds.begin(), cpu_seconds.end());
  if (cheapest < 1e-3) return;
  std::vector<double> slow;
  for (double cpu : cpu_seconds) if (cpu > 3 * cheapest) slow.push_back(cpu / cheapest);
  if (slow.empty()) return;
  auto [low, high] = std::minmax_element(slow.begin(), slow.end());
  std::fprintf(stderr, "calibrate: %s %s %s qd %u: %zu of %zu copies took %.1f-%.1fx the CPU of the cheapest one\n",
               fs.c_str(), spec.method.c_str(), format_bytes(static_cast<double>(spec.size_bytes)).c_str(),
               spec.engine.queue_depth, slow.size(), cpu_seconds.size(), *low, *high);
}

int measure_directory(const CalibrateOptions& o, const std::string& directory, const std::vector<std::uint64_t>& sizes,
                      Measured& m) {
  std::vector<std::string> methods = o.methods;
  std::string fs = "?";
  RemoveOnExit source_file(directory + "/offload-calibrate-source.bin");
  const std::string& source = source_file.path();
  bool measure_remap = std::find(o.methods.begin(), o.methods.end(), "kernel-copy") != o.methods.end();
  bool remaps_here = measure_remap && copy_range_remaps(directory, EngineConfig{});
  throw_if_stopped();
  for (std::uint64_t size : sizes) {
    if (auto made = write_pattern_file(source, size, 42); !made) {
      std::fprintf(stderr, "offload: %s: cannot write the source file: %s\n", source.c_str(), made.error().c_str());
      return 1;
    }
    throw_if_stopped();
    // Every method and depth of this size, their copies interleaved (copy_trial.hpp run_interleaved).
    std::vector<TrialSpec> specs;
    for (const std::string& method : methods) {
      for (unsigned depth : o.queue_depths) {
        // Sub-millisecond copies (clone, remapping copy_file_range) are cheap to repeat and
        // noisier than the data copies: three times the copies for the same confidence.
        bool metadata_only = method == "clone" || (method == "kernel-copy" && remaps_here);
        specs.push_back({directory, source, size, method, metadata_only ? 3 * o.repeat : o.repeat, {}, true, true});
        specs.back().engine.queue_depth = depth;  // copy_depth stays the engine's default, as `offload cp` runs
      }
    }
    std::vector<TrialResult> results = run_interleaved(specs, m.runs);
    throw_if_stopped();  // a cancelled copy is the user's stop, not a gap in the fit
    std::set<std::string> dropped;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const TrialSpec& spec = specs[i];
      TrialResult& t = results[i];
      if (!t.fs.empty()) fs = t.fs;
      if (t.outcome.starts_with("VERIFY")) {
        std::fprintf(stderr, "offload: %s: %s %s: %s\n", directory.c_str(), fs.c_str(), spec.method.c_str(), t.outcome.c_str());
        return 1;
      }
      if (!t.ok()) {  // e.g. clone on ext4: left out of this filesystem's fit
        if (dropped.insert(spec.method).second) {
          m.failures.push_back({{"directory", directory}, {"fs", fs}, {"method", spec.method}, {"outcome", t.outcome}});
          std::fprintf(stderr, "calibrate: %s %s: %s (left out)\n", fs.c_str(), spec.method.c_str(), t.outcome.c_str());
        }
        continue;
      }
      if (dropped.contains(spec.method)) continue;  // failed at another depth: no half-measured method
      unsigned depth = spec.engine.queue_depth;
      std::vector<double> ops(t.operations.begin(), t.operations.end());
      std::vector<double> fresh(t.fresh_buffer_bytes.begin(), t.fresh_buffer_bytes.end());
      auto [fit_half, held_out] = split_samples(t.seconds);
      m.points.push_back({fs, spec.method, size, depth, median(fit_half), median(t.cpu_seconds), median(ops), t.seconds,
                          median(held_out), fit_half, median(fresh)});
      std::fprintf(stderr, "calibrate: %-6s %-12s %9s qd %-3u %9s  cpu %9s\n", fs.c_str(), spec.method.c_str(),
                   format_bytes(static_cast<double>(size)).c_str(), depth,
                   format_duration(m.points.back().seconds).c_str(), format_duration(m.points.back().cpu_seconds).c_str());
      note_slow_copies(fs, spec, t.cpu_seconds);
    }
    std::erase_if(m.points, [&](const CalibrationPoint& p) { return p.fs == fs && p.size_bytes == size && dropped.contains(p.method); });
    std::erase_if(methods, [&](const std::string& method) { return dropped.contains(method); });
  }
  if (measure_remap) m.copy_range_reflinks.emplace_back(fs, remaps_here);
  // What the copies above never waited for (they stayed in the page cache): the device's write-back rate,
  // which a copy beyond the dirty-page limit runs at. The largest size, at least 16 MiB, three rounds.
  const std::uint64_t writeback_bytes = std::max<std::uint64_t>(sizes.back(), 16 << 20);
  m.writeback_Bps[fs] = measure_writeback_Bps(directory, writeback_bytes, 3);
  // ext4's delayed-allocation wait (advise_ext4_delalloc.hpp) waits for the pages alone, no cache flush.
  m.page_writeback_Bps[fs] = measure_writeback_Bps(directory, writeback_bytes, 3, true);
  throw_if_stopped();
  return 0;
}

std::vector<std::uint64_t> parse_sizes(const CalibrateOptions& o, const std::vector<std::string>& directories) {
  std::vector<std::uint64_t> sizes;
  for (const std::string& text : o.sizes) {
    auto size = parse_size_bytes(text);
    if (!size) throw CLI::ValidationError("--sizes", size.error());
    if (*size < (1U << 20)) throw CLI::ValidationError("--sizes", "'" + text + "' is below 1MiB: too short to time");
    if (std::find(sizes.begin(), sizes.end(), *size) == sizes.end()) sizes.push_back(*size);
  }
  std::sort(sizes.begin(), sizes.end());
  if (std::find(o.methods.begin(), o.methods.end(), "host") == o.methods.end()) {
    throw CLI::ValidationError("--methods", "include host: the CPU fit (memcpy_bandwidth) needs host copies");
  }
  if (sizes.size() < 2) throw CLI::ValidationError("--sizes", "give at least two different sizes (a line needs two points)");
  for (const std::string& directory : directories) {
    struct statvfs fs {};
    if (statvfs(directory.c_str(), &fs) != 0) throw CLI::ValidationError("--dir", directory + ": cannot stat the filesystem");
    double free = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
    double needed = 2.0 * static_cast<double>(sizes.back()) + (8 << 20);
    if (free < needed) {
      throw CLI::ValidationError("--sizes", fmt::format("{}: {} free, the largest size needs {} (source + copy)",
                                                        directory, format_bytes(free), format_bytes(needed)));
    }
  }
  return sizes;
}

std::vector<std::string> methods_to_simulate(const FsConstants& fs, bool speed_pass) {
  std::vector<std::string> out;
  for (const auto& method : fs.methods) {
    bool cpu_bound = method == "host" || (method == "kernel-copy" && !fs.copy_range_reflinks);
    if (!speed_pass || cpu_bound) out.push_back(method);
  }
  return out;
}

int run_calibrate(CalibrateOptions& o) {
  StopSignals stop_signals;  // Ctrl-C: the copy is cancelled, the files go, exit 128 + signal (main)
  std::optional<ScratchDirectory> scratch;
  if (o.directories.empty()) {
    scratch.emplace("calibrate");
    o.directories.push_back(scratch->path());
    std::fprintf(stderr, "calibrate: no --dir: measuring in %s (removed afterwards)\n", scratch->path().c_str());
  }
  std::vector<std::uint64_t> sizes = parse_sizes(o, o.directories);
  OutputFiles out(o.out);
  Measured m;
  for (const std::string& directory : o.directories) {
    if (int rc = measure_directory(o, directory, sizes, m); rc != 0) return rc;
  }
  EngineConfig engine;  // the chunk sizes the real copies used
  int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  CalibrationFit fit = fit_calibration(m.points, m.copy_range_reflinks, cores);
  for (auto& fs : fit.filesystems) {
    fs.writeback_Bps = m.writeback_Bps[fs.fs];
    fs.page_writeback_Bps = m.page_writeback_Bps[fs.fs];
  }

  // Core speed: simulate the CPU-bound copies at speed 1, then scale.
  std::map<std::string, SimulatedTimes> simulated;
  for (auto& fs : fit.filesystems) {
    auto methods = methods_to_simulate(fs, true);
    if (methods.empty()) continue;
    FsConstants work_only = fs;  // the copies' work alone, at speed 1
    work_only.host_copy_start_s = 0;
    auto times = simulate_copies(validation_scenario_toml(fit, work_only, sizes, o.queue_depths, methods, engine),
                                 out.temporary("speed-" + fs.fs + ".toml"), o.jobs);
    throw_if_stopped();
    std::vector<double> measured, at_unit_speed;
    for (const auto& p : m.points) {
      auto it = times.find({p.method, p.size_bytes, p.queue_depth});
      if (p.fs != fs.fs || it == times.end()) continue;
      double work_s = p.seconds - (p.method == "host" ? fs.host_copy_start_s : 0);  // the start-up is a wait, not work
      if (!(work_s > 0)) continue;
      measured.push_back(work_s);
      at_unit_speed.push_back(it->second);
    }
    if (!measured.empty()) fs.core_speed = 1 / fit_time_scale(measured, at_unit_speed, fs.fs + " core speed");
  }
  for (auto& fs : fit.filesystems) fit_clone(m.points, engine.clone_chunk_bytes, engine.kernel_copy_chunk_bytes, fit, fs);

  // Wall-time knobs: the simulated copies of each method take the measured time.
  std::vector<MatchOutcome> matched;
  for (auto& fs : fit.filesystems) {
    std::string path = out.stage("validation-" + fs.fs + ".toml");
    SimulateFs simulate = [&](const FsConstants& constants) {
      auto times = simulate_copies(validation_scenario_toml(fit, constants, sizes, o.queue_depths,
                                                            methods_to_simulate(constants, false), engine),
                                   path, o.jobs);
      throw_if_stopped();
      return times;
    };
    matched.push_back(match_wall_times(m.points, fs, {engine.clone_chunk_bytes, engine.kernel_copy_chunk_bytes},
                                       simulate, simulated[fs.fs]));
    // match_wall_times ends on a simulation of the final constants: validation-FS.toml is that scenario.
  }

  std::string provenance = fmt::format("{} size(s) x {} queue depth(s) x {} timed copies on", sizes.size(),
                                       o.queue_depths.size(), o.repeat);
  for (const auto& fs : fit.filesystems) provenance += " " + fs.fs;
  write_file(out.stage("calibration.toml"), fragment_toml(fit, provenance));
  bool held_out = o.repeat >= 2;
  auto fit_rows = compare_throughput(m.points, simulated);
  auto rows = held_out ? compare_throughput(held_out_points(m.points), simulated) : fit_rows;

  nlohmann::json sizes_json = sizes;
  write_file(out.stage("measurements.json"),
             nlohmann::json{{"kind", "offload-calibration-measurements"}, {"sizes_bytes", sizes_json},
                            {"queue_depths", o.queue_depths}, {"repeat", o.repeat}, {"failures", m.failures},
                            {"runs", m.runs}}
                     .dump(1) + "\n");
  nlohmann::json validation = validation_json(rows, held_out ? held_out_points(m.points) : m.points, simulated);
  validation["held_out"] = held_out;
  validation["fit_rows"] = validation_json(fit_rows, m.points, simulated)["rows"];
  nlohmann::json matching = nlohmann::json::array();
  for (const auto& mo : matched) {
    matching.push_back({{"fs", mo.fs}, {"simulations", mo.iterations}, {"ratio", mo.ratio}, {"notes", mo.notes},
                        {"rms_relative_error", mo.rms_residual}, {"start_rms_relative_error", mo.start_rms_residual},
                        {"fitted_on_bound", mo.fitted_on_bound}});
  }
  validation["matching"] = matching;
  validation["kind"] = "offload-calibration";
  validation["target"] = kTarget;
  validation["fit"] = fit_to_json(fit);
  validation["failures"] = m.failures;
  validation["sizes_bytes"] = sizes_json;
  validation["queue_depths"] = o.queue_depths;
  validation["repeat"] = o.repeat;
  write_file(out.stage("validation.json"), validation.dump(1) + "\n");
  throw_if_stopped();
  out.publish();

  fmt::print("CPU: {} per operation, per-byte fits within {:.1f} % rms, {} core(s)\n", format_duration(fit.per_op_s),
             fit.cpu_rms_relative_residual * 100, fit.cores);
  if (!fit.filesystems.empty() && fit.filesystems.front().buffer_fault_Bps > 0) {
    fmt::print("Fresh host buffers fault in at {} of CPU (the engine's first fill of each buffer)\n",
               format_rate(fit.filesystems.front().buffer_fault_Bps));
  }
  for (const auto& note : fit.notes) fmt::print("note: {}\n", note);
  for (const auto& fs : fit.filesystems) {
    fmt::print("{:<6} write-back to the device {} (write + syncfs timed), {} without a cache flush "
               "(write + sync_file_range timed)\n", fs.fs,
               fs.writeback_Bps > 0 ? format_rate(fs.writeback_Bps) : "not measured",
               fs.page_writeback_Bps > 0 ? format_rate(fs.page_writeback_Bps) : "not measured");
  }
  for (const auto& fs : fit.filesystems) {
    fmt::print("{:<6} host copy CPU {}, start-up {}, core speed {:.3f}, reflink {}, copy_file_range {}{}\n",
               fs.fs, format_rate(fs.memcpy_Bps), format_duration(fs.host_copy_start_s), fs.core_speed,
               fs.reflink ? fmt::format("yes (clone {} + {}/GiB)", format_duration(fs.clone_fixed_s),
                                        format_duration(fs.clone_per_GiB_s))
                          : "no",
               fs.copy_range_reflinks ? "remaps" : "copies",
               fs.kernel_copy_Bps > 0 ? " at " + format_rate(fs.kernel_copy_Bps) : "");
  }
  fmt::print("\nMeasured seconds = start-up + bytes / rate (least squares, medians):\n");
  for (const auto& line : fit.lines) {
    fmt::print("{:<6} {:<12} {:>9} + bytes / {:>12}   (rms {:.0f} %)\n", line.fs, line.method, format_duration(line.intercept_s),
               line.bandwidth_Bps > 0 ? format_rate(line.bandwidth_Bps) : "-", line.rms_relative_residual * 100);
  }
  fmt::print("\nWall-time knobs fitted jointly per filesystem (bounded least squares over every point):\n");
  for (const auto& mo : matched) {
    fmt::print("{:<6} rms error per point {:.1f} % (before the fit {:.1f} %), {} simulations\n", mo.fs,
               mo.rms_residual * 100, mo.start_rms_residual * 100, mo.iterations);
    for (const auto& note : mo.notes) fmt::print("{}: {}\n", mo.fs, note);
  }
  fmt::print("\nSimulated (calibrated) vs measured throughput of the copies the fit used, all sizes and queue depths:\n{}",
             validation_table(fit_rows, kTarget));
  if (held_out) {
    fmt::print("\nSimulated (calibrated) vs the held-out copies (every 2nd timed copy, not used by the fit):\n{}",
               validation_table(rows, kTarget));
  }
  fmt::print("fragment: {0}/calibration.toml  measurements: {0}/measurements.json  table: {0}/validation.json\n", o.out);
  if (!o.profile_dir.empty()) {
    for (const auto& path : save_profiles(validation, provenance, o.profile_dir)) fmt::print("profile: {}\n", path);
  }
  return 0;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure real copies, fit the simulator's CPU and local-filesystem constants, and check them");
  cmd->add_option("--dir,-d", o->directories,
                  "Directory to measure in (repeatable; one per filesystem); default: a temporary one in $TMPDIR")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--sizes", o->sizes, "File sizes (at least two), e.g. 16MiB,64MiB,256MiB")->delimiter(',');
  cmd->add_option("--queue-depths", o->queue_depths, "Queue depths, e.g. 1,8")->delimiter(',')->check(CLI::Range(1U, 256U));
  cmd->add_option("--methods", o->methods, "Methods (host is needed for the CPU fit)")
      ->delimiter(',')
      ->check(CLI::IsMember(pinned_file_methods()));
  cmd->add_option("--repeat", o->repeat, "Timed copies per point (median used), after one verified warm-up copy")
      ->check(CLI::Range(1U, 100U));
  cmd->add_option("--jobs,-j", o->jobs, "Simulations at once, each its own process (0: one per usable CPU)");
  cmd->add_option("--out,-o", o->out, "Directory for calibration.toml, measurements.json, validation.json");
  cmd->add_option("--profile-dir", o->profile_dir,
                  "Where the per-filesystem profiles for `offload advise` go (FS.json; \"\" = none)")
      ->capture_default_str();
  return [o] { return run_calibrate(*o); };
}

}  // namespace offload::cli
