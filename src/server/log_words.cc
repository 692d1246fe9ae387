#include "server/log_words.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace callgate::server {
namespace {

constexpr std::string_view kUrnPrefix = "urn:";
constexpr std::size_t kMaxAttributeDigits = 4;  // "1.0", "2.0" and a few more, not a number

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSegmentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
         c == '-';
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `lower` is in lower case.
bool EqualsIgnoringCase(std::string_view value, std::string_view lower) {
  return value.size() == lower.size() && std::equal(value.begin(), value.end(), lower.begin(),
                                                    [](char v, char l) { return Lower(v) == l; });
}

}  // namespace

bool IsAttributeNameForLog(std::string_view id) {
  if (!id.starts_with(kUrnPrefix)) return false;
  const std::string_view segments = id.substr(kUrnPrefix.size());
  // Empty segments too: "urn:", "urn:a::b" and "urn:a:" are not names.
  if (segments.empty() || segments.front() == ':' || segments.back() == ':' ||
      segments.find("::") != std::string_view::npos) {
    return false;
  }
  std::size_t digits = 0;
  for (const char c : segments) {
    if (c != ':' && !IsSegmentChar(c)) return false;
    digits += IsDigit(c) ? 1 : 0;
  }
  return digits <= kMaxAttributeDigits;
}

bool IsTriggerPointForLog(std::string_view value) {
  static constexpr std::array<std::string_view, 3> kTriggerPoints = {
      "translationpattern", "directorynumber", "routepattern"};
  return std::any_of(kTriggerPoints.begin(), kTriggerPoints.end(),
                     [value](std::string_view known) { return EqualsIgnoringCase(value, known); });
}

}  // namespace callgate::server
