#include "engine/units.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>

namespace offload {

namespace {

constexpr UnitScale kUnitScales[] = {
    {"", 1, "B"},
    {"B", 1, "B"},
    {"kB", 1e3, "B"},
    {"KB", 1e3, "B"},
    {"MB", 1e6, "B"},
    {"GB", 1e9, "B"},
    {"TB", 1e12, "B"},
    {"KiB", 1024.0, "B"},
    {"MiB", 1048576.0, "B"},
    {"GiB", 1073741824.0, "B"},
    {"TiB", 1099511627776.0, "B"},
    {"PB", 1e15, "B"},
    {"PiB", 1125899906842624.0, "B"},
    {"ns", 1e-9, "s"},
    {"us", 1e-6, "s"},
    {"ms", 1e-3, "s"},
    {"s", 1.0, "s"},
    {"min", 60.0, "s"},
    {"h", 3600.0, "s"},
    {"bps", 1.0 / 8, "B/s"},
    {"kbps", 1e3 / 8, "B/s"},
    {"Mbps", 1e6 / 8, "B/s"},
    {"Gbps", 1e9 / 8, "B/s"},
    {"Tbps", 1e12 / 8, "B/s"},
    {"Pbps", 1e15 / 8, "B/s"},
    {"Bps", 1.0, "B/s"},
    {"kBps", 1e3, "B/s"},
    {"MBps", 1e6, "B/s"},
    {"GBps", 1e9, "B/s"},
    {"TBps", 1e12, "B/s"},
    {"PBps", 1e15, "B/s"},
    {"KiBps", 1024.0, "B/s"},
    {"MiBps", 1048576.0, "B/s"},
    {"GiBps", 1073741824.0, "B/s"},
    {"TiBps", 1099511627776.0, "B/s"},
    {"PiBps", 1125899906842624.0, "B/s"},
};

// The scale of `unit` among the units of `base`, if it is one.
std::optional<double> scale_of(std::string_view unit, std::string_view base) {
  for (const auto& u : kUnitScales) {
    if (u.base == base && u.suffix == unit) return u.scale;
  }
  return std::nullopt;
}

}  // namespace

std::span<const UnitScale> unit_scales() { return kUnitScales; }

std::expected<std::uint64_t, std::string> parse_size_bytes(std::string_view text) {
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  if (body.empty()) return std::unexpected("empty size");
  double number = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), number);
  if (ec != std::errc() || number < 0 || !std::isfinite(number)) {
    return std::unexpected("'" + std::string(text) + "' is not a size (expected e.g. 4096, 64KiB, 1.5GB)");
  }
  std::string_view unit(end, body.data() + body.size() - end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (auto scale = scale_of(unit, "B")) {
    double bytes = std::round(number * *scale);
    if (bytes > 1.8e19) return std::unexpected("'" + std::string(text) + "' is too large");
    if (bytes != number * *scale && std::fabs(bytes - number * *scale) > 1e-6) {
      return std::unexpected("'" + std::string(text) + "' is not a whole number of bytes");
    }
    return static_cast<std::uint64_t>(bytes);
  }
  return std::unexpected("'" + std::string(text) + "' has an unknown unit '" + std::string(unit) +
                         "' (use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB, PB or PiB)");
}

namespace {

// Splits "12.5 unit" into the number and the unit text.
std::expected<std::pair<double, std::string_view>, std::string> number_and_unit(std::string_view text,
                                                                               const char* kind) {
  std::string_view body = text;
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
  double number = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), number);
  if (body.empty() || ec != std::errc() || number < 0 || !std::isfinite(number)) {
    return std::unexpected("'" + std::string(text) + "' is not a " + kind);
  }
  std::string_view unit(end, body.data() + body.size() - end);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return std::pair{number, unit};
}

std::expected<double, std::string> scaled(std::string_view text, const char* kind, std::string_view base,
                                          const char* hint) {
  auto parts = number_and_unit(text, kind);
  if (!parts) return std::unexpected(parts.error() + " (" + hint + ")");
  auto scale = scale_of(parts->second, base);
  if (!scale) {
    return std::unexpected("'" + std::string(text) + "' has an unknown unit '" + std::string(parts->second) + "' (" +
                           hint + ")");
  }
  double value = parts->first * *scale;
  if (!std::isfinite(value)) return std::unexpected("'" + std::string(text) + "' is too large");
  return value;
}

}  // namespace

std::expected<double, std::string> parse_duration_s(std::string_view text) {
  return scaled(text, "duration", "s", "e.g. 250us, 10ms, 1.5s");
}

std::expected<double, std::string> parse_rate_Bps(std::string_view text) {
  auto rate = scaled(text, "rate", "B/s", "e.g. 10Gbps, 2GBps, 500MiBps");
  if (rate && *rate <= 0) return std::unexpected("'" + std::string(text) + "' must be above zero");
  return rate;
}

}  // namespace offload
