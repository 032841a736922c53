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
  EXPECT_EQ(sizes, 11U);  // "" (bytes), B, kB, KB, MB, GB, TB, KiB, MiB, GiB, TiB
  EXPECT_EQ(durations, 6U);
  EXPECT_EQ(rates, 16U);
}

TEST(Units, FormatsBinaryUnits) {
  EXPECT_EQ(format_bytes(17), "17 B");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(1073741824.0), "1.00 GiB");
  EXPECT_EQ(format_rate(200.0 * 1048576), "200 MiB/s");
}

}  // namespace
}  // namespace offload
