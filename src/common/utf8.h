// UTF-8 decoding, one sequence at a time, for the code that must tell valid text from bytes.
#pragma once

#include <cstddef>
#include <string_view>

namespace callgate {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 1;  // bytes consumed: the sequence, or its maximal invalid subpart
  bool valid = false;
};

// Decodes the sequence starting at s[i] (precondition: s[i] >= 0x80), following the
// well-formedness table of the Unicode standard: no overlongs, surrogates or code points above
// U+10FFFF. An invalid sequence reports the length of its maximal invalid subpart, so that a
// caller replacing each one with U+FFFD does as Unicode recommends.
Utf8Char DecodeUtf8(std::string_view s, std::size_t i);

// Whether a screen would use `code_point` to break a line or to reorder the text around it: the
// C0 and C1 controls and DEL, the line and paragraph separators and the bidi embeddings and
// overrides (U+2028-U+202E), and the bidi isolates (U+2066-U+2069). Text from outside that is
// shown beside other text (a log line, a phone's display) must not hold them.
bool MovesText(char32_t code_point);

}  // namespace callgate
