// Cleans a display name read from a directory file before anyone displays or logs it: removes
// control characters (C0, DEL and C1, U+0080-U+009F) and the characters that break a line or
// reorder the text around them (U+2028-U+202E, U+2066-U+2069: MovesText in common/utf8.h),
// replaces invalid UTF-8 with U+FFFD (one per maximal invalid subsequence, as Unicode
// recommends), trims whitespace (Unicode's too, as Python's str.strip()) at both ends and
// truncates to a byte limit without splitting a UTF-8 sequence. Pure; allocation-free for names
// that are already clean printable ASCII.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callgate::directory::internal {

struct CleanName {
  std::string_view text;  // points into the input or into `*scratch`
  bool truncated = false;
  bool invalid_utf8 = false;  // some bytes were not UTF-8 (a file in Latin-1, say): now U+FFFD
};

// `scratch` is reused for names that need rewriting; the result is valid while both the input
// and `*scratch` are unchanged. O(raw.size()).
CleanName CleanDisplayName(std::string_view raw, std::size_t max_bytes, std::string* scratch);

}  // namespace callgate::directory::internal
