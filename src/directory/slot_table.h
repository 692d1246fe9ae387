// SlotTable: an open-addressing hash table (linear probing) from non-zero 64-bit keys to 64-bit
// values, in one flat array of 16-byte slots, so that a hit usually costs one cache miss. The
// capacity need not be a power of two (the home slot is a multiply-shift of the hashed key), so a
// table sized for n entries takes n / kMaxLoad slots rather than up to twice that.
//
// Built by one thread; afterwards any number of threads may call the const members. While
// building, each slot can carry a 32-bit tag (the loader keeps source lines there) in a parallel
// array that Finish() frees.
#pragma once

#include <cstddef>
#include <cstdint>

#include "directory/mapped_buffer.h"

namespace callgate::directory::internal {

struct Slot {
  std::uint64_t key;  // 0 = empty
  std::uint64_t value;
};

class SlotTable {
 public:
  static constexpr double kMaxLoad = 0.7;

  // Makes room for `entries` entries in total without further rehashing. Never shrinks.
  void Reserve(std::size_t entries);

  // The slot holding `key` (non-zero), or nullptr. Expected O(1); never allocates.
  const Slot* Find(std::uint64_t key) const {
    if (capacity_ == 0) return nullptr;
    const Slot* slots = this->slots();
    for (std::size_t i = Home(key);;) {
      if (slots[i].key == key) return &slots[i];
      if (slots[i].key == 0) return nullptr;
      if (++i == capacity_) i = 0;
    }
  }

  // Starts loading the home slot of `key` into the cache.
  void Prefetch(std::uint64_t key) const {
    if (capacity_ != 0) __builtin_prefetch(slots() + Home(key));
  }

  // The slot for `key` (non-zero), added with value 0 when absent; `*inserted` says which.
  // May rehash, which invalidates earlier slot pointers.
  Slot* Insert(std::uint64_t key, bool* inserted);

  // Keeps a zeroed 32-bit tag per slot from now on, until Finish().
  void EnableTags();
  // The tag of `slot` (a pointer returned by Insert since the last rehash); nullptr when tags
  // are not enabled.
  std::uint32_t* tag(const Slot* slot);

  // Ends building: frees the tags and, when the table holds less than half of what it was sized
  // for (a reservation that overestimated), rehashes it to the smallest adequate capacity.
  void Finish();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t MemoryBytes() const { return slots_.ReservedBytes() + tags_.ReservedBytes(); }

 private:
  static std::uint64_t Mix(std::uint64_t key) {
    // The murmur3 finaliser: every key bit reaches the high bits that pick the home slot.
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return key;
  }
  std::size_t Home(std::uint64_t key) const {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::size_t>((Wide{Mix(key)} * capacity_) >> 64);
  }
  Slot* slots() { return reinterpret_cast<Slot*>(slots_.data()); }
  const Slot* slots() const { return reinterpret_cast<const Slot*>(slots_.data()); }
  std::uint32_t* tags() { return reinterpret_cast<std::uint32_t*>(tags_.data()); }
  static std::size_t CapacityFor(std::size_t entries);
  void Rehash(std::size_t capacity);

  MappedBuffer slots_;
  MappedBuffer tags_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  bool tagged_ = false;
};

}  // namespace callgate::directory::internal
