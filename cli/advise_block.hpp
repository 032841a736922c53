// `offload advise`: the block device under a local filesystem and the copy
// offload it offers, found through sysfs (/sys/dev/block/MAJ:MIN, sysfs(5))
// and the device's own answers: a SCSI LUN's standard INQUIRY (3PC bit),
// Third Party Copy VPD page 0x8F and RECEIVE COPY RESULTS operating
// parameters (SPC-4 6.6.2, 7.8.17, 6.18.4: EXTENDED COPY and token copy
// (ODX) limits) through SG_IO; an NVMe namespace's Identify Controller ONCS
// bit 8 (Copy) and Identify Namespace MSSRL / MCL / MSRC (NVM Command Set
// Specification 1.0, 4.1.5) through NVMe passthrough. Read-only: no
// command that changes data is sent.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "cli/advise_probe.hpp"

namespace offload::cli {

/// The whole disk behind block device `device` ("sda" for 8:1, "nvme0n1" for
/// nvme0n1p2's numbers; "" when sysfs has no block device by those numbers).
std::string whole_disk_name(dev_t device);

/// Findings for the block device `device` (st_rdev of a mount's source, or
/// st_dev), each finding's name prefixed with `role` ("", "source ",
/// "destination "); none when it is no block device (tmpfs, NFS).
std::vector<ProbeFinding> probe_block_device(dev_t device, const std::string& role);

}  // namespace offload::cli
