// Fitting `offload calibrate`'s measurements to the simulator's local
// filesystem and CPU constants, by least squares (cli/least_squares.hpp):
//  - per_op_cpu: CPU seconds per operation of the copies that move no data
//    through the CPU (clone; copy_file_range where it remaps), median;
//  - CPU seconds of host and in-kernel copies, per filesystem (the write
//    path is the filesystem's: btrfs checksums data):
//      cpu - per_op_cpu x operations = 2 x bytes / memcpy_bandwidth
//                                      + fresh buffer bytes / buffer_fault_bandwidth  (host)
//    (a host copy's first reads fault in the engine's fresh buffers: one
//    buffer_fault_bandwidth for every filesystem, fitted jointly with the
//    filesystems' memcpy_bandwidth);
//      cpu - per_op_cpu x operations = bytes / kernel_copy_bandwidth    (copy_file_range, data copied)
//  - wall seconds per method per filesystem: seconds = a + bytes / bandwidth
//    (reported, and the clone constants: a clone's time in the model is
//    CPU work, clone_fixed_cpu per call plus clone_cpu_per_GiB);
//  - host_copy_start: the intercept of the host copies' time line (the
//    real engine's start-up: fresh buffers faulted in, workers scheduled);
//  - write_share (the write side's share of a host copy's CPU; buffered
//    writes to one file serialise on its inode lock) is fitted with the
//    wall-time knobs (cli/calibration_match.hpp) from how much faster the
//    deeper queue depths copy;
//  - the core speed (share of a core the copies got) is fitted afterwards:
//    measured - start-up ~ simulated work at speed 1 / core speed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace offload::cli {

/// One measured configuration: medians over the timed copies.
struct CalibrationPoint {
  std::string fs;                 ///< filesystem type of the directory ("ext4", ...)
  std::string method;             ///< "host", "kernel-copy" or "clone"
  std::uint64_t size_bytes = 0;   ///< file size
  unsigned queue_depth = 1;       ///< operations in flight for the copy
  double seconds = 0;             ///< median wall seconds, submit to end, of the copies the fit uses
  double cpu_seconds = 0;         ///< median host CPU seconds of the copy's operations
  double operations = 0;          ///< median target operations (incl. open/map and finish)
  std::vector<double> samples_s;  ///< every timed copy's wall seconds
  double holdout_seconds = 0;     ///< median wall seconds of the held-out copies (0 = none held out)
  std::vector<double> half_samples_s;  ///< the timed copies whose median is `seconds` (their spread is the noise)
  double fresh_buffer_bytes = 0;  ///< median host buffer bytes the copy touched first (the engine's fresh buffers)
};

/// seconds = intercept_s + bytes / bandwidth_Bps for one method on one fs.
struct TimeLine {
  std::string fs;                 ///< filesystem
  std::string method;             ///< method
  double intercept_s = 0;         ///< start-up seconds per copy
  double bandwidth_Bps = 0;       ///< bytes/s beyond start-up (0 = no slope)
  double rms_relative_residual = 0;  ///< fit quality
};

/// Constants of one filesystem's [[host]] in the fragment.
struct FsConstants {
  std::string fs;                    ///< filesystem
  bool reflink = false;              ///< clone worked
  bool copy_range_reflinks = false;  ///< copy_file_range shared extents
  double memcpy_Bps = 0;             ///< bytes/s one core moves in a host copy (read and write paths; 0 = none measured)
  double kernel_copy_Bps = 0;        ///< CPU rate of an in-kernel data copy (0 = none measured)
  double clone_fixed_s = 0;          ///< CPU seconds per clone call
  double clone_per_GiB_s = 0;        ///< CPU seconds per GiB cloned
  double remap_fixed_s = -1;         ///< CPU seconds per remapping copy_file_range call (< 0: as a clone call)
  double core_speed = 1;             ///< share of a core the copies got (wall vs CPU)
  double host_copy_start_s = 0;      ///< wall seconds before a host copy's first read (host time line's intercept)
  double buffer_fault_Bps = 0;       ///< bytes/s of fresh host buffer one core faults in on first touch (0 = not measured)
  double writeback_Bps = 0;          ///< bytes/s dirty page-cache data is written back to the device (cli/page_cache.hpp; 0 = not measured)
  double page_writeback_Bps = 0;     ///< bytes/s of the same write-back without a cache flush (sync_file_range; 0 = not measured)
  double write_share = 0.5;          ///< share (0..1) of a host copy's memcpy CPU on the write side (its writes serialise)
  std::vector<std::string> methods;  ///< methods that worked here
};

/// Everything fitted.
struct CalibrationFit {
  int cores = 1;                     ///< cores of this machine
  double per_op_s = 0;               ///< CPU seconds per operation (syscall)
  double cpu_rms_relative_residual = 0;  ///< quality of the CPU fit (worst per-byte fit)
  std::vector<FsConstants> filesystems;  ///< one per filesystem measured
  std::vector<TimeLine> lines;       ///< one per method per filesystem
  std::vector<std::string> notes;    ///< constants the fit held at a physical bound, and why
};

/// Fits CPU constants, per-fs kernel-copy constants and the time lines
/// (clone constants and core speeds come later). `copy_range_reflinks`
/// says per fs whether copy_file_range shared extents there. Throws
/// std::invalid_argument when there are too few points.
CalibrationFit fit_calibration(const std::vector<CalibrationPoint>& points,
                               const std::vector<std::pair<std::string, bool>>& copy_range_reflinks, int cores);

/// Least-squares factor s in measured ~ s x simulated (relative weighting):
/// the core speed is 1 / s when the simulated times were at speed 1.
double fit_time_scale(const std::vector<double>& measured_s, const std::vector<double>& simulated_s,
                      const std::string& what);

/// Clone constants of `fs` (clone points, and kernel-copy points where
/// copy_file_range remaps), once its core speed is known: the wall time less
/// the open and finish operations, times the core speed, is
/// calls x clone_fixed_cpu + GiB x clone_cpu_per_GiB.
/// `clone_chunk_bytes` and `kernel_copy_chunk_bytes` give the calls per copy.
void fit_clone(const std::vector<CalibrationPoint>& points, std::uint64_t clone_chunk_bytes,
               std::uint64_t kernel_copy_chunk_bytes, const CalibrationFit& fit, FsConstants& fs);

/// JSON of the fit (units in the key names).
nlohmann::json fit_to_json(const CalibrationFit& fit);

}  // namespace offload::cli
