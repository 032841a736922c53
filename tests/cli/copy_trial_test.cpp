// run_interleaved: the specs' copies take turns, one per spec and round, and
// a failing spec stops alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/copy_trial.hpp"
#include "cli/file_check.hpp"

namespace offload::cli {
namespace {

class InterleavedTrials : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "offload-trial-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    ASSERT_TRUE(write_pattern_file(directory_ + "/source.bin", 1 << 20, 3));
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  TrialSpec spec(const std::string& method, unsigned repeat, unsigned depth, const std::string& source) const {
    TrialSpec s{directory_, directory_ + "/" + source, 1 << 20, method, repeat, {}, true, true};
    s.engine.queue_depth = depth;
    s.destination = directory_ + "/copy-" + method + "-" + std::to_string(depth) + ".bin";
    return s;
  }

  std::string directory_;
};

TEST_F(InterleavedTrials, TakeTurnsOneCopyPerSpecAndRound) {
  std::vector<TrialSpec> specs{spec("host", 3, 1, "source.bin"), spec("kernel-copy", 2, 4, "source.bin"),
                               spec("host", 3, 2, "missing.bin")};
  nlohmann::json runs = nlohmann::json::array();
  std::vector<TrialResult> results = run_interleaved(specs, runs);

  ASSERT_EQ(results.size(), 3U);
  EXPECT_TRUE(results[0].ok()) << results[0].outcome;
  EXPECT_TRUE(results[1].ok()) << results[1].outcome;
  EXPECT_TRUE(results[0].verified);
  EXPECT_TRUE(results[1].verified);
  EXPECT_EQ(results[0].seconds.size(), 3U);
  EXPECT_EQ(results[1].seconds.size(), 2U);
  EXPECT_EQ(results[0].cpu_seconds.size(), 3U);
  EXPECT_FALSE(results[2].ok());  // no source: this spec stops, the others go on
  EXPECT_TRUE(results[2].seconds.empty());

  std::vector<std::pair<std::string, unsigned>> order;
  for (const auto& run : runs) order.emplace_back(run["method_requested"], run["queue_depth"]);
  std::vector<std::pair<std::string, unsigned>> expected{
      {"host", 1}, {"kernel-copy", 4}, {"host", 1}, {"kernel-copy", 4}, {"host", 1}};
  EXPECT_EQ(order, expected);
}

}  // namespace
}  // namespace offload::cli
