#include "config/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "common/strings.h"

namespace callgate::config::internal {
namespace {

constexpr std::size_t kMaxFilePathBytes = 4096;
constexpr std::size_t kMaxUrlPathBytes = 256;
constexpr std::size_t kMaxQuotedBytes = 80;

Error Invalid(std::string message) { return Error{std::move(message), "", 0, ""}; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// inet_pton needs a NUL-terminated string; a copy also rules out embedded NULs fooling it.
bool ParseAddress(std::string_view text, int family, void* out) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN || text.find('\0') != text.npos) {
    return false;
  }
  return inet_pton(family, std::string(text).c_str(), out) == 1;
}

// Leading zeros are refused: YAML 1.1 (the Python service's PyYAML) reads them as octal.
std::optional<unsigned> ParseSmallDecimal(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), IsDigit)) return std::nullopt;
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value > max) return std::nullopt;
  return value;
}

bool IsHostnameLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  return std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; });
}

bool IsUrlPathChar(char c) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/%";
  return IsAlnum(c) || kAllowed.find(c) != kAllowed.npos;
}

std::string_view StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  struct Spelling {
    std::string_view name;
    LogLevel level;
  };
  static constexpr std::array<Spelling, 6> kSpellings{{{"DEBUG", LogLevel::kDebug},
                                                       {"INFO", LogLevel::kInfo},
                                                       {"WARNING", LogLevel::kWarning},
                                                       {"WARN", LogLevel::kWarning},
                                                       {"ERROR", LogLevel::kError},
                                                       {"CRITICAL", LogLevel::kError}}};
  const std::string_view trimmed = Trim(text);
  for (const Spelling& spelling : kSpellings) {
    if (EqualsIgnoreCase(trimmed, spelling.name)) return spelling.level;
  }
  return std::nullopt;
}

bool IsIpAddress(std::string_view text) {
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  return ParseAddress(text, AF_INET, buffer.data()) || ParseAddress(text, AF_INET6, buffer.data());
}

// The last label must not be all digits, so a mistyped address (10.1.300.1) is not taken for a
// host name (RFC 1123 section 2.1).
bool IsHostname(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  const std::string_view last = text.substr(text.rfind('.') + 1);
  if (std::all_of(last.begin(), last.end(), IsDigit)) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    if (!IsHostnameLabel(text.substr(start, dot - start))) return false;
    if (dot == text.npos) return true;
    start = dot + 1;
  }
}

bool IsLoopbackHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost")) return true;
  in_addr v4{};
  if (ParseAddress(host, AF_INET, &v4)) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (!ParseAddress(StripBrackets(host), AF_INET6, &v6)) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::optional<std::uint16_t> ParsePort(std::string_view text) {
  const std::optional<unsigned> port = ParseSmallDecimal(text, 65535);
  if (!port) return std::nullopt;
  return static_cast<std::uint16_t>(*port);
}

std::optional<std::string> ParseListenHost(std::string_view text) {
  const std::string_view host = StripBrackets(text);
  const bool bracketed = host.size() != text.size();
  std::array<unsigned char, sizeof(in6_addr)> buffer{};
  if (bracketed) {
    if (!ParseAddress(host, AF_INET6, buffer.data())) return std::nullopt;
  } else if (!IsIpAddress(host) && !IsHostname(host)) {
    return std::nullopt;
  }
  return std::string(host);
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  if (text.empty()) return Endpoint{};
  const std::size_t colon = text.rfind(':');
  const std::size_t bracket = text.rfind(']');  // "[::1]": its colons are the address's
  if (colon == text.npos || (bracket != text.npos && colon < bracket)) {
    return Invalid("the port is missing");
  }
  const std::string_view host = text.substr(0, colon);
  if (host.empty()) return Invalid("the host is missing (use 0.0.0.0 for every IPv4 address)");
  if (host.find(':') != host.npos && host.front() != '[') {
    return Invalid("an IPv6 address needs brackets, as in [::1]:5001");
  }
  const std::optional<std::string> parsed_host = ParseListenHost(host);
  if (!parsed_host) return Invalid("the host is not an IP address or a host name");
  const std::optional<std::uint16_t> port = ParsePort(text.substr(colon + 1));
  if (!port) return Invalid("the port must be a number from 0 to 65535, without leading zeros");
  return Endpoint{*parsed_host, *port};
}

bool IsFilePath(std::string_view text) {
  return !text.empty() && text.size() <= kMaxFilePathBytes &&
         std::none_of(text.begin(), text.end(), IsControl);
}

bool IsUrlPath(std::string_view text) {
  return !text.empty() && text.size() <= kMaxUrlPathBytes && text.front() == '/' &&
         std::all_of(text.begin(), text.end(), IsUrlPathChar);
}

std::string Escape(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxQuotedBytes)) {
    if (IsControl(c)) {
      std::array<char, 8> escaped{};
      std::snprintf(escaped.data(), escaped.size(), "\\x%02x", static_cast<unsigned char>(c));
      out += escaped.data();
    } else {
      out += c;
    }
  }
  if (text.size() > kMaxQuotedBytes) out += "...";
  return out;
}

std::string Quote(std::string_view text) { return "'" + Escape(text) + "'"; }

}  // namespace callgate::config::internal
