#include "common/strings.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate {
namespace {

TEST(StringsTest, TrimRemovesAsciiWhitespaceAtBothEnds) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"", ""},
      {"   ", ""},
      {"a", "a"},
      {"  a b  ", "a b"},
      {"\t\r\n\v\fa\t\r\n\v\f", "a"},
      {"\xC2\xA0"
       "a",
       "\xC2\xA0"
       "a"},  // a no-break space is not ASCII whitespace
      {std::string("\0a", 2), std::string("\0a", 2)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("in: '" + c.in + "'");
    EXPECT_EQ(Trim(c.in), c.out);
  }
}

// What Python's str.strip() removes, and nothing else.
TEST(StringsTest, TrimUnicodeSpaceRemovesWhatPythonsStripRemoves) {
  const std::string nbsp = "\xC2\xA0", em = "\xE2\x80\x83", ideographic = "\xE3\x80\x80";
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"", ""},
      {" \t\r\n\v\f\x1c\x1f", ""},
      {nbsp + "a" + nbsp, "a"},
      {em + ideographic + " a b " + nbsp +
           "\xE2\x80\xA8\xE2\x80\xAF\xE2\x81\x9F\xE1\x9A\x80\xC2\x85",
       "a b"},
      {"a" + nbsp + "b", "a" + nbsp + "b"},  // inside a value: kept
      // Not whitespace to Python: zero-width space U+200B, word joiner U+2060, BOM U+FEFF, é.
      {"\xE2\x80\x8B"
       "a"
       "\xE2\x81\xA0",
       "\xE2\x80\x8B"
       "a"
       "\xE2\x81\xA0"},
      {"\xEF\xBB\xBF"
       "a",
       "\xEF\xBB\xBF"
       "a"},
      {"\xC3\xA9", "\xC3\xA9"},
      {"\xA0", "\xA0"},  // a stray continuation byte is not a space
      {std::string("\0a", 2), std::string("\0a", 2)},
      // A broken sequence (E2 80 and no third continuation byte) is not a space, and the ASCII
      // byte after it is not part of it.
      {"\xE2\x80"
       "Ada",
       "\xE2\x80"
       "Ada"},
      {"\xE2\x80"
       "14085550102",
       "\xE2\x80"
       "14085550102"},
      {"Ada\xE2\x80\x01", "Ada\xE2\x80\x01"},
      {"\xE2\x80\x7F", "\xE2\x80\x7F"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("in: '" + c.in + "'");
    EXPECT_EQ(TrimUnicodeSpace(c.in), c.out);
  }
}

TEST(StringsTest, AsciiLowerLeavesNonAsciiAlone) {
  EXPECT_EQ(AsciiLower("Match_TYPE"), "match_type");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");
  EXPECT_EQ(AsciiLower("09@[`{"), "09@[`{");
}

TEST(StringsTest, EqualsIgnoreCase) {
  const struct {
    std::string a;
    std::string b;
    bool equal;
  } cases[] = {
      {"", "", true},
      {"prefix", "PREFIX", true},
      {"Prefix", "prefiX", true},
      {"prefix", "prefi", false},
      {"exact", "exacT ", false},
      {"@", "`", false},
      {"[", "{", false},
      {"\xC3\xA9", "\xC3\x89", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.a + " vs " + c.b);
    EXPECT_EQ(EqualsIgnoreCase(c.a, c.b), c.equal);
  }
}

}  // namespace
}  // namespace callgate
