// Fixed pool of aligned host buffers: the engine's memory bound for host
// copies is count x size bytes, allocated lazily on first use.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace offload {

/// A bounded set of equally sized, 4 KiB-aligned buffers.
class BufferPool {
 public:
  /// `count` buffers of `size_bytes` each (at most count x size_bytes of memory).
  BufferPool(std::size_t count, std::size_t size_bytes)
      : size_bytes_(size_bytes), buffers_(count) {
    for (std::size_t i = count; i > 0; --i) free_.push_back(i - 1);
  }
  /// Index of a free buffer, or nullopt when all are in use.
  std::optional<std::size_t> acquire() {
    if (free_.empty()) return std::nullopt;
    std::size_t index = free_.back();
    free_.pop_back();
    return index;
  }
  /// Returns buffer `index` to the pool.
  void release(std::size_t index) { free_.push_back(index); }
  /// The memory of buffer `index` (size_bytes long), allocated on first view.
  std::span<std::byte> view(std::size_t index) {
    if (!buffers_[index]) {
      void* memory = std::aligned_alloc(kAlignment, round_up(size_bytes_));
      if (memory == nullptr) throw std::bad_alloc();
      buffers_[index].reset(static_cast<std::byte*>(memory));
    }
    return {buffers_[index].get(), size_bytes_};
  }
  /// Bytes per buffer.
  std::size_t buffer_bytes() const { return size_bytes_; }
  /// Bytes allocated so far (grows to at most count x size).
  std::size_t allocated_bytes() const {
    std::size_t total = 0;
    for (const auto& buffer : buffers_) total += buffer ? round_up(size_bytes_) : 0;
    return total;
  }

 private:
  static constexpr std::size_t kAlignment = 4096;
  static std::size_t round_up(std::size_t n) {
    return (n + kAlignment - 1) / kAlignment * kAlignment;
  }
  struct FreeDeleter {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::size_t size_bytes_;
  std::vector<std::unique_ptr<std::byte, FreeDeleter>> buffers_;
  std::vector<std::size_t> free_;
};

}  // namespace offload
