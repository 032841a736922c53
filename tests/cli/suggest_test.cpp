// "Did you mean" for a mistyped `offload` subcommand.
#include <gtest/gtest.h>

#include "cli/suggest.hpp"

namespace offload::cli {
namespace {

const std::vector<std::string> kCommands{"calibrate", "compare", "cp", "report", "sim"};

TEST(EditDistance, CountsInsertsDeletesSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("cp", "cp"), 0U);
  EXPECT_EQ(edit_distance("cpp", "cp"), 1U);
  EXPECT_EQ(edit_distance("sin", "sim"), 1U);
  EXPECT_EQ(edit_distance("pc", "cp"), 1U);
  EXPECT_EQ(edit_distance("", "sim"), 3U);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(Suggestion, NamesTheNearestCommand) {
  EXPECT_EQ(suggestion("cpp", kCommands), "did you mean 'cp'?");
  EXPECT_EQ(suggestion("compar", kCommands), "did you mean 'compare'?");
  EXPECT_EQ(suggestion("calib", kCommands), "did you mean 'calibrate'?");
  EXPECT_EQ(suggestion("reprot", kCommands), "did you mean 'report'?");
}

TEST(Suggestion, ListsTheCommandsWhenNoneIsClose) {
  EXPECT_EQ(suggestion("teleport", kCommands), "commands: calibrate, compare, cp, report, sim");
  EXPECT_EQ(suggestion("x", kCommands), "commands: calibrate, compare, cp, report, sim");
}

}  // namespace
}  // namespace offload::cli
