// Fixed pool of aligned host buffers: the engine's memory bound for host
// copies is count x size bytes, allocated lazily on first use.
// A buffer of 2 MiB or more is 2 MiB aligned and asks for transparent huge
// pages (madvise(2) MADV_HUGEPAGE; honoured when
// /sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise"): its
// first touch then faults one page per 2 MiB instead of one per 4 KiB. On
// the development VM (bench/README.md "Host buffers") a fresh 4 MiB buffer
// cost ~20 ms to fill the first time with 4 KiB pages, ~0.5 ms with huge
// pages; a warm one ~1 ms.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <sys/mman.h>

namespace offload {

/// A bounded set of equally sized, 4 KiB-aligned buffers.
class BufferPool {
 public:
  /// `count` buffers of `size_bytes` each (at most count x size_bytes of memory).
  BufferPool(std::size_t count, std::size_t size_bytes)
      : size_bytes_(size_bytes), buffers_(count), used_(count, false) {
    for (std::size_t i = count; i > 0; --i) free_.push_back(i - 1);
  }
  /// Index of a free buffer, or nullopt when all are in use.
  std::optional<std::size_t> acquire() {
    if (free_.empty()) return std::nullopt;
    std::size_t index = free_.back();
    free_.pop_back();
    return index;
  }
  /// True the first time buffer `index` is used: whoever fills it first
  /// touches fresh pages (the kernel maps and zeroes them on that touch).
  bool first_use(std::size_t index) {
    if (used_[index]) return false;
    used_[index] = true;
    return true;
  }
  /// Returns buffer `index` to the pool.
  void release(std::size_t index) { free_.push_back(index); }
  /// The memory of buffer `index` (size_bytes long), allocated on first view.
  std::span<std::byte> view(std::size_t index) {
    if (!buffers_[index]) {
      void* memory = std::aligned_alloc(alignment(), round_up(size_bytes_));
      if (memory == nullptr) throw std::bad_alloc();
      if (alignment() == kHugePage) madvise(memory, round_up(size_bytes_), MADV_HUGEPAGE);  // best effort: 4 KiB pages otherwise
      buffers_[index].reset(static_cast<std::byte*>(memory));
    }
    return {buffers_[index].get(), size_bytes_};
  }
  /// Bytes per buffer.
  std::size_t buffer_bytes() const { return size_bytes_; }
  /// Bytes of one buffer as the kernel maps it (whole 4 KiB pages).
  std::size_t mapped_bytes() const { return round_up(size_bytes_); }
  /// Bytes allocated so far (grows to at most count x size).
  std::size_t allocated_bytes() const {
    std::size_t total = 0;
    for (const auto& buffer : buffers_) total += buffer ? mapped_bytes() : 0;
    return total;
  }

 private:
  static constexpr std::size_t kPage = 4096;
  static constexpr std::size_t kHugePage = 2 << 20;  // x86-64 and arm64 (4 KiB granule) PMD size
  std::size_t alignment() const { return size_bytes_ >= kHugePage ? kHugePage : kPage; }
  std::size_t round_up(std::size_t n) const { return (n + alignment() - 1) / alignment() * alignment(); }
  struct FreeDeleter {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::size_t size_bytes_;
  std::vector<std::unique_ptr<std::byte, FreeDeleter>> buffers_;
  std::vector<std::size_t> free_;
  std::vector<bool> used_;  // buffer i was handed to an operation before
};

}  // namespace offload
