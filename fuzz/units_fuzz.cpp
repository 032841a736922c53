// libFuzzer target: the quantity parsers of engine/units.hpp (sizes,
// durations, rates) on arbitrary text. Besides not crashing, every accepted
// value must be usable: finite, not negative, sizes below 2^64, rates above
// zero; and a formatted size must parse back to about the same size.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/units.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports the input that broke the invariant
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bytes = offload::parse_size_bytes(text)) {
    require(*bytes <= 18'000'000'000'000'000'000ULL);
    std::string printed = offload::format_bytes(static_cast<double>(*bytes));
    auto again = offload::parse_size_bytes(printed.substr(0, printed.find(' ')) + printed.substr(printed.find(' ') + 1));
    // Three significant digits: the round trip is within 1 % (or the text is not a whole byte count).
    if (again && *bytes > 0) require(std::fabs(static_cast<double>(*again) - static_cast<double>(*bytes)) <= 0.01 * static_cast<double>(*bytes) + 1);
  } else {
    require(!bytes.error().empty());
  }
  if (auto seconds = offload::parse_duration_s(text)) {
    require(std::isfinite(*seconds) && *seconds >= 0);
  } else {
    require(!seconds.error().empty());
  }
  if (auto rate = offload::parse_rate_Bps(text)) {
    require(std::isfinite(*rate) && *rate > 0);
    require(!offload::format_rate(*rate).empty());
  } else {
    require(!rate.error().empty());
  }
  return 0;
}
