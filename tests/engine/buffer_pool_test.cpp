// The engine's host buffer pool: huge-page alignment for buffers of 2 MiB
// or more, the bytes each buffer maps, and the first use of each buffer
// (the read that faults its pages in).
#include <gtest/gtest.h>

#include <cstdint>

#include "engine/buffer_pool.hpp"

namespace offload {
namespace {

constexpr std::size_t kMiB = 1 << 20;

TEST(BufferPool, LargeBuffersAreHugePageAlignedAndMapWholeHugePages) {
  BufferPool pool(2, 3 * kMiB);
  EXPECT_EQ(pool.mapped_bytes(), 4 * kMiB);  // 3 MiB rounds up to two 2 MiB pages
  auto first = pool.view(0);
  EXPECT_EQ(first.size(), 3 * kMiB);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first.data()) % (2 * kMiB), 0U);
  first.back() = std::byte{7};  // the whole buffer is usable
  EXPECT_EQ(pool.allocated_bytes(), 4 * kMiB);  // only the buffer viewed
}

TEST(BufferPool, SmallBuffersArePageAligned) {
  BufferPool pool(1, 64 * 1024 + 1);
  EXPECT_EQ(pool.mapped_bytes(), 64 * 1024 + 4096);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(pool.view(0).data()) % 4096, 0U);
}

TEST(BufferPool, FirstUseIsTrueOncePerBuffer) {
  BufferPool pool(2, kMiB);
  auto a = pool.acquire();
  ASSERT_TRUE(a);
  EXPECT_TRUE(pool.first_use(*a));
  EXPECT_FALSE(pool.first_use(*a));
  pool.release(*a);
  auto again = pool.acquire();  // the pool hands back the buffer just released
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *a);
  EXPECT_FALSE(pool.first_use(*again));
  auto b = pool.acquire();
  ASSERT_TRUE(b);
  EXPECT_TRUE(pool.first_use(*b));
  EXPECT_FALSE(pool.acquire());  // two buffers, both in use
}

}  // namespace
}  // namespace offload
