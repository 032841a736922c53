// `offload advise` on an SMB mount: the scenario of the probed path. One
// client (the calibrated host's CPU constants from the profile), one SMB
// server (models/smb_server.hpp: READ / WRITE of at most rsize / wsize,
// copychunk as the Linux client sends it, FSCTL_DUPLICATE_EXTENTS_TO_FILE
// when the probe saw the server clone, the client's metadata exchanges
// around every copy), and one [[link]] at the probed link rate.
#pragma once

#include <string>
#include <vector>

#include "cli/advise_probe.hpp"
#include "cli/advise_remote_model.hpp"

namespace offload::cli {

/// The scenario: `sim_methods` ("host", "kernel-copy" = copychunk, "clone" =
/// duplicate extents) of one copy SIZE at QUEUE_DEPTH on one share. The
/// share's filesystem is taken to reflink when the probe's duplicate
/// extents worked (then the server's copy of a chunk is a remap too, as
/// ksmbd's vfs_copy_file_range on XFS and btrfs), else to copy disk to disk.
std::string smb_path_scenario_toml(const PathProbe& probe, const CalibrationFit& fit, const FsConstants& client,
                                   const NfsModelInputs& inputs, const std::vector<std::string>& sim_methods);

}  // namespace offload::cli
