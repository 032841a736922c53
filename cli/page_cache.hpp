// The page cache between a buffered copy and the destination's device.
// Writes land in the page cache at memory speed until the kernel's dirty
// throttling starts (mm/page-writeback.c, balance_dirty_pages): with
//   threshold  = vm.dirty_bytes, or vm.dirty_ratio % of the dirtyable memory,
//   background = vm.dirty_background_bytes, or vm.dirty_background_ratio %
//                (half the threshold when not below it: domain_dirty_limits),
// a writer runs free while the dirty and writeback pages stay below the
// free-run ceiling (threshold + background) / 2 (dirty_freerun_ceiling), and
// beyond it is throttled to the device's write-back rate
// (Documentation/admin-guide/sysctl/vm.rst). The dirtyable memory is taken
// as /proc/meminfo MemAvailable (the kernel counts free and file pages,
// global_dirtyable_memory; MemAvailable is the documented estimate of both).
// `offload calibrate` measures the write-back rate (measure_writeback_Bps);
// `offload advise` charges the bytes beyond the free-run budget at it.
#pragma once

#include <cstdint>
#include <string>

namespace offload::cli {

/// The kernel's dirty-page settings and the memory state they apply to.
struct DirtySettings {
  double dirty_ratio = 20;             ///< vm.dirty_ratio (% of dirtyable memory)
  double dirty_bytes = 0;              ///< vm.dirty_bytes (0 = the ratio applies)
  double background_ratio = 10;        ///< vm.dirty_background_ratio (%)
  double background_bytes = 0;         ///< vm.dirty_background_bytes (0 = the ratio applies)
  double available_bytes = 0;          ///< /proc/meminfo MemAvailable (bytes)
  double dirty_now_bytes = 0;          ///< /proc/meminfo Dirty + Writeback (bytes) when read
};

/// How many bytes a copy can write before dirty throttling, and why.
struct DirtyBudget {
  double threshold_bytes = 0;   ///< the dirty threshold
  double background_bytes = 0;  ///< the background write-back threshold
  double freerun_bytes = 0;     ///< (threshold + background) / 2
  double budget_bytes = 0;      ///< freerun less what is dirty already (>= 0)
  std::string how;              ///< one line: the settings and where they came from
};

/// The budget of `s` (the kernel's rules above).
DirtyBudget dirty_budget(const DirtySettings& s);

/// The settings of this machine, from /proc/sys/vm and /proc/meminfo under
/// `proc_root`; throws std::runtime_error naming the file that cannot be read.
DirtySettings read_dirty_settings(const std::string& proc_root = "/proc");

/// Seconds of a buffered copy of `size_bytes` predicted at `seconds` from
/// memory-speed writes, when the bytes beyond `budget_bytes` go at the
/// write-back rate `writeback_Bps` instead (unchanged when that is not
/// slower, or the rate is unknown: <= 0).
double throttled_seconds(double seconds, double size_bytes, double budget_bytes, double writeback_Bps);

/// The rate (bytes/s) at which the filesystem under `directory` writes dirty
/// data back to its device: `size_bytes` written into a new file there (the
/// page cache, after a syncfs so nothing else is dirty), then syncfs(2)
/// timed; the median of `repeat` rounds. The file is removed. Returns 0 when
/// a write or the sync fails. With `file_range_only`, sync_file_range(2)
/// (WAIT_BEFORE | WRITE | WAIT_AFTER) of the file is timed instead: its pages
/// written back and waited for, no journal commit and no device cache flush
/// (what a writer waiting in ext4_nonda_switch() waits for).
double measure_writeback_Bps(const std::string& directory, std::uint64_t size_bytes, unsigned repeat,
                             bool file_range_only = false);

}  // namespace offload::cli
