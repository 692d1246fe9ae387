// PhoneNumber: a normalised telephone number, "+?[0-9]{1,kMaxDigits}". The same normalisation is
// applied to directory files and to requests, so formatting never prevents a match.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace callgate {

enum class NumberError : std::uint8_t {
  kEmpty,             // nothing left after removing formatting characters
  kNoDigits,          // a '+' and nothing after it
  kInvalidCharacter,  // something other than digits after an optional leading '+'
  kTooLong,           // more than PhoneNumber::kMaxDigits digits
};

// A short English description of the error, for log lines ("not a number: ...").
std::string_view Describe(NumberError error);

// A value type (no allocation, trivially copyable).
class PhoneNumber {
 public:
  static constexpr std::size_t kMaxDigits = 32;

  // Normalises `raw`: trims whitespace, removes a leading "tel:" (any case), removes spaces,
  // tabs, '-', '.', '(', ')' and '/' anywhere, keeps one leading '+'. Returns the number, or
  // std::nullopt with `*error` set (when non-null) if what remains is not a number.
  static std::optional<PhoneNumber> Parse(std::string_view raw, NumberError* error = nullptr);

  // The normalised text, e.g. "+14085550101".
  std::string_view view() const { return {chars_.data(), size_}; }
  bool has_plus() const { return size_ > 0 && chars_[0] == '+'; }

  friend bool operator==(const PhoneNumber& a, const PhoneNumber& b) {
    return a.view() == b.view();
  }

 private:
  PhoneNumber() = default;

  std::array<char, kMaxDigits + 1> chars_{};
  std::uint8_t size_ = 0;
};

}  // namespace callgate
