// `offload advise`, part 2: the scenario of the probed path on the host
// `offload calibrate` fitted for the destination's filesystem
// (calibration_scenario.hpp, the same scenario calibrate validates with),
// simulated once per method the path allows, each in an offload-sim-run
// process (calibration_validate.hpp: simulate_copy_results).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/advise_probe.hpp"
#include "cli/advise_profile.hpp"

namespace offload::cli {

/// The simulator's answer for one method.
struct MethodPrediction {
  std::string method;               ///< "host", "kernel-copy", "clone"
  double seconds = 0;               ///< simulated wall seconds, submit to end
  double throughput_Bps = 0;        ///< size / seconds
  double client_cpu_s = 0;          ///< CPU seconds of the copying host
  double user_space_bytes = 0;      ///< bytes read into and written from the process's buffers (host copy: the size)
  double link_bytes = 0;            ///< bytes over network links (0 on a local path)
  double operations = 0;            ///< engine operations the copy took (system calls: open, map, copy calls, finish)
  double rms_error = -1;            ///< the profile's rms relative error for this method (< 0: not measured)
  double energy_J = 0;              ///< joules of the host, its disk and links over the copy (simulated power profiles)
  double client_J = 0;              ///< of which the copying host and its disk
  double server_J = 0;              ///< of which servers and arrays (0 on a local path)
  double network_J = 0;             ///< of which network links (0 on a local path)
};

/// The rates of a remote path's link and server (NFS, SMB), each with where it came from.
struct RemoteRates {
  double link_Bps = 0;           ///< the link's rate, each direction (bytes/s)
  std::string link_how;          ///< "probed: tbf on veth-c", "--link-rate"
  double server_disk_Bps = 0;    ///< the server's disk read and write rate (bytes/s)
  std::string server_disk_how;   ///< "--server-disk", or the assumption made
  double round_trip_s = 0;       ///< one request's round trip to the server (s); the link's latency is half of it
  std::string round_trip_how;    ///< "probed: statfs(2) ...", "--round-trip", or the assumption made
};

/// Every prediction, and the methods left out with the reason.
struct AdviceModel {
  std::uint64_t size_bytes = 0;          ///< the copy's size
  unsigned queue_depth = 0;              ///< operations in flight
  std::vector<MethodPrediction> predictions;  ///< one per simulated method, in ladder order (clone first)
  std::vector<std::pair<std::string, std::string>> left_out;  ///< method -> why it was not simulated
  std::string scenario;                  ///< what was simulated: "local filesystem", "NFS client and server"
  RemoteRates remote;                    ///< the link and server rates (NFS and SMB paths only)
  std::string page_cache;                ///< local data copies: the dirty-page budget and write-back rate used ("" = none)
};

/// True when the destination is the source's NFS mount (the NFS scenario applies).
bool is_nfs_path(const PathProbe& probe);

/// True when the destination is the source's SMB (cifs) mount (the SMB scenario applies).
bool is_smb_path(const PathProbe& probe);

/// True on an NFS or SMB path: a client, a server and the link between them are modelled.
bool is_remote_path(const PathProbe& probe);

/// The methods the probe allows on this path (clone, kernel-copy, host).
std::vector<std::pair<std::string, std::string>> methods_for_path(const PathProbe& probe,
                                                                  std::vector<std::string>& allowed);

/// Simulates every allowed method the profile has constants for; on an
/// NFS or SMB path (is_remote_path) that protocol's scenario at `remote`'s rates. On a local
/// path the data copies (host; copy_file_range where it copies) write the
/// bytes beyond the page cache's free-run budget (cli/page_cache.hpp, read
/// from /proc now) at the profile's write-back rate. Across local
/// filesystems `source` (the source filesystem's profile, when there is
/// one) gives the host copy's read side (advise_cross_fs.hpp).
AdviceModel predict_methods(const PathProbe& probe, const CalibrationProfile& profile, std::uint64_t size_bytes,
                            unsigned queue_depth, const RemoteRates& remote = {},
                            const std::optional<CalibrationProfile>& source = std::nullopt);

}  // namespace offload::cli
