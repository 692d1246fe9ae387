#include "directory/name_sanitizer.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate::directory::internal {
namespace {

struct CleanCase {
  std::string raw;
  std::string clean;
  std::size_t max_bytes = 100;
  bool truncated = false;
};

const CleanCase kCleanCases[] = {
    {"Ada Lovelace", "Ada Lovelace"},
    {"  Ada Lovelace \t", "Ada Lovelace"},
    {"Tom & Jerry's <Deli>", "Tom & Jerry's <Deli>"},
    {"Jos\xC3\xA9 M\xC3\xBCller", "Jos\xC3\xA9 M\xC3\xBCller"},
    {"\xE6\x9D\x8E\xE5\xB0\x8F\xE9\xBE\x8D", "\xE6\x9D\x8E\xE5\xB0\x8F\xE9\xBE\x8D"},
    {"\xF0\x9F\x93\x9E Phone", "\xF0\x9F\x93\x9E Phone"},  // U+1F4DE, four bytes
    {"Ada\x01\x1F\x7F Love\nlace\r", "Ada Lovelace"},      // C0 and DEL removed
    {std::string("A\0B", 3), "AB"},
    {"A\xC2\x80\xC2\x85\xC2\x9F"
     "B",
     "AB"},  // C1 controls removed
    {"A\xC2\xA0"
     "B",
     "A\xC2\xA0"
     "B"},                             // U+00A0 is kept
    {"\xC2\x85 Ada \xC2\x85", "Ada"},  // trimmed after removal
    // What would break the display line or reorder the text beside the name: removed. U+202E
    // (right-to-left override) would show "ecilA" as "Alice", and the number after it backwards.
    {"\xE2\x80\xAE"
     "ecilA\xE2\x80\xAC Bob",
     "ecilA Bob"},
    {"A\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAD"
     "B",
     "AB"},  // U+202A, U+202B, U+202D: embeddings and the left-to-right override
    {"A\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9"
     "B",
     "AB"},                                                  // U+2066-U+2069: the isolates
    {"Ada\xE2\x80\xA8Lovelace\xE2\x80\xA9", "AdaLovelace"},  // line, paragraph separators
    {"\xE2\x80\xAE", ""},
    // Kept: the narrow no-break space U+202F, the marks U+200E/U+200F (which move no other
    // text), and the joiners U+200C/U+200D that Persian, Indic scripts and emoji need.
    {"A\xE2\x80\xAF"
     "B\xE2\x80\x8E"
     "C\xE2\x80\x8F"
     "D\xE2\x80\x8C"
     "E\xE2\x80\x8D"
     "F",
     "A\xE2\x80\xAF"
     "B\xE2\x80\x8E"
     "C\xE2\x80\x8F"
     "D\xE2\x80\x8C"
     "E\xE2\x80\x8D"
     "F"},
    // Not characters to XML, which the response leaves out: so does the directory.
    {"\xEF\xBF\xBE Bob\xEF\xBF\xBF", "Bob"},
    {"\xEF\xBF\xBF", ""},
    {"A\xEF\xBF\xBD\xEF\xBF\xBC"
     "B",
     "A\xEF\xBF\xBD\xEF\xBF\xBC"
     "B"},  // U+FFFD and U+FFFC are characters
    {"A\xFF"
     "B",
     "A\xEF\xBF\xBD"
     "B"},  // invalid byte
    {"A\x80\x80"
     "B",
     "A\xEF\xBF\xBD\xEF\xBF\xBD"
     "B"},  // stray continuations
    {"A\xC0\xAF"
     "B",
     "A\xEF\xBF\xBD\xEF\xBF\xBD"
     "B"},  // overlong
    {"A\xE2\x82"
     "B",
     "A\xEF\xBF\xBD"
     "B"},  // truncated sequence: one U+FFFD
    {"A\xED\xA0\x80"
     "B",
     "A\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
     "B"},  // surrogate
    {"A\xF4\x90\x80\x80"
     "B",
     "A\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
     "B"},                           // above U+10FFFF
    {"A\xE2\x82", "A\xEF\xBF\xBD"},  // cut at the end
    {"\x01\x02\x7F", ""},
    {"   ", ""},
    {"Abcdef", "Abc", 3, true},
    {"Ab  def", "Ab", 4, true},         // trailing space trimmed
    {"Ab\xE2\x82\xAC", "Ab", 4, true},  // "€" not split
    {"Ab\xE2\x82\xAC", "Ab\xE2\x82\xAC", 5, false},
    {"\xE2\x82\xAC", "", 2, true},
    {"Ab\x01\x01\x01", "Ab", 2, false},  // limit applies after cleaning
};

TEST(NameSanitizerTest, CleansTrimsAndTruncates) {
  for (const CleanCase& c : kCleanCases) {
    SCOPED_TRACE("raw: '" + c.raw + "'");
    std::string scratch;
    const CleanName name = CleanDisplayName(c.raw, c.max_bytes, &scratch);
    EXPECT_EQ(name.text, c.clean);
    EXPECT_EQ(name.truncated, c.truncated);
  }
}

// Set for bytes that are not UTF-8 (what a file saved as Latin-1 holds), so that the loader can
// say so; not for control characters removed from valid text.
TEST(NameSanitizerTest, SaysWhenBytesWereNotUtf8) {
  std::string scratch;
  EXPECT_TRUE(CleanDisplayName("Jos\xE9 M\xFCller", 100, &scratch).invalid_utf8);
  EXPECT_TRUE(CleanDisplayName("A\xE2\x82", 100, &scratch).invalid_utf8);
  EXPECT_FALSE(CleanDisplayName("Jos\xC3\xA9", 100, &scratch).invalid_utf8);
  EXPECT_FALSE(CleanDisplayName("A\x01\xC2\x85"
                                "B",
                                100, &scratch)
                   .invalid_utf8);
  EXPECT_FALSE(CleanDisplayName("Ada", 100, &scratch).invalid_utf8);
}

TEST(NameSanitizerTest, CleanAsciiNeedsNoCopy) {
  const std::string raw = " Ada ";
  std::string scratch = "untouched";
  const CleanName name = CleanDisplayName(raw, 100, &scratch);
  EXPECT_EQ(name.text.data(), raw.data() + 1);
  EXPECT_EQ(scratch, "untouched");
}

}  // namespace
}  // namespace callgate::directory::internal
