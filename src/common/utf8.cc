#include "common/utf8.h"

namespace callgate {

Utf8Char DecodeUtf8(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t needed = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  Utf8Char d;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
    d.code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
    d.code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
    d.code_point = lead & 0x07;
  } else {
    return d;  // a stray continuation byte, an overlong lead (C0, C1) or F5-FF
  }
  for (std::size_t k = 1; k <= needed; ++k) {
    if (i + k >= s.size()) return d;
    const auto byte = static_cast<unsigned char>(s[i + k]);
    if (byte < low || byte > high) return d;
    d.code_point = (d.code_point << 6) | (byte & 0x3F);
    d.length = k + 1;
    low = 0x80;
    high = 0xBF;
  }
  d.valid = true;
  return d;
}

bool MovesText(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) ||  // C0, DEL, C1
         (code_point >= 0x2028 && code_point <= 0x202E) ||  // line/paragraph separators, bidi
         (code_point >= 0x2066 && code_point <= 0x2069);    // bidi isolates
}

}  // namespace callgate
