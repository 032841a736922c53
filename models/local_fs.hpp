// Local filesystem model on a host's own disk:
//  - host copy: read (disk -> page cache -> user buffer: one memcpy) and
//    write (user buffer -> page cache -> disk: one memcpy), so two memcpys
//    of host CPU per byte copied;
//  - copy_file_range without reflink (ext4): an in-kernel copy through the
//    page cache, disk read and write at once and one memcpy per byte;
//  - reflink (FICLONERANGE, XFS/btrfs): metadata only, a fixed CPU cost per
//    call plus a cost per GiB for the extent records; no data I/O.
// Sources: shared/PROTOCOLS.md (Linux local paths); costs are inputs.
#pragma once

#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "models/disk.hpp"

namespace offload::models {

/// One host's local filesystem.
class LocalFs {
 public:
  LocalFs(CpuModel& cpu, DiskModel& disk, const sim::LocalFsSpec& spec) : cpu_(cpu), disk_(disk), spec_(spec) {}
  /// Reads `bytes` into host memory (blocks the calling actor).
  void read(double bytes);
  /// Writes `bytes` from host memory.
  void write(double bytes);
  /// In-kernel copy of `bytes` within this filesystem.
  void kernel_copy(double bytes);
  /// Reflinks `bytes`; false when the filesystem cannot.
  bool clone(double bytes);
  /// The host's CPU.
  CpuModel& cpu() { return cpu_; }

 private:
  CpuModel& cpu_;
  DiskModel& disk_;
  sim::LocalFsSpec spec_;
};

}  // namespace offload::models
