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
  EXPECT_NE(line.find("copied 1.00 GiB in 2.00 s (4.00 MiB/s)"), std::string::npos) << line;
  EXPECT_NE(line.find("1016 MiB left as holes"), std::string::npos) << line;
}

// A kernel copy on ext4 moves every byte through host memory with host CPU,
// though none through user space: the line says so (not "not moved").
TEST(CopySummary, SaysWhereTheBytesWent) {
  CopyStatus status;
  status.bytes_total = status.bytes_done = 2ULL << 30;
  status.bytes_by_method[static_cast<std::size_t>(Method::kernel_copy)] = status.bytes_done;
  status.cpu_ns = 400'000'000;
  status.source_fs = status.destination_fs = "ext4";
  EXPECT_EQ(data_path_line(status), "bytes through user space: 0 B; through host memory: 2.00 GiB (2.00 GiB copied "
                                    "by the kernel); not through the host: 0 B; host CPU 400 ms");
  // On NFS 4.2 copy_file_range is a server-side COPY: nothing passes the host.
  status.source_fs = status.destination_fs = "nfs";
  EXPECT_EQ(data_path_line(status), "bytes through user space: 0 B; through host memory: 0 B; not through the host: "
                                    "2.00 GiB (the NFS server copied them); host CPU 400 ms");
  // A clone finished in 2 ms: a time per copy, not 1 TiB/s.
  status.bytes_by_method = {};
  status.bytes_by_method[static_cast<std::size_t>(Method::clone)] = status.bytes_done;
  status.finished_ns = 2'000'000;
  EXPECT_NE(copy_summary_line(status).find("in 2.00 ms (2.00 ms per copy) via clone"), std::string::npos)
      << copy_summary_line(status);
}

}  // namespace
}  // namespace offload::cli
