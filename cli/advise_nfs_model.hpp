// `offload advise` on an NFS mount: the scenario of the probed path. One
// client (the calibrated host's CPU constants from the profile), one NFS
// server (models/nfs_server.hpp: READ / WRITE, synchronous COPY of at most
// 4 MiB per call as Linux nfsd, CLONE when the probe saw the server clone),
// and one [[link]] between them at the probed link rate (advise_link.hpp).
#pragma once

#include <string>
#include <vector>

#include "cli/advise_probe.hpp"
#include "cli/advise_remote_model.hpp"

namespace offload::cli {

/// The simulator's method label for an advise method on NFS: "host" ->
/// "host", "kernel-copy" -> "nfs-copy-sync" (copy_file_range becomes COPY),
/// "clone" -> "clone".
std::string nfs_sim_method(const std::string& method);

/// The scenario: `sim_methods` (simulator labels) of one copy SIZE at
/// QUEUE_DEPTH, with "copy.1.size" and "engine.queue_depth" as one-point
/// sweeps (as calibrate's validation scenarios, so the runs are keyed alike).
std::string nfs_path_scenario_toml(const PathProbe& probe, const CalibrationFit& fit, const FsConstants& client,
                                   const NfsModelInputs& inputs, const std::vector<std::string>& sim_methods);

}  // namespace offload::cli
