// Small string helpers shared by the parsers. All are pure and allocation-free unless noted.
#pragma once

#include <string>
#include <string_view>

namespace callgate {

// Removes ASCII whitespace (space, \t, \r, \n, \v, \f) from both ends.
std::string_view Trim(std::string_view s);

// Removes from both ends what Python's str.strip() removes: ASCII whitespace, U+001C-U+001F and
// the Unicode spaces (U+0085, U+00A0 no-break space, U+1680, U+2000-U+200A, U+2028, U+2029,
// U+202F, U+205F, U+3000) in UTF-8. For values the Python service stripped (directory fields,
// calling numbers), so that a no-break space copied from a web page trims the same way.
std::string_view TrimUnicodeSpace(std::string_view s);

// ASCII-only lower-casing (allocates).
std::string AsciiLower(std::string_view s);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace callgate
