// The Linux SMB client's per-share counters from /proc/fs/cifs/Stats
// (fs/smb/client/cifs_debug.c, smb2ops.c smb2_print_stats; the SMB guest test and `offload advise` read them): requests per
// SMB2 command and the READ/WRITE payload bytes of one tree connection,
// and the difference between two readings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace offload::cli {

/// Counters of one share ("\\server\share" block of the Stats file).
struct CifsShareCounters {
  std::map<std::string, std::uint64_t> requests;  ///< by command label: "IOCTLs", "Reads", "Writes", "Creates", ...
  std::map<std::string, std::uint64_t> failed;    ///< of those, the ones the server failed (same labels)
  std::uint64_t bytes_read = 0;     ///< READ payload bytes received
  std::uint64_t bytes_written = 0;  ///< WRITE payload bytes sent
  /// Requests of one command label (0 when absent).
  [[nodiscard]] std::uint64_t of(const std::string& label) const;
  /// Failed requests of one command label (0 when absent).
  [[nodiscard]] std::uint64_t failed_of(const std::string& label) const;
  /// `*this - before`, counter by counter.
  [[nodiscard]] CifsShareCounters since(const CifsShareCounters& before) const;
};

/// Parses the Stats text for the share named `share` (the last component
/// of its UNC, case-insensitive); nullopt when no such share is listed.
std::optional<CifsShareCounters> parse_cifs_stats(const std::string& text, const std::string& share);

/// Reads /proc/fs/cifs/Stats for `share`.
std::optional<CifsShareCounters> read_cifs_stats(const std::string& share);

/// Sum of the integers in the named files (interface byte counters such as
/// /sys/class/net/lo/statistics/tx_bytes, separated by spaces); nullopt
/// when one cannot be read.
std::optional<std::uint64_t> read_counter_sum(const std::string& files);

}  // namespace offload::cli
