#include "server/request_line.h"

namespace callgate::server {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool RequestLineLongerThan(std::string_view request_start, std::size_t limit) {
  // A line ending in its LF at index i takes i + 1 bytes, and the empty line after it 2 more.
  const std::size_t room = limit - 2;
  return request_start.size() >= room &&
         request_start.substr(0, room).find('\n') == std::string_view::npos;
}

std::optional<int> RequestLineMajorVersion(std::string_view request_start) {
  const std::string_view line = request_start.substr(0, request_start.find_first_of("\r\n"));
  const std::size_t space = line.rfind(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view version = line.substr(space + 1);
  constexpr std::string_view kName = "HTTP/";
  if (!version.starts_with(kName)) return std::nullopt;
  version.remove_prefix(kName.size());
  // One digit, as RFC 9112 §2.3 has it, then an optional ".digit" (HTTP/2 and HTTP/3 name
  // themselves without the minor version).
  if (version.empty() || !IsDigit(version[0])) return std::nullopt;
  if (version.size() != 1 && !(version.size() == 3 && version[1] == '.' && IsDigit(version[2]))) {
    return std::nullopt;
  }
  return version[0] - '0';
}

}  // namespace callgate::server
