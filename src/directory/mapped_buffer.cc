#include "directory/mapped_buffer.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace callgate::directory::internal {
namespace {

// Below this, malloc is cheaper and lets ASan check bounds (fuzzing, unit tests, small files).
constexpr std::size_t kMapThreshold = std::size_t{1} << 20;
constexpr std::size_t kPageBytes = 4096;

std::size_t RoundToPages(std::size_t bytes) { return (bytes + kPageBytes - 1) & ~(kPageBytes - 1); }

char* MapZeroed(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Advisory: without transparent huge pages every random probe of a large table also misses
  // the TLB. Failure (THP disabled) only costs speed.
  madvise(p, bytes, MADV_HUGEPAGE);
  return static_cast<char*>(p);
}

}  // namespace

MappedBuffer::~MappedBuffer() { Release(); }

MappedBuffer::MappedBuffer(MappedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

MappedBuffer& MappedBuffer::operator=(MappedBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, false);
  }
  return *this;
}

std::size_t MappedBuffer::ReservedBytes() const { return mapped_ ? RoundToPages(size_) : size_; }

void MappedBuffer::Release() {
  if (data_ == nullptr) return;
  if (mapped_) {
    munmap(data_, RoundToPages(size_));
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = false;
}

void MappedBuffer::Resize(std::size_t bytes) {
  if (bytes == size_) return;
  if (bytes == 0) return Release();
  if (mapped_ || bytes >= kMapThreshold) {
    ResizeMapped(bytes);
  } else {
    ResizeSmall(bytes);
  }
}

void MappedBuffer::ResizeSmall(std::size_t bytes) {
  void* p = std::realloc(data_, bytes);
  if (p == nullptr) throw std::bad_alloc();
  data_ = static_cast<char*>(p);
  if (bytes > size_) std::memset(data_ + size_, 0, bytes - size_);
  size_ = bytes;
}

void MappedBuffer::ResizeMapped(std::size_t bytes) {
  const std::size_t new_pages = RoundToPages(bytes);
  if (!mapped_) {
    // Moving from malloc to mmap happens once per buffer, when it first grows large.
    char* p = MapZeroed(new_pages);
    if (data_ != nullptr) std::memcpy(p, data_, size_);
    std::free(data_);
    data_ = p;
    mapped_ = true;
  } else if (new_pages != RoundToPages(size_)) {
    const std::size_t old_pages = RoundToPages(size_);
    void* p = mremap(data_, old_pages, new_pages, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    if (new_pages > old_pages) madvise(data_ + old_pages, new_pages - old_pages, MADV_HUGEPAGE);
  }
  // Invariant: bytes past size_ in the last page are zero, so that a later grow hands out zeros.
  if (bytes < size_) std::memset(data_ + bytes, 0, std::min(size_, new_pages) - bytes);
  size_ = bytes;
}

}  // namespace callgate::directory::internal
