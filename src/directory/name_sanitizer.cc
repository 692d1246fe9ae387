#include "directory/name_sanitizer.h"

#include "common/strings.h"
#include "common/utf8.h"

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

// Returns whether any byte was not UTF-8.
bool AppendCleaned(std::string_view raw, std::string* out) {
  bool invalid = false;
  for (std::size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    if (byte < 0x80) {
      if (byte >= 0x20 && byte != 0x7F) out->push_back(raw[i]);
      ++i;
      continue;
    }
    const Utf8Char d = DecodeUtf8(raw, i);
    if (!d.valid) {
      out->append(kReplacement);
      invalid = true;
    } else if (!MovesText(d.code_point) && d.code_point != 0xFFFE && d.code_point != 0xFFFF) {
      // MovesText: C1 controls, and what would break the phone's display line or reorder the
      // text beside the name (the number, on most phones). U+FFFE and U+FFFF are not characters
      // XML allows (the response leaves them out, codec/curri.cc), so a name is stored as sent.
      out->append(raw.substr(i, d.length));
    }
    i += d.length;
  }
  return invalid;
}

CleanName Truncate(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return {text, false};
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return {TrimUnicodeSpace(text.substr(0, cut)), true};
}

}  // namespace

CleanName CleanDisplayName(std::string_view raw, std::size_t max_bytes, std::string* scratch) {
  std::string_view text = TrimUnicodeSpace(raw);
  bool invalid_utf8 = false;
  if (!IsPlainAscii(text)) {
    scratch->clear();
    invalid_utf8 = AppendCleaned(text, scratch);
    text = TrimUnicodeSpace(*scratch);
  }
  CleanName clean = Truncate(text, max_bytes);
  clean.invalid_utf8 = invalid_utf8;
  return clean;
}

}  // namespace callgate::directory::internal
