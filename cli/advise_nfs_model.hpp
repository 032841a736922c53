// `offload advise` on an NFS mount: the scenario of the probed path. One
// client (the calibrated host's CPU constants from the profile), one NFS
// server (models/nfs_server.hpp: READ / WRITE, synchronous COPY of at most
// 4 MiB per call as Linux nfsd, CLONE when the probe saw the server clone),
// and one [[link]] between them at the probed link rate (advise_link.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/advise_probe.hpp"
#include "cli/calibration_fit.hpp"

namespace offload::cli {

/// What the NFS scenario is built from, besides the probe.
struct NfsModelInputs {
  std::uint64_t size_bytes = 0;    ///< the copy's size
  unsigned queue_depth = 8;        ///< operations in flight
  double link_Bps = 0;             ///< the link's rate (bytes/s, each direction)
  double server_disk_Bps = 0;      ///< the server's disk read and write rate (bytes/s)
};

/// One-way latency of the simulated link (s): a switched LAN's order of
/// magnitude (RFC 6349 3.2 puts LAN round trips below 1 ms); the copies
/// here move chunks of rsize (128 KiB..1 MiB), so the rate bounds them.
inline constexpr double kNfsLinkLatency_s = 50e-6;

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
