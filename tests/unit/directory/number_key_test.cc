#include "directory/number_key.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace callgate::directory::internal {
namespace {

// The definition, one character at a time.
std::uint64_t ReferenceKey(std::string_view text) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < text.size() && i < kCompactChars; ++i) {
    const std::uint64_t nibble =
        text[i] == '+' ? 11 : static_cast<std::uint64_t>(text[i] - '0' + 1);
    key |= nibble << (60 - 4 * i);
  }
  return key;
}

TEST(NumberKeyTest, KnownKeys) {
  const struct {
    std::string number;
    std::uint64_t key;
  } cases[] = {
      {"0", 0x1000000000000000ULL},
      {"9", 0xA000000000000000ULL},
      {"+1", 0xB200000000000000ULL},
      {"+14085550101", 0xB251966612120000ULL},
      {"1234567890123456", 0x23456789A1234567ULL},
      {"+123456789012345", 0xB23456789A123456ULL},
      {"12345678901234567", 0x23456789A1234567ULL},  // only the first 16 characters count
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.number);
    EXPECT_EQ(CompactKey(*PhoneNumber::Parse(c.number)), c.key);
  }
}

TEST(NumberKeyTest, MatchesTheDefinitionForEveryLength) {
  std::mt19937 rng(3);
  for (int round = 0; round < 2000; ++round) {
    std::string text = round % 2 == 0 ? "+" : "";
    const std::size_t digits = 1 + round % PhoneNumber::kMaxDigits;
    for (std::size_t i = 0; i < digits; ++i) text += static_cast<char>('0' + rng() % 10);
    SCOPED_TRACE(text);
    const PhoneNumber number = *PhoneNumber::Parse(text);
    const std::uint64_t key = CompactKey(number);
    EXPECT_EQ(key, ReferenceKey(text));
    // Every prefix that is itself a number ("+" alone is not).
    for (std::size_t k = number.has_plus() ? 2 : 1; k <= text.size() && k <= kCompactChars; ++k) {
      EXPECT_EQ(key & PrefixMask(k), CompactKey(*PhoneNumber::Parse(text.substr(0, k))));
    }
  }
}

TEST(NumberKeyTest, DistinctNumbersHaveDistinctKeys) {
  const char* numbers[] = {"1", "01", "001", "+1", "+01", "10", "100", "0049", "49", "+49"};
  for (const char* a : numbers) {
    for (const char* b : numbers) {
      if (std::string_view(a) == b) continue;
      EXPECT_NE(CompactKey(*PhoneNumber::Parse(a)), CompactKey(*PhoneNumber::Parse(b)))
          << a << " vs " << b;
    }
  }
}

TEST(NumberKeyTest, PrefixMask) {
  EXPECT_EQ(PrefixMask(0), 0u);
  EXPECT_EQ(PrefixMask(1), 0xF000000000000000ULL);
  EXPECT_EQ(PrefixMask(15), 0xFFFFFFFFFFFFFFF0ULL);
  EXPECT_EQ(PrefixMask(16), ~std::uint64_t{0});
  EXPECT_EQ(PrefixMask(33), ~std::uint64_t{0});
}

}  // namespace
}  // namespace callgate::directory::internal
