#include "common/phone_number.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate {
namespace {

struct ParseCase {
  std::string raw;
  std::string expected;  // normalised text; empty when parsing must fail
  NumberError error = NumberError::kEmpty;
};

const ParseCase kParseCases[] = {
    {"+14085550101", "+14085550101"},
    {"14085550101", "14085550101"},
    {"  +14085550101  ", "+14085550101"},
    {"\xC2\xA0+14085550101\xE2\x80\x83", "+14085550101"},  // Unicode spaces, as str.strip()
    {"+1 408 555 0101", "+14085550101"},
    {"+1\t408\t555\t0101", "+14085550101"},
    {"\t+14085550101\r\n", "+14085550101"},
    {"+1-408-555-0101", "+14085550101"},
    {"+1.408.555.0101", "+14085550101"},
    {"+1 (408) 555-0101", "+14085550101"},
    {"+1408/555/0101", "+14085550101"},
    {"tel:+14085550101", "+14085550101"},
    {"TEL:+1-408-555-0101", "+14085550101"},
    {"Tel: +1 408 5550101", "+14085550101"},
    {"(+1) 408", "+1408"},
    {"0049 30 1234567", "0049301234567"},
    {"49 30 1234567", "49301234567"},
    {"+1", "+1"},
    {"1", "1"},
    {"1001", "1001"},
    {std::string(32, '9'), std::string(32, '9')},
    {"+" + std::string(32, '1'), "+" + std::string(32, '1')},
    {"", "", NumberError::kEmpty},
    {"   ", "", NumberError::kEmpty},
    {"tel:", "", NumberError::kEmpty},
    {"-().", "", NumberError::kEmpty},
    {"+", "", NumberError::kNoDigits},
    {"tel: + (-)", "", NumberError::kNoDigits},
    {"1-800-FLOWERS", "", NumberError::kInvalidCharacter},
    {"abc", "", NumberError::kInvalidCharacter},
    {"sip:1234", "", NumberError::kInvalidCharacter},
    {"+1+408", "", NumberError::kInvalidCharacter},
    {"408+1", "", NumberError::kInvalidCharacter},
    {"++1408", "", NumberError::kInvalidCharacter},
    {"1408#", "", NumberError::kInvalidCharacter},
    {"1408*1", "", NumberError::kInvalidCharacter},
    {"14_08", "", NumberError::kInvalidCharacter},
    {"1\n408", "", NumberError::kInvalidCharacter},
    {"\xEF\xBC\x91\xEF\xBC\x92", "", NumberError::kInvalidCharacter},  // full-width digits
    {std::string(33, '9'), "", NumberError::kTooLong},
    {"+" + std::string(33, '1'), "", NumberError::kTooLong},
    {std::string(1000, '5'), "", NumberError::kTooLong},
};

TEST(PhoneNumberTest, ParseNormalisesOrRejects) {
  for (const ParseCase& c : kParseCases) {
    SCOPED_TRACE("raw: '" + c.raw + "'");
    NumberError error = NumberError::kEmpty;
    const std::optional<PhoneNumber> number = PhoneNumber::Parse(c.raw, &error);
    if (c.expected.empty()) {
      EXPECT_FALSE(number.has_value());
      EXPECT_EQ(error, c.error);
    } else {
      ASSERT_TRUE(number.has_value());
      EXPECT_EQ(number->view(), c.expected);
      EXPECT_EQ(number->has_plus(), c.expected[0] == '+');
    }
  }
}

TEST(PhoneNumberTest, ParseWithoutErrorPointer) {
  EXPECT_FALSE(PhoneNumber::Parse("letters").has_value());
  EXPECT_TRUE(PhoneNumber::Parse("123").has_value());
}

TEST(PhoneNumberTest, EqualityComparesNormalisedText) {
  EXPECT_EQ(*PhoneNumber::Parse("+1 408 555 0101"), *PhoneNumber::Parse("+1408/555/0101"));
  EXPECT_FALSE(*PhoneNumber::Parse("0049") == *PhoneNumber::Parse("49"));
  EXPECT_FALSE(*PhoneNumber::Parse("+1") == *PhoneNumber::Parse("1"));
}

TEST(PhoneNumberTest, DescribeNamesEachError) {
  EXPECT_EQ(Describe(NumberError::kEmpty), "empty");
  EXPECT_EQ(Describe(NumberError::kNoDigits), "no digits after the '+'");
  EXPECT_NE(Describe(NumberError::kInvalidCharacter), Describe(NumberError::kTooLong));
  EXPECT_NE(Describe(NumberError::kInvalidCharacter).find("digit"), std::string_view::npos);
  EXPECT_NE(Describe(NumberError::kTooLong).find("digits"), std::string_view::npos);
}

}  // namespace
}  // namespace callgate
