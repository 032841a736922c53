// Parsing and printing of quantities written as strings: sizes ("4MiB",
// "1.5GB", "4096"), used by the command line and the scenario files.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace offload {

/// Parses a byte size: a number with an optional unit B, kB/KB, MB, GB, TB
/// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); bare = bytes.
/// Errors are readable sentences naming the text.
std::expected<std::uint64_t, std::string> parse_size_bytes(std::string_view text);

/// Parses a duration to seconds: ns, us, ms, s, min, h (e.g. "250us", "1.5s").
std::expected<double, std::string> parse_duration_s(std::string_view text);

/// Parses a data rate to bytes per second: bits with bps, kbps, Mbps, Gbps,
/// Tbps (powers of 1000), bytes with Bps, kBps, MBps, GBps, TBps, KiBps,
/// MiBps, GiBps, TiBps (e.g. "10Gbps" = 1.25e9, "2GBps" = 2e9).
std::expected<double, std::string> parse_rate_Bps(std::string_view text);

/// A unit suffix the parsers above accept and what it is worth.
struct UnitScale {
  std::string_view suffix;  ///< as written after the number ("" = bare bytes)
  double scale;             ///< value of 1 suffix in `base` units
  std::string_view base;    ///< "B" (sizes), "s" (durations) or "B/s" (rates)
};

/// Every suffix of parse_size_bytes, parse_duration_s and parse_rate_Bps:
/// the one unit table (the Python report reads it through the bindings).
std::span<const UnitScale> unit_scales();

/// "1.50 GiB", "512 KiB", "17 B": binary units, three significant digits.
std::string format_bytes(double bytes);

/// "1.23 GiB/s" for a rate in bytes per second.
std::string format_rate(double bytes_per_s);

}  // namespace offload
