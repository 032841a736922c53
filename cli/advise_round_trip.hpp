// `offload advise` on a network mount: one request's round trip to the
// server, timed on the real path. statfs(2) on a network mount is answered
// by the server every time (Linux NFS: nfs_statfs sends GETATTR of the
// filesystem attributes, RFC 7530 5.8 / NFSv3 FSSTAT, RFC 1813 3.3.18,
// without a client cache; cifs: cifs_statfs sends QUERY_INFO
// FileFsFullSizeInformation, MS-SMB2 2.2.37), so its wall time is the
// network's round trip plus both ends' fixed cost per request. The NFS and
// SMB scenarios charge half of it as the link's one-way latency, on every
// request the model sends (a CLONE, a COPY, each READ and WRITE). On a
// cifs mount one statfs(2) waits for kSmbStatfsRoundTrips round trips.
#pragma once

#include <string>
#include <vector>

namespace offload::cli {

/// Timed round trips to a network mount's server.
struct RoundTrip {
  double median_s = 0;          ///< median of the timed requests (s; 0 = not measured)
  double min_s = 0;             ///< fastest timed request (s)
  double max_s = 0;             ///< slowest timed request (s)
  std::vector<double> samples_s;  ///< every timed request, in order (s)
  std::string how;              ///< "statfs(2) on DIR, median of 9 after one untimed" or why not measured
};

/// Requests timed per probe (after one untimed request that opens the
/// session's state, e.g. an NFSv4 lease renewal or an SMB reconnect).
inline constexpr unsigned kRoundTripSamples = 9;

/// Round trips one statfs(2) on a cifs mount waits for: measured with netem
/// delay on both ends of the SMB guest's veth pair (Linux 6.12 client,
/// ksmbd), 3.3 and 3.1 at +100 and +200 ms round trip (bench/README.md
/// "SMB in the guest", `bench/smb_guest_bench.sh`).
inline constexpr double kSmbStatfsRoundTrips = 3;

/// Times kRoundTripSamples statfs(2) calls on `directory` (on a network mount).
RoundTrip probe_round_trip(const std::string& directory);

/// The median, min and max of `samples_s` (seconds; at least one sample) with `how`.
RoundTrip summarise_round_trips(std::vector<double> samples_s, std::string how);

}  // namespace offload::cli
