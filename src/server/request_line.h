// What the first bytes of a request say when the HTTP parser has refused its request line: enough
// to answer more precisely than "400 Bad Request". Beast reports a request line over the header
// limit as header_limit, and every version but 1.0 and 1.1 (HTTP/2.0 included) as bad_version.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace callgate::server {

// True when the request line that `request_start` begins with cannot fit in a header block of
// `limit` bytes (`limit` >= 2) with the empty line that must follow it: a target too long to take
// (RFC 9112 §3: 414), not a header too large (431). False while too few bytes are here to tell.
bool RequestLineLongerThan(std::string_view request_start, std::size_t limit);

// The major version that the request line at the start of `request_start` (up to its first CR or
// LF, or all of it: the parser refuses a version before the line end arrives) ends with:
// "GET / HTTP/2.0" -> 2, "GET / HTTP/3\r\n" -> 3. nullopt for a line not ending in "HTTP/" digit
// [ "." digit ]: a malformed line rather than another version.
std::optional<int> RequestLineMajorVersion(std::string_view request_start);

}  // namespace callgate::server
