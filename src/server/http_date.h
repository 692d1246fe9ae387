// The Date field of a response (RFC 9110 §6.6.1: an origin server with a clock sends one in every
// 2xx, 3xx and 4xx response), in the IMF-fixdate form: "Sun, 06 Nov 1994 08:49:37 GMT".
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace callgate::server {

// `when` (seconds since 1970, UTC) as an IMF-fixdate. English day and month names whatever the
// locale.
std::string HttpDate(std::time_t when);

// HttpDate(now), made at most once a second on each thread: every response needs it.
std::string_view CurrentHttpDate();

}  // namespace callgate::server
