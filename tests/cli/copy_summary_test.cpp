// The summary line of `offload cp`: its rate counts the data moved, not the
// holes of a sparse source that were skipped.
#include <gtest/gtest.h>

#include "cli/progress.hpp"

namespace offload::cli {
namespace {

TEST(CopySummary, RateCountsDataNotHoles) {
  CopyStatus status;
  status.bytes_total = 1ULL << 30;       // 1 GiB file
  status.bytes_done = 8ULL << 20;        // 8 MiB of data
  status.hole_bytes = status.bytes_total - status.bytes_done;
  status.submitted_ns = 0;
  status.finished_ns = 2'000'000'000;    // 2 s
  status.bytes_by_method[static_cast<std::size_t>(Method::host)] = status.bytes_done;
  status.source_fs = status.destination_fs = "xfs";
  std::string line = copy_summary_line(status);
  EXPECT_NE(line.find("copied 1.00 GiB in 2.000 s (4.00 MiB/s)"), std::string::npos) << line;
  EXPECT_NE(line.find("1016 MiB left as holes"), std::string::npos) << line;
}

}  // namespace
}  // namespace offload::cli
