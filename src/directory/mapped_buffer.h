// MappedBuffer: a resizable block of zero-initialised bytes for the directory's big tables.
// Large blocks come straight from mmap (grown and shrunk with mremap, so growing never copies and
// shrinking really returns memory) and are marked MADV_HUGEPAGE to cut TLB misses on random
// lookups; small blocks use malloc so that sanitizers see them. Allocation failure throws
// std::bad_alloc, like a standard container. Not thread-safe to resize; const access is.
#pragma once

#include <cstddef>

namespace callgate::directory::internal {

class MappedBuffer {
 public:
  MappedBuffer() = default;
  ~MappedBuffer();
  MappedBuffer(MappedBuffer&& other) noexcept;
  MappedBuffer& operator=(MappedBuffer&& other) noexcept;
  MappedBuffer(const MappedBuffer&) = delete;
  MappedBuffer& operator=(const MappedBuffer&) = delete;

  // Changes the size to `bytes`, keeping the first min(old, new) bytes; new bytes are zero.
  // Pointers into the buffer are invalidated. O(pages) for mapped blocks, O(bytes) otherwise.
  void Resize(std::size_t bytes);

  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }

  // Bytes reserved from the system for this buffer (size rounded up to whole pages when mapped).
  std::size_t ReservedBytes() const;

 private:
  void Release();
  void ResizeSmall(std::size_t bytes);
  void ResizeMapped(std::size_t bytes);

  char* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace callgate::directory::internal
