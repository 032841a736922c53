// Helpers for tests on real files: run a copy through a real engine (held
// at a pause point when a test needs it in the middle), make pattern and
// sparse files, read files back, look at extents.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "cli/file_check.hpp"
#include "engine/engine.hpp"
#include "engine/op_gate.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/posix_file.hpp"

namespace offload::testing {

inline constexpr std::uint64_t kMiB = 1ULL << 20;

/// Bound on a wait for a state the code under test reaches by itself: only
/// a hang hits it, also on a loaded machine under ASan.
inline constexpr std::chrono::seconds kReachBound{300};

/// A real-file engine for one test; with a HoldPoint, its runtime holds the
/// copy there (engine/op_gate.hpp) until the test calls gate.release().
struct RealRig {
  explicit RealRig(EngineConfig config = {}, std::optional<HoldPoint> hold = std::nullopt)
      : runtime(config.queue_depth), engine(runtime, files, config) {
    if (hold) {
      gate.hold_at(*hold);
      runtime.set_gate(&gate);
    }
  }
  /// Lets a held copy go first: the engine's destructor waits for it.
  ~RealRig() { gate.release(); }
  RealRig(const RealRig&) = delete;
  RealRig& operator=(const RealRig&) = delete;
  OpGate gate;  // declared before the runtime: outlives its workers
  RealRuntime runtime;
  PosixFileFactory files;
  Engine engine;

  /// Submits and waits; the submit error, or the final status.
  std::expected<CopyStatus, CopyError> copy(const CopyRequest& request) {
    auto cookie = engine.submit(request);
    if (!cookie) return std::unexpected(cookie.error());
    return *engine.wait(*cookie);
  }

  /// Waits until the gate holds the copy `cookie`; a failure that names the
  /// hold point and the copy's state when kReachBound passes first.
  ::testing::AssertionResult reached_hold(Cookie cookie) {
    if (gate.wait_held(kReachBound)) return ::testing::AssertionSuccess();
    auto status = engine.poll(cookie);
    return ::testing::AssertionFailure()
           << "the copy did not reach its hold point within " << kReachBound.count() << " s; state "
           << (status ? std::string(state_name(status->state)) : "unknown") << ", bytes done "
           << (status ? status->bytes_done : 0);
  }
};

/// Dates a file's mtime back to 2020: a later write then changes it for
/// certain, even within one tick of the kernel's timestamp clock.
inline bool date_back(const std::string& path) {
  const timespec then[2] = {{1'577'836'800, 0}, {1'577'836'800, 0}};
  return utimensat(AT_FDCWD, path.c_str(), then, 0) == 0;
}

/// All bytes of a file ("" when it cannot be read). One read call: a
/// byte-at-a-time copy of 64 MiB takes a minute and more under ASan.
inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  std::string bytes(static_cast<std::size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return in ? bytes : std::string();
}

/// True when a name exists (any type).
inline bool exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

/// Bytes a file occupies on disk.
inline std::uint64_t allocated_bytes(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_blocks) * 512 : 0;
}

/// Writes pseudo-random `length` bytes at `offset` into `path` (created sparse, sized `size`).
inline void write_sparse_file(const std::string& path, std::uint64_t size,
                              const std::vector<std::pair<std::uint64_t, std::uint64_t>>& data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
  std::uint32_t x = 12345;
  for (auto [offset, length] : data) {
    std::vector<char> bytes(length);
    for (auto& b : bytes) {
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      b = static_cast<char>(x | 1);
    }
    ASSERT_EQ(pwrite(fd, bytes.data(), length, static_cast<off_t>(offset)), static_cast<ssize_t>(length));
  }
  close(fd);
}

/// True when the file's first extent is shared with another file (reflinked).
inline bool first_extent_shared(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  alignas(fiemap) char storage[sizeof(fiemap) + sizeof(fiemap_extent)] = {};
  auto* map = reinterpret_cast<fiemap*>(storage);
  map->fm_length = FIEMAP_MAX_OFFSET;
  map->fm_extent_count = 1;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  bool shared = ioctl(fd, FS_IOC_FIEMAP, map) == 0 && map->fm_mapped_extents == 1 &&
                (map->fm_extents[0].fe_flags & FIEMAP_EXTENT_SHARED) != 0;
  close(fd);
  return shared;
}

/// Names in a directory that start with ".", other than lost+found-like system
/// entries: the staging files an atomic copy must not leave behind.
inline std::vector<std::string> hidden_entries(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(".")) names.push_back(name);
  }
  return names;
}

}  // namespace offload::testing
