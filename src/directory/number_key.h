// Compact keys for phone numbers of up to kCompactChars characters: one 4-bit nibble per
// character, most significant first (digit d -> d + 1, '+' -> 11, unused nibbles 0). Every
// character maps to a non-zero nibble, so a key is never 0 (0 marks an empty hash slot) and the
// key of a number's first k characters is `key & PrefixMask(k)`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/phone_number.h"

namespace callgate::directory::internal {

inline constexpr std::size_t kCompactChars = 16;

// PhoneNumber keeps its text in an inline array of kMaxDigits + 1 characters, so 16 bytes can
// always be read from view().data(); bytes past the number are masked off, whatever they hold.
static_assert(PhoneNumber::kMaxDigits + 1 >= kCompactChars);

// The bits of a key that hold its first `chars` characters.
inline constexpr std::uint64_t PrefixMask(std::size_t chars) {
  return chars >= kCompactChars ? ~std::uint64_t{0} : ~(~std::uint64_t{0} >> (4 * chars));
}

namespace key_detail {

// Bits of the first `n` bytes (0 <= n <= 8) of a little-endian word.
inline std::uint64_t LowBytes(std::size_t n) {
  return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
}

// Eight bytes holding nibble values (high nibbles zero), first byte lowest, packed into 32 bits
// with the first byte's nibble most significant.
inline std::uint64_t PackNibbles(std::uint64_t bytes) {
  std::uint64_t v = __builtin_bswap64(bytes);
  v = (v | (v >> 4)) & 0x00FF00FF00FF00FFULL;
  v = (v | (v >> 8)) & 0x0000FFFF0000FFFFULL;
  return (v | (v >> 16)) & 0x00000000FFFFFFFFULL;
}

}  // namespace key_detail

// The key of the first min(size, kCompactChars) characters of `number`. Branch-free (SWAR): a
// lookup spends few instructions here, which lets the CPU overlap more lookups' cache misses.
inline std::uint64_t CompactKey(const PhoneNumber& number) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
  const char* text = number.view().data();
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  std::memcpy(&low, text, 8);
  std::memcpy(&high, text + 8, 8);
  const std::size_t n = number.view().size();
  // Only the first character can be '+' (0x2B); lift it to 0x3A, which the subtraction below
  // turns into 11 as it turns digits '0'..'9' (0x30..0x39) into 1..10. Bytes past the number
  // become garbage (a borrow from one only runs towards later bytes) and are masked off before
  // packing, where a stray high nibble would spill into the previous character's nibble.
  low += number.has_plus() ? 0x0F : 0;
  constexpr std::uint64_t kOffsets = 0x2F2F2F2F2F2F2F2FULL;
  low = (low - kOffsets) & key_detail::LowBytes(n);
  high = (high - kOffsets) & key_detail::LowBytes(n > 8 ? n - 8 : 0);
  return (key_detail::PackNibbles(low) << 32) | key_detail::PackNibbles(high);
}

}  // namespace callgate::directory::internal
