// PhoneDirectory: an immutable map from normalised phone numbers to display names, with exact
// entries and prefix entries. Lookup tries the exact entry first, then the longest prefix.
//
// Built once by PhoneDirectoryBuilder, never modified afterwards, so any number of threads may
// call Lookup() concurrently without synchronisation. Sized for tens of millions of entries:
// see docs/performance.md for load time, memory and lookup figures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/phone_number.h"

namespace callgate::directory {

enum class MatchType : std::uint8_t { kExact, kPrefix };

std::string_view ToString(MatchType type);  // "exact" / "prefix"

struct Match {
  std::string_view name;  // valid as long as the PhoneDirectory lives
  MatchType type;
  std::size_t matched_length;  // characters of the number the entry covers
};

class PhoneDirectory {
 public:
  PhoneDirectory();  // empty directory; a moved-from directory is empty too
  ~PhoneDirectory();
  PhoneDirectory(PhoneDirectory&&) noexcept;
  PhoneDirectory& operator=(PhoneDirectory&&) noexcept;

  // Exact entry for `number` if any, else the entry with the longest prefix of `number`.
  // Expected O(1) for the exact step and O(distinct prefix lengths) for the prefix step; never
  // allocates.
  std::optional<Match> Lookup(const PhoneNumber& number) const;

  std::size_t exact_entries() const;
  std::size_t prefix_entries() const;

  // Bytes held by the tables and the name storage (for `callgate check` and benchmarks).
  std::size_t MemoryBytes() const;

 private:
  friend class PhoneDirectoryBuilder;
  struct Tables;
  std::unique_ptr<Tables> tables_;
};

// Collects entries, then builds a PhoneDirectory. Not thread-safe; use one builder per thread.
class PhoneDirectoryBuilder {
 public:
  PhoneDirectoryBuilder();
  ~PhoneDirectoryBuilder();

  // Optional capacity hints (entries and total name bytes), to avoid rehashing on large loads.
  void Reserve(std::size_t entries, std::size_t name_bytes);

  // Names longer than this are truncated (at a UTF-8 boundary) by Add().
  static constexpr std::size_t kMaxNameBytes = (std::size_t{1} << 24) - 1;

  // Adds or replaces the entry for (`number`, `type`). Returns false when an entry with the same
  // number and type already existed; the new name then replaces the old one ("last wins").
  // The name is copied. Amortised O(1).
  bool Add(const PhoneNumber& number, std::string_view name, MatchType type);

  // Like Add(), and also remembers `tag` (e.g. the source line) with the entry until Build().
  // Returns the tag of the entry it replaced (0 if that one was added untagged), or std::nullopt
  // when the entry is new. Tags cost 4 bytes per hash slot while building.
  std::optional<std::uint32_t> AddTagged(const PhoneNumber& number, std::string_view name,
                                         MatchType type, std::uint32_t tag);

  // Starts loading the memory that an Add() of (`number`, `type`) will touch, so that a loader
  // can overlap the cache misses of the next few rows instead of paying them one at a time.
  // Changes nothing; cheap enough to call for every row.
  void Prefetch(const PhoneNumber& number, MatchType type) const;

  // Moves the entries into an immutable directory; the builder is empty afterwards.
  PhoneDirectory Build();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace callgate::directory
