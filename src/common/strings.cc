#include "common/strings.h"

#include <algorithm>

namespace callgate {
namespace {

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

unsigned char Byte(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

// Whether the `n` bytes of `s` at `at` are one of str.isspace()'s characters (see the header).
bool IsUnicodeSpace(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  const unsigned char a = Byte(s, at);
  if (n == 1) return IsSpace(s[at]) || (a >= 0x1C && a <= 0x1F);
  const unsigned char b = Byte(s, at + 1);
  if (n == 2) return a == 0xC2 && (b == 0x85 || b == 0xA0);
  const unsigned char c = Byte(s, at + 2);
  if (a == 0xE1) return b == 0x9A && c == 0x80;  // U+1680
  if (a == 0xE3) return b == 0x80 && c == 0x80;  // U+3000
  if (a != 0xE2) return false;
  if (b == 0x81) return c == 0x9F;  // U+205F
  // U+2000-U+200A, U+2028, U+2029, U+202F; `c` must be a continuation byte: E2 80 followed by
  // ASCII is broken UTF-8, not a space, and trimming it would eat the ASCII character.
  return b == 0x80 && ((c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF);
}

}  // namespace

std::string_view TrimUnicodeSpace(std::string_view s) {
  // Most fields start and end with a printable ASCII character: one comparison each.
  const auto plain = [](unsigned char c) { return c > 0x20 && c < 0x80; };
  while (!s.empty() && !plain(Byte(s, 0))) {
    std::size_t n = 1;
    while (n <= 3 && !IsUnicodeSpace(s, 0, n)) ++n;
    if (n > 3) break;
    s.remove_prefix(n);
  }
  while (!s.empty() && !plain(Byte(s, s.size() - 1))) {
    const std::size_t longest = std::min<std::size_t>(3, s.size());
    std::size_t n = 1;
    while (n <= longest && !IsUnicodeSpace(s, s.size() - n, n)) ++n;
    if (n > longest) break;
    s.remove_suffix(n);
  }
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

}  // namespace callgate
