// `offload advise` on a network mount (NFS, SMB): the scenario parts both
// remote models share. The client is the calibrated host (the profile's CPU
// constants); one [[link]] joins it to the server at the probed link rate
// (advise_link.hpp); one copy of SIZE from the server back to the server.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/calibration_fit.hpp"

namespace offload::cli {

/// What a remote scenario is built from, besides the probe.
struct NfsModelInputs {
  std::uint64_t size_bytes = 0;    ///< the copy's size
  unsigned queue_depth = 8;        ///< operations in flight
  double link_Bps = 0;             ///< the link's rate (bytes/s, each direction)
  double server_disk_Bps = 0;      ///< the server's disk read and write rate (bytes/s)
  double link_latency_s = 0;       ///< the link's one-way latency (s; 0 = kAssumedLinkLatency_s)
};

/// One-way latency of the simulated link when the round trip was not
/// measured (s): a switched LAN's order of magnitude (RFC 6349 3.2 puts LAN
/// round trips below 1 ms).
inline constexpr double kAssumedLinkLatency_s = 50e-6;

/// The "[scenario]" table: `name`, `description`, the methods (simulator labels).
std::string remote_scenario_head(const std::string& name, const std::string& description,
                                 const std::vector<std::string>& sim_methods);

/// The "[engine]" table: the inputs' queue depth, the engine's default copy
/// depth and copy_file_range chunk, host copies in chunks of `host_chunk_bytes`
/// (the mount's read size).
std::string remote_engine_toml(const NfsModelInputs& inputs, std::uint64_t host_chunk_bytes);

/// "[[host]]" client with the profile's cores, core speed, memory copy rate and per-operation CPU.
std::string remote_client_toml(const CalibrationFit& fit, const FsConstants& client);

/// The client's memory copy rate as a TOML rate string (quoted): the
/// profile's, or 8 GB/s when it has none; the servers are given the same.
std::string client_memcpy_toml(const FsConstants& client);

/// "[[link]]" between "client" and `server` (the inputs' rate and latency), then the one "[[copy]]" of
/// SIZE from `server`:SOURCE to `server`:COPY, and the one-point "[sweep]"
/// of "copy.1.size" and "engine.queue_depth" (as calibrate's validation
/// scenarios, so the runs are keyed alike).
std::string remote_link_and_copy_toml(const std::string& server, const std::string& source, const std::string& copy,
                                      const NfsModelInputs& inputs);

}  // namespace offload::cli
