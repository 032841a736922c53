// Linux nfsd's own counters: how many of each NFSv4 operation the server
// handled, from the "proc4ops" line of /proc/net/rpc/nfsd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace offload::testing {

/// NFSv4 operation numbers (RFC 7862 / RFC 8881) the tests look at.
enum class Nfs4Op : std::uint32_t { read = 25, write = 38, copy = 60, clone = 71 };

/// Calls per NFSv4 operation number, as counted by the server.
struct NfsdOpCounts {
  std::vector<std::uint64_t> calls;  ///< indexed by operation number
  /// Calls of one operation (0 when the server does not list it).
  [[nodiscard]] std::uint64_t of(Nfs4Op op) const;
};

/// Parses the text of /proc/net/rpc/nfsd; nullopt without a valid proc4ops line.
std::optional<NfsdOpCounts> parse_nfsd_stats(const std::string& text);

/// Reads /proc/net/rpc/nfsd (nullopt where this machine runs no nfsd).
std::optional<NfsdOpCounts> read_nfsd_stats();

}  // namespace offload::testing
