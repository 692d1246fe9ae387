#include "directory/name_sanitizer.h"

#include "common/strings.h"

namespace callgate::directory::internal {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsPlainAscii(std::string_view s) {
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7E) return false;
  }
  return true;
}

struct Decoded {
  char32_t code_point = 0;
  std::size_t length = 1;  // bytes consumed: the sequence, or its maximal invalid subpart
  bool valid = false;
};

// Decodes the UTF-8 sequence starting at s[i] (s[i] >= 0x80), following the well-formedness
// table of the Unicode standard (no overlongs, surrogates or code points above U+10FFFF).
Decoded DecodeMultiByte(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t needed = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  Decoded d;
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

void AppendCleaned(std::string_view raw, std::string* out) {
  for (std::size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    if (byte < 0x80) {
      if (byte >= 0x20 && byte != 0x7F) out->push_back(raw[i]);
      ++i;
      continue;
    }
    const Decoded d = DecodeMultiByte(raw, i);
    if (!d.valid) {
      out->append(kReplacement);
    } else if (d.code_point > 0x9F) {  // U+0080-U+009F are the C1 controls
      out->append(raw.substr(i, d.length));
    }
    i += d.length;
  }
}

CleanName Truncate(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return {text, false};
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return {Trim(text.substr(0, cut)), true};
}

}  // namespace

CleanName CleanDisplayName(std::string_view raw, std::size_t max_bytes, std::string* scratch) {
  std::string_view text = Trim(raw);
  if (!IsPlainAscii(text)) {
    scratch->clear();
    AppendCleaned(text, scratch);
    text = Trim(*scratch);
  }
  return Truncate(text, max_bytes);
}

}  // namespace callgate::directory::internal
