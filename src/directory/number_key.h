// Compact keys for phone numbers of up to kCompactChars characters: one 4-bit nibble per
// character, most significant first (digit d -> d + 1, '+' -> 11, unused nibbles 0). Every
// character maps to a non-zero nibble, so a key is never 0 (0 marks an empty hash slot) and the
// key of a number's first k characters is `key & PrefixMask(k)`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace callgate::directory::internal {

inline constexpr std::size_t kCompactChars = 16;

// Precondition: `number` is a normalised PhoneNumber text ("+?[0-9]*"); only its first
// kCompactChars characters are encoded.
inline std::uint64_t CompactKey(std::string_view number) {
  std::uint64_t key = 0;
  const std::size_t n = number.size() < kCompactChars ? number.size() : kCompactChars;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = number[i];
    const std::uint64_t nibble = c == '+' ? 11 : static_cast<std::uint64_t>(c - '0' + 1);
    key |= nibble << (60 - 4 * i);
  }
  return key;
}

// The bits of a key that hold its first `chars` characters.
inline constexpr std::uint64_t PrefixMask(std::size_t chars) {
  return chars >= kCompactChars ? ~std::uint64_t{0} : ~(~std::uint64_t{0} >> (4 * chars));
}

}  // namespace callgate::directory::internal
