// Small string helpers shared by the parsers. All are pure and allocation-free unless noted.
#pragma once

#include <string>
#include <string_view>

namespace callgate {

// Removes ASCII whitespace (space, \t, \r, \n, \v, \f) from both ends.
std::string_view Trim(std::string_view s);

// ASCII-only lower-casing (allocates).
std::string AsciiLower(std::string_view s);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace callgate
