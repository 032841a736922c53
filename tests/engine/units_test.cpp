#include <gtest/gtest.h>

#include "engine/units.hpp"

namespace offload {
namespace {

TEST(Units, ParsesDecimalAndBinarySizes) {
  EXPECT_EQ(parse_size_bytes("4096").value(), 4096U);
  EXPECT_EQ(parse_size_bytes("4KiB").value(), 4096U);
  EXPECT_EQ(parse_size_bytes("1.5GB").value(), 1'500'000'000U);
  EXPECT_EQ(parse_size_bytes(" 40 GiB ").value(), 40ULL << 30);
  EXPECT_EQ(parse_size_bytes("0").value(), 0U);
}

TEST(Units, RejectsBadSizesWithTheText) {
  auto unit = parse_size_bytes("4 parsecs");
  ASSERT_FALSE(unit);
  EXPECT_NE(unit.error().find("parsecs"), std::string::npos);
  EXPECT_FALSE(parse_size_bytes(""));
  EXPECT_FALSE(parse_size_bytes("-1MiB"));
  EXPECT_FALSE(parse_size_bytes("0.5B"));
  EXPECT_FALSE(parse_size_bytes("1e30TB"));
}

TEST(Units, ParsesDurationsAndRates) {
  EXPECT_DOUBLE_EQ(parse_duration_s("250us").value(), 250e-6);
  EXPECT_DOUBLE_EQ(parse_duration_s("1.5s").value(), 1.5);
  EXPECT_DOUBLE_EQ(parse_duration_s("2min").value(), 120.0);
  EXPECT_DOUBLE_EQ(parse_rate_Bps("10Gbps").value(), 1.25e9);
  EXPECT_DOUBLE_EQ(parse_rate_Bps("2GBps").value(), 2e9);
  EXPECT_DOUBLE_EQ(parse_rate_Bps("1MiBps").value(), 1048576.0);
  EXPECT_FALSE(parse_duration_s("5 fortnights"));
  EXPECT_FALSE(parse_rate_Bps("10Gbs"));
  EXPECT_FALSE(parse_rate_Bps("0Gbps"));
  EXPECT_NE(parse_rate_Bps("fast").error().find("fast"), std::string::npos);
}

// Found by fuzz/units_fuzz.cpp: a finite number times its unit overflowed to
// infinity and was accepted as a rate or a duration.
TEST(Units, RejectsQuantitiesThatOverflowToInfinity) {
  auto rate = parse_rate_Bps("1e308PBps");
  ASSERT_FALSE(rate);
  EXPECT_NE(rate.error().find("too large"), std::string::npos) << rate.error();
  EXPECT_FALSE(parse_duration_s("1e308h"));
  EXPECT_DOUBLE_EQ(parse_duration_s("1e300h").value(), 3.6e303);
}

// The table the Python report reads is the one the parsers use: every
// suffix it lists parses to its scale, in its base unit only.
TEST(Units, TableIsWhatTheParsersAccept) {
  std::size_t sizes = 0, durations = 0, rates = 0;
  for (const UnitScale& unit : unit_scales()) {
    std::string two = "2" + std::string(unit.suffix);
    if (unit.base == "B") {
      ++sizes;
      EXPECT_EQ(parse_size_bytes(two).value(), static_cast<std::uint64_t>(2 * unit.scale)) << two;
      EXPECT_FALSE(parse_rate_Bps(two)) << two;
    } else if (unit.base == "s") {
      ++durations;
      EXPECT_DOUBLE_EQ(parse_duration_s(two).value(), 2 * unit.scale) << two;
      EXPECT_FALSE(parse_size_bytes(two)) << two;
    } else {
      ASSERT_EQ(unit.base, "B/s") << two;
      ++rates;
      EXPECT_DOUBLE_EQ(parse_rate_Bps(two).value(), 2 * unit.scale) << two;
      EXPECT_FALSE(parse_duration_s(two)) << two;
    }
  }
  EXPECT_EQ(sizes, 13U);  // "" (bytes), B, kB, KB, MB, GB, TB, KiB, MiB, GiB, TiB, PB, PiB
  EXPECT_EQ(durations, 6U);
  EXPECT_EQ(rates, 17U);
}

TEST(Units, FormatsBinaryUnits) {
  EXPECT_EQ(format_bytes(17), "17 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(1073741824.0), "1.00 GiB");
  EXPECT_EQ(format_rate(200.0 * 1048576), "200 MiB/s");
  // The unit is chosen per value: 4.25 GiB/s is not 0.00415 TiB/s, and a value that rounds to 1024 moves up.
  EXPECT_EQ(format_rate(4.25 * 1073741824), "4.25 GiB/s");
  EXPECT_EQ(format_rate(1018.0 * 1048576), "1018 MiB/s");
  EXPECT_EQ(format_bytes(1023.9 * 1048576), "1.00 GiB");
  EXPECT_EQ(format_bytes(-2.0 * 1073741824), "-2.00 GiB");
}

// Never scientific notation: the values that printed "4.49e-06", "1.02e+03 MiB/s" and "clone 2e+03 us".
TEST(Units, FormatsNumbersWithoutScientificNotation) {
  EXPECT_EQ(format_number(4.49e-06), "0.00000449");
  EXPECT_EQ(format_number(0.00471), "0.00471");
  EXPECT_EQ(format_number(9.996), "10.0");
  EXPECT_EQ(format_number(2035.8), "2036");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_duration(4.49e-06), "4.49 us");
  EXPECT_EQ(format_duration(0.0020004), "2.00 ms");
  EXPECT_EQ(format_duration(0.9996), "1.00 s");
  EXPECT_EQ(format_duration(40.234), "40.2 s");
  EXPECT_EQ(format_ratio(2034.8), "2035x");
  EXPECT_EQ(format_ratio(1.0), "1.00x");
  EXPECT_EQ(format_percent(0.93), "93%");
  EXPECT_EQ(format_percent(0.0042), "0.420%");
}

// A clone is a fixed cost, not a rate: 8 GiB in 3.6 ms is shown as the time.
TEST(Units, ShowsFastCopiesAsTimePerCopy) {
  EXPECT_EQ(format_copy_speed(8.0 * 1073741824 / 0.0036, 0.0036), "3.60 ms per copy");
  EXPECT_EQ(format_copy_speed(1.2 * 1073741824, 8.9), "1.20 GiB/s");
}

// Calibration files: a binary unit per value, six digits, read back by the parsers.
TEST(Units, WritesTomlQuantitiesTheParsersReadBack) {
  EXPECT_EQ(toml_rate(4.5 * 1073741824), "4.5GiBps");
  EXPECT_EQ(toml_duration(1.25e-05), "12.5us");
  EXPECT_EQ(toml_duration(0), "0s");
  for (double rate : {123.0, 5.123456e9, 1e12, 3.7e16}) {  // 3.7e16: PiB/s, a fit that found no cost
    EXPECT_NEAR(parse_rate_Bps(toml_rate(rate)).value() / rate, 1, 1e-5) << toml_rate(rate);
  }
  EXPECT_NEAR(parse_duration_s(toml_duration(3.3e-7)).value(), 3.3e-7, 1e-12);
}

}  // namespace
}  // namespace offload
