// Copy planning: every command within MSSRL, MSRC + 1 and MCL, the ranges
// covering the source in order and landing consecutively, and the closed-
// form command count ceil(blocks / min(MCL, (MSRC + 1) x MSSRL)).
#include <gtest/gtest.h>

#include "engine/nvme/copy_plan.hpp"

namespace offload::nvme {
namespace {

void expect_plan_covers(const std::vector<Copy>& plan, std::uint64_t source, std::uint64_t destination,
                        std::uint64_t blocks, const CopyLimits& limits) {
  std::uint64_t next_source = source;
  std::uint64_t next_destination = destination;
  for (const Copy& copy : plan) {
    EXPECT_EQ(copy.destination_lba, next_destination);
    EXPECT_LE(copy.ranges.size(), limits.max_ranges);
    EXPECT_LE(copy.blocks(), limits.max_command_blocks);
    for (const SourceRange& range : copy.ranges) {
      EXPECT_EQ(range.lba, next_source);
      EXPECT_GE(range.blocks, 1U);
      EXPECT_LE(range.blocks, limits.max_range_blocks);
      next_source += range.blocks;
    }
    next_destination += copy.blocks();
  }
  EXPECT_EQ(next_source, source + blocks);
}

TEST(NvmeCopyPlan, SmallLimitsSplitIntoTheClosedFormCount) {
  const CopyLimits limits{.max_range_blocks = 8, .max_command_blocks = 24, .max_ranges = 4};
  EXPECT_EQ(blocks_per_command(limits), 24U);  // MCL binds: 4 x 8 = 32 > 24
  for (std::uint64_t blocks : {1ULL, 7ULL, 8ULL, 9ULL, 24ULL, 25ULL, 100ULL, 1000ULL}) {
    auto plan = plan_copy(1, 50, 5000, blocks, limits);
    EXPECT_EQ(plan.size(), (blocks + 23) / 24) << blocks;
    expect_plan_covers(plan, 50, 5000, blocks, limits);
  }
}

TEST(NvmeCopyPlan, RangeCountBindsWhenMclIsLarge) {
  const CopyLimits limits{.max_range_blocks = 16, .max_command_blocks = 1U << 20, .max_ranges = 2};
  EXPECT_EQ(blocks_per_command(limits), 32U);
  auto plan = plan_copy(7, 0, 100, 100, limits);
  ASSERT_EQ(plan.size(), 4U);  // 32 + 32 + 32 + 4
  EXPECT_EQ(plan[3].ranges.size(), 1U);
  EXPECT_EQ(plan[3].ranges[0].blocks, 4U);
  EXPECT_EQ(plan[0].nsid, 7U);
  expect_plan_covers(plan, 0, 100, 100, limits);
}

TEST(NvmeCopyPlan, ZeroLimitsOrBlocksPlanNothing) {
  EXPECT_TRUE(plan_copy(1, 0, 8, 0, {.max_range_blocks = 8, .max_command_blocks = 8, .max_ranges = 1}).empty());
  EXPECT_TRUE(plan_copy(1, 0, 8, 8, {.max_range_blocks = 0, .max_command_blocks = 8, .max_ranges = 1}).empty());
  EXPECT_TRUE(plan_copy(1, 0, 8, 8, {.max_range_blocks = 8, .max_command_blocks = 0, .max_ranges = 1}).empty());
}

TEST(NvmeCopyPlan, LimitsAndReasonsFromIdentify) {
  NamespaceIdentity ns{.size_blocks = 1000, .mssrl = 128, .mcl = 512, .msrc = 3};
  EXPECT_EQ(copy_limits(ns), (CopyLimits{.max_range_blocks = 128, .max_command_blocks = 512, .max_ranges = 4}));
  ControllerIdentity controller{.oncs = 1U << 8};
  EXPECT_EQ(copy_unusable_reason(controller, ns), "");
  EXPECT_EQ(copy_descriptor_format(controller), 0);
  controller.ocfs = 2;  // only format 1h
  EXPECT_EQ(copy_descriptor_format(controller), 1);
  EXPECT_EQ(copy_unusable_reason(controller, ns), "");
  controller.ocfs = 4;  // only format 2h (cross-namespace)
  EXPECT_NE(copy_unusable_reason(controller, ns).find("OCFS"), std::string::npos);
  controller = {.oncs = 0x5F};
  EXPECT_NE(copy_unusable_reason(controller, ns).find("ONCS bit 8 is clear"), std::string::npos);
  controller.oncs = 1U << 8;
  ns.mcl = 0;
  EXPECT_NE(copy_unusable_reason(controller, ns).find("limits of 0"), std::string::npos);
  ns.mcl = 512;
  ns.metadata_bytes = 8;
  EXPECT_NE(copy_unusable_reason(controller, ns).find("metadata"), std::string::npos);
}

}  // namespace
}  // namespace offload::nvme
