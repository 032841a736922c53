// Fills and checks device ranges with a seeded pattern through a block
// node with O_DIRECT (the kernel's own driver, not the engine's
// passthrough code), for the in-guest device tests (sg_guest, nvme_guest).
// Seed 0 is zeros (a sparse image's unwritten blocks).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

namespace offload::testing {

/// Bytes per O_DIRECT transfer of fill/check.
inline constexpr std::uint64_t kPatternChunk = 4ULL << 20;

/// Word `word` of the pattern with `seed` (splitmix64).
inline std::uint64_t pattern_word(std::uint64_t seed, std::uint64_t word) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + word + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Writes `bytes` of the pattern into `buffer`, starting `relative` bytes into the range.
inline void make_pattern(std::uint8_t* buffer, std::size_t bytes, std::uint64_t seed, std::uint64_t relative) {
  for (std::size_t i = 0; i < bytes; i += 8) {
    std::uint64_t w = seed == 0 ? 0 : pattern_word(seed, (relative + i) / 8);
    std::memcpy(buffer + i, &w, 8);
  }
}

/// Page-aligned heap memory for O_DIRECT.
struct AlignedBuffer {
  std::uint8_t* data = nullptr;  ///< nullptr when the allocation failed
  explicit AlignedBuffer(std::size_t bytes) {
    void* p = nullptr;
    if (posix_memalign(&p, 4096, bytes) == 0) data = static_cast<std::uint8_t*>(p);
  }
  ~AlignedBuffer() { std::free(data); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
};

/// Writes (fill) or compares (check) the pattern over [offset, offset +
/// length) of `device` with O_DIRECT. Returns "" or what differs.
inline std::string block_io(bool fill, const std::string& device, std::uint64_t offset, std::uint64_t length,
                            std::uint64_t seed) {
  int fd = ::open(device.c_str(), (fill ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return device + ": " + std::strerror(errno);
  AlignedBuffer want(kPatternChunk), got(kPatternChunk);
  std::string problem;
  for (std::uint64_t done = 0; done < length && problem.empty(); done += kPatternChunk) {
    std::size_t bytes = std::min(kPatternChunk, length - done);
    make_pattern(want.data, bytes, seed, done);
    ssize_t n = fill ? ::pwrite(fd, want.data, bytes, static_cast<off_t>(offset + done))
                     : ::pread(fd, got.data, bytes, static_cast<off_t>(offset + done));
    if (n != static_cast<ssize_t>(bytes)) {
      problem = device + ": short " + (fill ? "write" : "read") + " at " + std::to_string(offset + done);
    } else if (!fill && std::memcmp(want.data, got.data, bytes) != 0) {
      std::size_t i = 0;
      while (want.data[i] == got.data[i]) ++i;
      problem = device + ": byte " + std::to_string(offset + done + i) + " differs from pattern " + std::to_string(seed);
    }
  }
  if (fill && problem.empty() && ::fsync(fd) != 0) problem = device + ": fsync: " + std::strerror(errno);
  ::close(fd);
  return problem;
}
/// block_io(true, ...).
inline std::string fill(const std::string& d, std::uint64_t off, std::uint64_t len, std::uint64_t seed) {
  return block_io(true, d, off, len, seed);
}
/// block_io(false, ...).
inline std::string check(const std::string& d, std::uint64_t off, std::uint64_t len, std::uint64_t seed) {
  return block_io(false, d, off, len, seed);
}

}  // namespace offload::testing
