#include "common/phone_number.h"

#include "common/strings.h"

namespace callgate {
namespace {

bool IsFormatting(char c) {
  return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
}

std::string_view StripTelScheme(std::string_view s) {
  if (s.size() >= 4 && EqualsIgnoreCase(s.substr(0, 4), "tel:")) s.remove_prefix(4);
  return s;
}

}  // namespace

std::string_view Describe(NumberError error) {
  switch (error) {
    case NumberError::kEmpty:
      return "empty";
    case NumberError::kNoDigits:
      return "no digits after the '+'";
    case NumberError::kInvalidCharacter:
      return "contains a character that is not a digit";
    case NumberError::kTooLong:
      return "too many digits";
  }
  return "invalid";
}

std::optional<PhoneNumber> PhoneNumber::Parse(std::string_view raw, NumberError* error) {
  auto fail = [error](NumberError e) {
    if (error != nullptr) *error = e;
    return std::nullopt;
  };
  PhoneNumber number;
  std::size_t digits = 0;
  for (char c : StripTelScheme(TrimUnicodeSpace(raw))) {
    if (IsFormatting(c)) continue;
    if (c == '+' && number.size_ == 0) {
      number.chars_[number.size_++] = c;
      continue;
    }
    if (c < '0' || c > '9') return fail(NumberError::kInvalidCharacter);
    if (++digits > kMaxDigits) return fail(NumberError::kTooLong);
    number.chars_[number.size_++] = c;
  }
  if (digits == 0) return fail(number.size_ == 0 ? NumberError::kEmpty : NumberError::kNoDigits);
  return number;
}

}  // namespace callgate
