#include "directory/mapped_buffer.h"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace callgate::directory::internal {
namespace {

bool AllZero(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// Sizes cross the threshold between malloc and mmap in both directions; every step must keep the
// common prefix and hand out zeros, including bytes that were written before a shrink.
TEST(MappedBufferTest, ResizeKeepsContentAndZeroesNewBytes) {
  const std::size_t sizes[] = {10, 5000, 3 << 20, 12345, 1 << 21, 100, 7 << 20, 0, 64};
  MappedBuffer buffer;
  std::size_t previous = 0;
  for (const std::size_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    buffer.Resize(size);
    ASSERT_EQ(buffer.size(), size);
    const std::size_t kept = std::min(previous, size);
    for (std::size_t i = 0; i < kept; ++i)
      ASSERT_EQ(buffer.data()[i], static_cast<char>(i % 251 + 1));
    EXPECT_TRUE(AllZero(buffer.data() + kept, size - kept));
    for (std::size_t i = 0; i < size; ++i) buffer.data()[i] = static_cast<char>(i % 251 + 1);
    EXPECT_GE(buffer.ReservedBytes(), size);
    previous = size;
  }
}

TEST(MappedBufferTest, MoveTransfersOwnership) {
  MappedBuffer a;
  a.Resize(2 << 20);
  std::memcpy(a.data(), "abc", 3);
  MappedBuffer b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(std::string(b.data(), 3), "abc");
  MappedBuffer c;
  c.Resize(10);
  c = std::move(b);
  EXPECT_EQ(c.size(), std::size_t{2} << 20);
  EXPECT_EQ(std::string(c.data(), 3), "abc");
}

}  // namespace
}  // namespace callgate::directory::internal
