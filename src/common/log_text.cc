#include "common/log_text.h"

#include <algorithm>

#include "common/utf8.h"

namespace callgate {
namespace {

bool KeptAsIs(char c, char quote) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7F && c != '\\' && (quote == '\0' || c != quote);
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += "\\x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
}

}  // namespace

std::string_view LogSafe(std::string_view text, std::string& scratch, char quote,
                         std::size_t max_bytes) {
  if (text.size() <= max_bytes &&
      std::all_of(text.begin(), text.end(), [quote](char c) { return KeptAsIs(c, quote); })) {
    return text;
  }
  scratch.clear();
  const std::size_t limit = std::min(text.size(), max_bytes);
  std::size_t i = 0;
  while (i < limit) {
    const char c = text[i];
    if (KeptAsIs(c, quote)) {
      scratch += c;
      ++i;
    } else if (c == '\\' || (quote != '\0' && c == quote)) {
      scratch += '\\';
      scratch += c;
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x80) {
      AppendHex(scratch, text.substr(i, 1));
      ++i;
    } else {
      const Utf8Char decoded = DecodeUtf8(text, i);
      if (i + decoded.length > limit) break;  // never cut a character in two
      const std::string_view bytes = text.substr(i, decoded.length);
      if (decoded.valid && !MovesText(decoded.code_point)) {
        scratch += bytes;
      } else {
        AppendHex(scratch, bytes);
      }
      i += decoded.length;
    }
  }
  if (i < text.size()) scratch += "...[" + std::to_string(text.size()) + " bytes]";
  return scratch;
}

std::string LogSafeCopy(std::string_view text, char quote, std::size_t max_bytes) {
  std::string scratch;
  const std::string_view safe = LogSafe(text, scratch, quote, max_bytes);
  return safe.data() == scratch.data() ? std::move(scratch) : std::string(safe);
}

std::string CapLogMessage(std::string_view message, std::size_t max_bytes) {
  if (message.size() <= max_bytes) return std::string(message);
  std::size_t cut = max_bytes;
  while (cut > 0 && IsContinuationByte(message[cut])) --cut;  // never cut a character in two
  return std::string(message.substr(0, cut)) + "...[" + std::to_string(message.size()) + " bytes]";
}

}  // namespace callgate
