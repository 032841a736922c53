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

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 6> kNames{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t index = 0;
  while (bytes >= 1024.0 && index + 1 < kNames.size()) {
    bytes /= 1024.0;
    ++index;
  }
  char text[32];
  if (index == 0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else {
    std::snprintf(text, sizeof text, bytes < 10 ? "%.2f %s" : bytes < 100 ? "%.1f %s" : "%.0f %s", bytes,
                  kNames[index]);
  }
  return text;
}

std::string format_rate(double bytes_per_s) { return format_bytes(bytes_per_s) + "/s"; }

}  // namespace offload
