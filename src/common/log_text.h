// Text from outside the server (a request, a certificate, a data file) made fit for a log line,
// so that no value can forge a line, split one, hide part of one on a terminal, or drown the log:
//
//  * printable ASCII is kept, except `\`, written `\\`, and the quote character when one is
//    given (`"` in the access log's request line), written `\"`;
//  * control characters (C0 and DEL), bytes that are not UTF-8, and the characters that break or
//    reorder lines on a screen (C1 controls U+0080-U+009F, U+2028-U+202E, U+2066-U+2069) are
//    written \xHH, one per byte;
//  * any other UTF-8 is kept;
//  * at most `max_bytes` of the value are kept (kMaxLogTextBytes for a value, kMaxLogMessageBytes
//    for a whole message such as an error callgate words itself), cut at a character boundary,
//    followed by "...[N bytes]" with the value's whole size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace callgate {

inline constexpr std::size_t kMaxLogTextBytes = 256;
inline constexpr std::size_t kMaxLogMessageBytes = 4096;

// Returns `text` itself when it needs no change (the common case: short printable ASCII), else
// the rewritten text, written into `scratch`; the result is valid while both are unchanged.
// Pure; allocates only in `scratch`.
std::string_view LogSafe(std::string_view text, std::string& scratch, char quote = '\0',
                         std::size_t max_bytes = kMaxLogTextBytes);

// The same as a string.
std::string LogSafeCopy(std::string_view text, char quote = '\0',
                        std::size_t max_bytes = kMaxLogTextBytes);

// `message` cut as LogSafe() cuts (at a character boundary, followed by "...[N bytes]") when it
// is longer than `max_bytes`, and otherwise as it is: for a message already fit for a log line,
// such as an Error whose text from outside its loader made log-safe (common/result.h), which
// LogSafe() would escape a second time (`\\xe9` for `\xe9`).
std::string CapLogMessage(std::string_view message, std::size_t max_bytes = kMaxLogMessageBytes);

}  // namespace callgate
