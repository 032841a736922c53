// Parsing and printing of quantities written as strings: sizes ("4MiB",
// "1.5GB", "4096"), rates, durations, used by the command line and the
// scenario files; and the one rule for printing numbers with their units.
#pragma once

#include <cstdint>
#include <expected>
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

// How numbers are printed, everywhere (CLI tables, report, calibration
// files): one rule, mirrored by python/offloadsim/report/units.py (a test
// checks both give the same strings). Three significant digits, never
// scientific notation; the unit is chosen per value (binary units for
// bytes and rates, ns/us/ms/s for times).

/// A plain number with three significant digits, never in scientific
/// notation: "0.00471", "12.3", "2035", "0"; "-" for NaN.
std::string format_number(double value);

/// Bytes in a binary unit chosen per value: "17 B", "1.50 KiB", "4.25 GiB",
/// "1018 MiB" (a value that rounds to 1024 takes the next unit).
std::string format_bytes(double bytes);

/// A rate in bytes per second: "4.25 GiB/s", "1018 MiB/s".
std::string format_rate(double bytes_per_s);

/// Seconds in ns, us, ms or s chosen per value: "812 ns", "4.50 us",
/// "3.20 ms", "40.2 s".
std::string format_duration(double seconds);

/// A speed-up or ratio: "1.00x", "12.5x" below 100, "2035x" above.
std::string format_ratio(double ratio);

/// A fraction as a percentage: "93%" from 10 % up, "0.61%" below.
std::string format_percent(double fraction);

/// Below this, a copy's time is its fixed cost (a reflink, an extent remap,
/// a system call), not bytes over time: 10 ms, about the latency of one
/// uncached 4 KiB read on a hard disk (Ruemmler & Wilkes, "An Introduction
/// to Disk Drive Modeling", IEEE Computer 27(3), 1994).
inline constexpr double kRateMinSeconds = 0.01;

/// How fast copies went: their rate ("4.25 GiB/s"), or the time per copy
/// ("3.60 ms per copy") when a copy took less than kRateMinSeconds (clones
/// and in-kernel remaps are not rates: 8 GiB in 4 ms is not 2 TiB/s).
std::string format_copy_speed(double bytes_per_s, double seconds_per_copy);

/// A rate for a scenario/TOML file: six significant digits in a binary unit
/// chosen per value, "4.25123GiBps" (parse_rate_Bps reads it back).
std::string toml_rate(double bytes_per_s);

/// A duration for a scenario/TOML file: six significant digits, "12.5us".
std::string toml_duration(double seconds);

}  // namespace offload
