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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "directory/mapped_buffer.h"

namespace callgate::directory::internal {

struct Slot {
  std::uint64_t key;  // 0 = empty
  std::uint64_t value;
};

class SlotTable {
 public:
  static constexpr double kMaxLoad = 0.7;
  // Up to this many slots follow the last home slot, so that probes never wrap around: a probe
  // sequence that would run off the end (vanishingly rare with a good hash) makes the table grow
  // instead. The very last slot is always empty, which ends every probe.
  static constexpr std::size_t kMaxOverflowSlots = 1024;

  // Makes room for `entries` entries in total without further rehashing. Never shrinks.
  void Reserve(std::size_t entries);

  // The slot holding `key` (non-zero), or nullptr. Expected O(1); never allocates.
  const Slot* Find(std::uint64_t key) const {
    if (capacity_ == 0) return nullptr;
    // The slots of the window are compared without data-dependent branches, and the one branch
    // left (is the key in the window?) goes the same way for about 9 hits in 10 at full load. So
    // the CPU rarely mispredicts and keeps running ahead into the next, independent lookup
    // while this one waits for memory: throughput is set by how many lookups fit in its
    // reorder window, hence also the few instructions spent here.
    const Slot* window = slots() + Home(key);
    const unsigned hits = WindowMatches(window, key);
    if (hits != 0) return window + (__builtin_ctz(hits) >> 1);
    return FindAfterHits(key, window);
  }

  // Starts loading the home slot of `key` into the cache. Always inlined: GCC deems
  // __builtin_prefetch free of side effects, so a separate function made only of prefetches is
  // "const" and every call to it is deleted as dead code.
  [[gnu::always_inline]] void Prefetch(std::uint64_t key) const {
    if (capacity_ != 0) __builtin_prefetch(slots() + Home(key));
  }

  // Starts loading what Insert(key) will touch first: the home slot and its tag. Always inlined,
  // as Prefetch().
  [[gnu::always_inline]] void PrefetchForInsert(std::uint64_t key) const {
    if (capacity_ == 0) return;
    const std::size_t home = Home(key);
    __builtin_prefetch(slots() + home);
    if (tagged_) __builtin_prefetch(tags_.data() + home * sizeof(std::uint32_t));
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
  std::size_t Home(std::uint64_t key) const {
    // Fibonacci hashing, then the high bits scaled to the capacity. On phone-number keys (random,
    // or long runs of consecutive numbers) it spreads as well as murmur's finaliser, with a
    // third of the instructions.
    __extension__ using Wide = unsigned __int128;
    const std::uint64_t hash = key * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>((Wide{hash} * capacity_) >> 64);
  }
  Slot* slots() { return reinterpret_cast<Slot*>(slots_.data()); }
  const Slot* slots() const { return reinterpret_cast<const Slot*>(slots_.data()); }
  std::uint32_t* tags() { return reinterpret_cast<std::uint32_t*>(tags_.data()); }
  static constexpr unsigned kWindow = 4;  // WindowMatches() is written for exactly 4

  // Bit 2k set when window[k].key == key, for k < kWindow; computed without branches (the
  // compiler turns a chain of scalar comparisons back into branches).
  static unsigned WindowMatches(const Slot* window, std::uint64_t key) {
#if defined(__SSE2__)
    const __m128i wanted = _mm_set1_epi64x(static_cast<long long>(key));
    const __m128i* p = reinterpret_cast<const __m128i*>(window);  // slots are 16-byte aligned
    const __m128i keys01 = _mm_unpacklo_epi64(_mm_load_si128(p), _mm_load_si128(p + 1));
    const __m128i keys23 = _mm_unpacklo_epi64(_mm_load_si128(p + 2), _mm_load_si128(p + 3));
    // SSE2 compares 32-bit lanes: a key matches when both of its halves do.
    const auto halves = static_cast<unsigned>(
        _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(keys01, wanted))) |
        _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(keys23, wanted))) << 4);
    return halves & (halves >> 1) & 0x55;
#else
    unsigned matches = 0;
    for (unsigned k = 0; k < kWindow; ++k) {
      matches |= static_cast<unsigned>(window[k].key == key) << (2 * k);
    }
    return matches;
#endif
  }
  static std::size_t CapacityFor(std::size_t entries);
  std::size_t total_slots() const {
    if (capacity_ == 0) return 0;
    return capacity_ + kWindow + (capacity_ < kMaxOverflowSlots ? capacity_ : kMaxOverflowSlots);
  }
  const Slot* FindAfterHits(std::uint64_t key, const Slot* window) const;
  void Rehash(std::size_t capacity);

  MappedBuffer slots_;
  MappedBuffer tags_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  bool tagged_ = false;
};

}  // namespace callgate::directory::internal
