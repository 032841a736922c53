// Loop-mounted XFS, btrfs, ext4 and a small ext4 for the real-file tests,
// set up once per test program by tests/targets/loopfs.sh. Without root or
// loop devices the tests skip with the reason and the program exits 77
// (CTest's skip); with OFFLOAD_REQUIRE_REAL_FS=1 (as CI sets) that skip is a
// failure. After every test, everything it left on the mounts is removed,
// so a test that stops at a failed ASSERT cannot break the next ones.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace offload::testing {

/// The mounted filesystems of this test program.
class LoopFs : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  /// True when the filesystems are mounted.
  static bool ready();
  /// Why they are not.
  static const std::string& reason();
  /// Mount point of "xfs", "btrfs", "ext4" or "small".
  static std::string dir(const std::string& fs);
  /// Removes every file and directory on the mounts (not lost+found).
  static void clear();
};

/// True when OFFLOAD_REQUIRE_REAL_FS=1.
bool real_fs_required();

}  // namespace offload::testing

/// Skips (or fails when real filesystems are required) without loop mounts.
#define REQUIRE_LOOP_FS()                                                              \
  do {                                                                                 \
    if (!::offload::testing::LoopFs::ready()) {                                        \
      if (::offload::testing::real_fs_required())                                      \
        FAIL() << "OFFLOAD_REQUIRE_REAL_FS=1 but " << ::offload::testing::LoopFs::reason(); \
      GTEST_SKIP() << "no loop filesystems: " << ::offload::testing::LoopFs::reason(); \
    }                                                                                  \
  } while (0)
