// Local filesystem model on a host's own disk:
//  - host copy: read (disk -> page cache -> user buffer: one memcpy) and
//    write (user buffer -> page cache -> disk: one memcpy), so two memcpys
//    of host CPU per byte copied, split by fs.write_share (a buffered write
//    also allocates and dirties page-cache pages: writing costs more CPU
//    than reading; `offload calibrate` fits the share);
//  - buffered writes to one file run one at a time: Linux holds the
//    inode's i_rwsem exclusively across a buffered write on ext4
//    (ext4_buffered_write_iter), XFS (xfs_file_buffered_write, IOLOCK_EXCL)
//    and btrfs (btrfs_buffered_write under btrfs_inode_lock), while reads
//    share it; so a host copy's writes serialise however many cores and
//    requests it has, its reads do not;
//  - copy_file_range without reflink (ext4): an in-kernel copy through the
//    page cache, disk read and write at once and one memcpy per byte (or
//    fs.kernel_copy_bandwidth per byte, as calibrated: page allocation makes
//    it dearer than a memcpy); with fs.copy_range_reflinks (XFS/btrfs, where
//    Linux remaps extents) it costs what a clone costs, or fs.remap_fixed_cpu
//    per call where calibrated (its syscall path differs from FICLONERANGE's);
//    a data copy holds the destination's inode lock: Linux splices the
//    source's pages and writes them with the destination's buffered write
//    (do_splice_direct -> iter_file_splice_write), where most of its CPU
//    goes, so calls into one file run one at a time as host writes do;
//  - opening the pair (open, SEEK_DATA) and the final check (fstat) are one
//    syscall each: per_op_cpu;
//  - a host copy waits fs.host_copy_start before its first read: the real
//    engine faults in fresh host buffers and schedules its workers (a wall
//    time `offload calibrate` measures as the host time line's intercept);
//  - reflink (FICLONERANGE, XFS/btrfs): metadata only, a fixed CPU cost per
//    call plus a cost per GiB for the extent records; no data I/O.
// Sources: the Linux man pages ioctl_ficlonerange(2) and copy_file_range(2)
// (which filesystems remap, which copy); the costs are inputs (calibrated by
// `offload calibrate`).
#pragma once

#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "models/disk.hpp"

namespace offload::models {

/// One host's local filesystem.
class LocalFs {
 public:
  LocalFs(CpuModel& cpu, DiskModel& disk, const LocalFsSpec& spec) : cpu_(cpu), disk_(disk), spec_(spec) {}
  /// Reads `bytes` into host memory (blocks the calling actor).
  void read(double bytes);
  /// Writes `bytes` from host memory into the file whose inode lock is
  /// `file_lock` (held across the write's CPU work; nullptr: no lock).
  void write(double bytes, sg4::MutexPtr file_lock);
  /// In-kernel copy of `bytes` within this filesystem into the file whose
  /// inode lock is `file_lock` (held across a data copy; nullptr: no lock).
  void kernel_copy(double bytes, sg4::MutexPtr file_lock);
  /// Reflinks `bytes`; false when the filesystem cannot.
  bool clone(double bytes);
  /// One syscall of opening or finishing a copy (per_op_cpu).
  void open_or_close();
  /// The wait before a host copy's first read (fs.host_copy_start).
  void start_host_copy();
  /// CPU seconds of reading (`writing` false) or writing `bytes` of a host copy.
  double host_copy_cost_s(double bytes, bool writing) const;
  /// The host's CPU.
  CpuModel& cpu() { return cpu_; }

 private:
  CpuModel& cpu_;
  DiskModel& disk_;
  LocalFsSpec spec_;
};

}  // namespace offload::models
