#include "cli/file_check.hpp"

#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace offload::cli {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

struct Fd {
  int fd;
  ~Fd() { if (fd >= 0) close(fd); }
};

}  // namespace

std::expected<void, std::string> write_pattern_file(const std::string& path, std::uint64_t size_bytes,
                                                    std::uint64_t seed) {
  Fd file{open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (file.fd < 0) return std::unexpected(os_error("open " + path));
  std::vector<std::uint64_t> block(1 << 17);  // 1 MiB
  std::uint64_t state = seed;
  std::uint64_t written = 0;
  while (written < size_bytes) {
    for (auto& word : block) word = splitmix64(state);
    std::size_t piece = std::min<std::uint64_t>(block.size() * 8, size_bytes - written);
    ssize_t n = pwrite(file.fd, block.data(), piece, static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::unexpected(os_error("write " + path));
    written += static_cast<std::uint64_t>(n);
  }
  return {};
}

std::expected<void, std::string> files_equal(const std::string& a, const std::string& b, std::uint64_t size_bytes) {
  return ranges_equal(a, 0, b, 0, size_bytes);
}

std::expected<void, std::string> ranges_equal(const std::string& a, std::uint64_t a_offset, const std::string& b,
                                              std::uint64_t b_offset, std::uint64_t size_bytes) {
  Fd fa{open(a.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fa.fd < 0) return std::unexpected(os_error("open " + a));
  Fd fb{open(b.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fb.fd < 0) return std::unexpected(os_error("open " + b));
  constexpr std::size_t kBlock = 1 << 20;
  std::vector<char> ba(kBlock), bb(kBlock);
  std::uint64_t offset = 0;
  while (offset < size_bytes) {
    std::size_t piece = std::min<std::uint64_t>(kBlock, size_bytes - offset);
    ssize_t na = pread(fa.fd, ba.data(), piece, static_cast<off_t>(a_offset + offset));
    ssize_t nb = pread(fb.fd, bb.data(), piece, static_cast<off_t>(b_offset + offset));
    if (na < 0 || nb < 0) return std::unexpected(os_error("read"));
    if (na != static_cast<ssize_t>(piece) || nb != static_cast<ssize_t>(piece)) {
      return std::unexpected("short file at byte " + std::to_string(offset));
    }
    if (std::memcmp(ba.data(), bb.data(), piece) != 0) {
      std::size_t i = 0;
      while (ba[i] == bb[i]) ++i;
      return std::unexpected("bytes differ at offset " + std::to_string(offset + i));
    }
    offset += piece;
  }
  return {};
}

std::expected<bool, std::string> shares_extents(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(os_error(path));
  constexpr unsigned kExtents = 64;
  std::vector<std::byte> buffer(sizeof(fiemap) + kExtents * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  bool shared = false;
  for (std::uint64_t start = 0;;) {
    std::fill(buffer.begin(), buffer.end(), std::byte{0});
    map->fm_start = start;
    map->fm_length = FIEMAP_MAX_OFFSET - start;
    map->fm_flags = FIEMAP_FLAG_SYNC;
    map->fm_extent_count = kExtents;
    if (ioctl(fd, FS_IOC_FIEMAP, map) != 0) {
      std::string error = os_error(path + ": FIEMAP");
      close(fd);
      return std::unexpected(error);
    }
    bool last = map->fm_mapped_extents == 0;
    for (unsigned i = 0; i < map->fm_mapped_extents; ++i) {
      const fiemap_extent& extent = map->fm_extents[i];
      shared |= (extent.fe_flags & FIEMAP_EXTENT_SHARED) != 0;
      last |= (extent.fe_flags & FIEMAP_EXTENT_LAST) != 0;
      start = extent.fe_logical + extent.fe_length;
    }
    if (last || shared) break;
  }
  close(fd);
  return shared;
}

}  // namespace offload::cli
