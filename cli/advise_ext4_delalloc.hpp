// ext4's limit on delayed-allocation data (fs/ext4/inode.c,
// ext4_nonda_switch(), called from ext4_da_write_begin() for every folio a
// buffered write or copy_file_range's splice writes): when the filesystem's
// free clusters fall under twice its dirty (delayed-allocation, not yet
// allocated) clusters, the writer calls try_to_writeback_inodes_sb() and
// waits until the write-back it starts has completed. That write-back
// allocates the dirty clusters (free shrinks by them, dirty drops to zero);
// it does not flush the device's cache, so it runs at the rate a
// sync_file_range(WRITE | WAIT) sees, not a syncfs's (measured on the
// development VM's 3 GiB ext4 loop mount: 1728-3278 MiB/s against
// 699-853 MiB/s, 64 MiB; bench/README.md).
#pragma once

#include <string>

namespace offload::cli {

/// What ext4_nonda_switch() compares, in bytes.
struct Ext4SpaceState {
  double free_bytes = 0;   ///< on-disk free space (s_freeclusters_counter: statfs f_bfree plus the dirty bytes)
  double dirty_bytes = 0;  ///< delayed-allocation bytes not yet allocated (s_dirtyclusters_counter)
  std::string how;         ///< where the figures came from
};

/// Reads the state of the ext4 under `directory`: statfs(2) (ext4_statfs()
/// reports f_bfree less the dirty clusters) and
/// /sys/fs/ext4/DEV/delayed_allocation_blocks (in filesystem blocks), DEV
/// the block device of the directory's st_dev (/sys/dev/block/MAJ:MIN).
/// `sys_root` replaces "/sys" (tests). Throws std::runtime_error naming what
/// cannot be read.
Ext4SpaceState read_ext4_space(const std::string& directory, const std::string& sys_root = "/sys");

/// Seconds a copy that dirties `size_bytes` on an ext4 in `state` waits for
/// write-back at `writeback_Bps`: each time the dirty bytes reach half the
/// free bytes, all of them (the copy's and what was dirty before) are
/// written back and allocated; the next crossing comes at half of what is
/// then free. 0 when the copy never crosses, the rate is unknown (<= 0) or
/// the state is empty.
double ext4_delalloc_wait_seconds(double size_bytes, const Ext4SpaceState& state, double writeback_Bps);

}  // namespace offload::cli
