// host_buffer_bench: what the first fill of a fresh host buffer costs, the
// cost the simulator charges as `buffer_fault_bandwidth` (bytes/s of fresh
// buffer one core faults in and zeroes on first touch).
//
// Each iteration preads a warm 4 MiB file (the engine's default host chunk)
// into a buffer:
//   fill/fresh_small_pages  a fresh 4 KiB-aligned buffer: one fault per 4 KiB
//   fill/fresh_pool         a fresh engine BufferPool buffer (2 MiB aligned,
//                           MADV_HUGEPAGE: one fault per 2 MiB where THP is on)
//   fill/warm               the same buffer again: no faults (the baseline)
// The buffer's allocation and release are inside the timed loop for the
// fresh cases (the engine allocates each buffer once per engine). The fault
// cost of a case is its time less fill/warm's, per byte.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "engine/buffer_pool.hpp"

namespace {

constexpr std::size_t kBufferBytes = 4 << 20;

/// A warm 4 MiB source file in /tmp, removed at exit.
class WarmSource {
 public:
  WarmSource() {
    char name[] = "/tmp/offload-host-buffer-XXXXXX";
    fd_ = mkstemp(name);
    if (fd_ < 0) throw std::runtime_error("host_buffer_bench: cannot create a file in /tmp");
    unlink(name);
    std::vector<char> data(kBufferBytes, 'x');
    if (pwrite(fd_, data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) {
      throw std::runtime_error("host_buffer_bench: cannot write the source file");
    }
    fill(data.data());  // into the page cache
  }
  ~WarmSource() { close(fd_); }
  WarmSource(const WarmSource&) = delete;
  WarmSource& operator=(const WarmSource&) = delete;
  /// Reads the whole file into `buffer` (kBufferBytes long).
  void fill(void* buffer) const {
    if (pread(fd_, buffer, kBufferBytes, 0) != static_cast<ssize_t>(kBufferBytes)) {
      throw std::runtime_error("host_buffer_bench: short read");
    }
  }

 private:
  int fd_ = -1;
};

const WarmSource& source() {
  static WarmSource warm;
  return warm;
}

void fresh_small_pages(benchmark::State& state) {
  for (auto _ : state) {
    void* buffer = std::aligned_alloc(4096, kBufferBytes);
    source().fill(buffer);
    benchmark::DoNotOptimize(buffer);
    std::free(buffer);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBufferBytes));
}

void fresh_pool(benchmark::State& state) {
  for (auto _ : state) {
    offload::BufferPool pool(1, kBufferBytes);
    source().fill(pool.view(0).data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBufferBytes));
}

void warm(benchmark::State& state) {
  offload::BufferPool pool(1, kBufferBytes);
  void* buffer = pool.view(0).data();
  source().fill(buffer);
  for (auto _ : state) {
    source().fill(buffer);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBufferBytes));
}

}  // namespace

BENCHMARK(fresh_small_pages)->Name("fill/fresh_small_pages")->Unit(benchmark::kMicrosecond);
BENCHMARK(fresh_pool)->Name("fill/fresh_pool")->Unit(benchmark::kMicrosecond);
BENCHMARK(warm)->Name("fill/warm")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
