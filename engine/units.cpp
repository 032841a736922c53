#include "engine/units.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace offload {

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
  static constexpr std::array<std::pair<std::string_view, double>, 11> kUnits{{
      {"", 1}, {"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}}};
  for (const auto& [name, scale] : kUnits) {
    if (unit == name) {
      double bytes = std::round(number * scale);
      if (bytes > 1.8e19) return std::unexpected("'" + std::string(text) + "' is too large");
      if (bytes != number * scale && std::fabs(bytes - number * scale) > 1e-6) {
        return std::unexpected("'" + std::string(text) + "' is not a whole number of bytes");
      }
      return static_cast<std::uint64_t>(bytes);
    }
  }
  return std::unexpected("'" + std::string(text) + "' has an unknown unit '" + std::string(unit) +
                         "' (use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)");
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

template <std::size_t N>
std::expected<double, std::string> scaled(std::string_view text, const char* kind,
                                          const std::array<std::pair<std::string_view, double>, N>& units,
                                          const char* hint) {
  auto parts = number_and_unit(text, kind);
  if (!parts) return std::unexpected(parts.error() + " (" + hint + ")");
  for (const auto& [name, scale] : units) {
    if (parts->second != name) continue;
    double value = parts->first * scale;
    if (!std::isfinite(value)) return std::unexpected("'" + std::string(text) + "' is too large");
    return value;
  }
  return std::unexpected("'" + std::string(text) + "' has an unknown unit '" + std::string(parts->second) + "' (" +
                         hint + ")");
}

}  // namespace

std::expected<double, std::string> parse_duration_s(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, double>, 6> kUnits{
      {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"min", 60.0}, {"h", 3600.0}}};
  return scaled(text, "duration", kUnits, "e.g. 250us, 10ms, 1.5s");
}

std::expected<double, std::string> parse_rate_Bps(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, double>, 16> kUnits{
      {{"bps", 1.0 / 8}, {"kbps", 1e3 / 8}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8},
       {"Pbps", 1e15 / 8}, {"Bps", 1.0}, {"kBps", 1e3}, {"MBps", 1e6}, {"GBps", 1e9}, {"TBps", 1e12}, {"PBps", 1e15},
       {"KiBps", 1024.0}, {"MiBps", 1048576.0}, {"GiBps", 1073741824.0}, {"TiBps", 1099511627776.0}}};
  auto rate = scaled(text, "rate", kUnits, "e.g. 10Gbps, 2GBps, 500MiBps");
  if (rate && *rate <= 0) return std::unexpected("'" + std::string(text) + "' must be above zero");
  return rate;
}

}  // namespace offload
