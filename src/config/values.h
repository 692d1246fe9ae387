// Validators for the string forms configuration values take: log levels, hosts, "host:port"
// endpoints, IP addresses, file and URL paths. Private to the config layer. (allowed_ips
// entries are IpNetwork::Parse's, common/ip_network.h.) All are pure, thread-safe and linear
// in the input; none throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace callgate::config::internal {

// DEBUG, INFO, WARNING, ERROR in any case, plus WARN (= WARNING) and CRITICAL (= ERROR), the
// spellings Python's logging accepts. Surrounding whitespace is ignored.
std::optional<LogLevel> ParseLogLevel(std::string_view text);
inline constexpr std::string_view kLogLevelExpected =
    "DEBUG, INFO, WARNING or ERROR (any case; WARN and CRITICAL are also accepted)";

// A literal IPv4 or IPv6 address, as inet_pton reads it (no zone index, no brackets).
bool IsIpAddress(std::string_view text);

// An RFC 1123 host name: dot-separated labels of letters, digits and '-', at most 253 bytes.
bool IsHostname(std::string_view text);

// 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 or "localhost" (any case).
bool IsLoopbackHost(std::string_view host);

// A decimal port 0-65535 (0 lets the OS choose, for tests).
std::optional<std::uint16_t> ParsePort(std::string_view text);

// "host:port" or "[ipv6]:port", host being an address or a host name; the brackets are removed
// from the returned host. "" is a disabled endpoint. The error has a message only.
Result<Endpoint> ParseEndpoint(std::string_view text);
inline constexpr std::string_view kEndpointExpected =
    "\"host:port\", \"[ipv6]:port\" or \"\" to disable";

// A listen host: an address (bare or in brackets, which are removed) or a host name.
std::optional<std::string> ParseListenHost(std::string_view text);

// A file path: non-empty, no control characters, at most 4096 bytes.
bool IsFilePath(std::string_view text);

// A URL path for CURRI requests: starts with '/', at most 256 bytes, only RFC 3986 path
// characters (no query, fragment, spaces or control characters).
bool IsUrlPath(std::string_view text);

// `text` for an error message: control bytes escaped as \xHH, cut at 80 bytes ("...").
std::string Escape(std::string_view text);

// Escape(text) in single quotes.
std::string Quote(std::string_view text);

}  // namespace callgate::config::internal
