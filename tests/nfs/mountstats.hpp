// NFS client counters from /proc/self/mountstats: per-operation calls and
// bytes on the wire for one mount, and the difference between two readings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace offload::testing {

/// One NFS operation's counters (a "per-op statistics" line).
struct NfsOpCounters {
  std::uint64_t ops = 0;         ///< calls made
  std::uint64_t bytes_sent = 0;  ///< bytes sent by the client, RPC headers included
  std::uint64_t bytes_recv = 0;  ///< bytes received by the client, RPC headers included
  /// Both directions, bytes.
  [[nodiscard]] std::uint64_t wire_bytes() const { return bytes_sent + bytes_recv; }
};

/// Counters of every operation of one mount, by name ("READ", "COPY", ...).
struct NfsMountCounters {
  std::map<std::string, NfsOpCounters> ops;  ///< by operation name
  /// The named operation's counters (zeros when absent).
  [[nodiscard]] NfsOpCounters op(const std::string& name) const;
  /// Bytes of every operation, both directions.
  [[nodiscard]] std::uint64_t wire_bytes() const;
  /// `*this - before`, operation by operation.
  [[nodiscard]] NfsMountCounters since(const NfsMountCounters& before) const;
};

/// Parses mountstats text for the mount at `mount_point`; nullopt when that
/// mount is absent or has no per-op statistics.
std::optional<NfsMountCounters> parse_mountstats(const std::string& text, const std::string& mount_point);

/// Reads /proc/self/mountstats for `mount_point`.
std::optional<NfsMountCounters> read_mountstats(const std::string& mount_point);

}  // namespace offload::testing
