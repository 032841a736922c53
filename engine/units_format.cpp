// The one rule for printing numbers (engine/units.hpp); its Python mirror is
// python/offloadsim/report/units.py, checked against this by
// python/tests/test_units.py.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/units.hpp"

namespace offload {
namespace {

/// `digits` significant digits of a finite value >= 0 in fixed notation:
/// the position of the last digit comes from the value rounded in
/// scientific notation, so 9.996 gives "10.0", not "9.996" or "1e+01".
std::string significant(double value, int digits) {
  if (value == 0) return "0";
  char text[64];
  std::snprintf(text, sizeof text, "%.*e", digits - 1, value);
  int exponent = std::atoi(std::strchr(text, 'e') + 1);
  int decimals = std::max(0, digits - 1 - exponent);
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string with_sign(double value, const std::string& magnitude) {
  return value < 0 && magnitude != "0" ? "-" + magnitude : magnitude;
}

/// Value in the largest of `units` (factor, name; ascending) in which it is
/// at least 1 once rounded to `digits` (1023.7 KiB is "1.00 MiB").
template <std::size_t N>
std::string in_unit(double value, const std::array<std::pair<double, const char*>, N>& units, int digits,
                    const char* separator) {
  double magnitude = std::fabs(value);
  std::size_t index = 0;
  for (std::size_t i = 1; i < N; ++i) {
    if (std::strtod(significant(magnitude / units[i].first, digits).c_str(), nullptr) >= 1) index = i;
  }
  return with_sign(value, significant(magnitude / units[index].first, digits) + separator + units[index].second);
}

constexpr std::array<std::pair<double, const char*>, 6> kBinary{
    {{1.0, "B"}, {1024.0, "KiB"}, {1048576.0, "MiB"}, {1073741824.0, "GiB"}, {1099511627776.0, "TiB"},
     {1125899906842624.0, "PiB"}}};
constexpr std::array<std::pair<double, const char*>, 4> kTime{{{1e-9, "ns"}, {1e-6, "us"}, {1e-3, "ms"}, {1.0, "s"}}};

/// "12.5000us" -> "12.5us", "4.00000GiB" -> "4GiB".
std::string without_trailing_zeros(std::string text) {
  std::size_t unit = text.find_first_not_of("-0123456789.");
  std::string number = text.substr(0, unit);
  if (number.find('.') != std::string::npos) {
    number.erase(number.find_last_not_of('0') + 1);
    if (number.back() == '.') number.pop_back();
  }
  return number + text.substr(unit);
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "-";
  return with_sign(value, significant(std::fabs(value), 3));
}

std::string format_bytes(double bytes) {
  if (std::isnan(bytes)) return "-";
  if (std::fabs(bytes) < 1023.5) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f B", bytes);
    return text;
  }
  return in_unit(bytes, kBinary, 3, " ");
}

std::string format_rate(double bytes_per_s) { return format_bytes(bytes_per_s) + "/s"; }

std::string format_duration(double seconds) {
  if (std::isnan(seconds)) return "-";
  if (seconds == 0) return "0 s";
  return in_unit(seconds, kTime, 3, " ");
}

std::string format_ratio(double ratio) {
  if (std::isnan(ratio)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, std::fabs(ratio) < 99.5 ? "%.2fx" : "%.0fx", ratio);
  return text;
}

std::string format_percent(double fraction) {
  if (std::isnan(fraction)) return "-";
  double percent = 100 * fraction;
  if (std::fabs(percent) >= 9.995) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f%%", percent);
    return text;
  }
  return format_number(percent) + "%";
}

std::string format_copy_speed(double bytes_per_s, double seconds_per_copy) {
  if (seconds_per_copy > 0 && seconds_per_copy < kRateMinSeconds) return format_duration(seconds_per_copy) + " per copy";
  return format_rate(bytes_per_s);
}

std::string toml_rate(double bytes_per_s) { return without_trailing_zeros(in_unit(bytes_per_s, kBinary, 6, "")) + "ps"; }

std::string toml_duration(double seconds) {
  return seconds == 0 ? "0s" : without_trailing_zeros(in_unit(seconds, kTime, 6, ""));
}

}  // namespace offload
