#include "common/log_text.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate {
namespace {

TEST(LogSafeTest, EscapesWhatCouldForgeSplitOrHideALine) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"", ""},
      {"+14085550101", "+14085550101"},
      {"Ada Lovelace", "Ada Lovelace"},
      {"123\r\n2026-01-01 [error] forged", "123\\x0d\\x0a2026-01-01 [error] forged"},
      {"\x1b[2Jcleared", "\\x1b[2Jcleared"},
      {std::string("nul\0byte", 8), "nul\\x00byte"},
      {"del\x7f", "del\\x7f"},
      {"back\\slash", "back\\\\slash"},  // so that a literal "\x0a" cannot pass for an escape
      {"say \"hi\"", "say \"hi\""},      // quotes only when the line quotes the value
      {"Jos\xC3\xA9 \xE6\x9D\xB1", "Jos\xC3\xA9 \xE6\x9D\xB1"},  // UTF-8 is kept
      {"\xC2\x85next line", "\\xc2\\x85next line"},              // C1 control NEL
      {"csi\xC2\x9B"
       "31m",
       "csi\\xc2\\x9b31m"},  // C1 CSI
      {"a\xE2\x80\xA8"
       "b",
       "a\\xe2\\x80\\xa8b"},  // U+2028 line separator
      {"\xE2\x80\xAE"
       "evil",
       "\\xe2\\x80\\xaeevil"},                // U+202E right-to-left override
      {"\xE2\x81\xA6x", "\\xe2\\x81\\xa6x"},  // U+2066 left-to-right isolate
      {"raw \x9B"
       "2J",
       "raw \\x9b2J"},                      // not UTF-8
      {"\xC0\xAF", "\\xc0\\xaf"},           // overlong
      {"\xED\xA0\x80", "\\xed\\xa0\\x80"},  // a surrogate
      {"cut \xE6\x9D", "cut \\xe6\\x9d"},   // a truncated sequence
  };
  for (const auto& c : cases) {
    std::string scratch;
    EXPECT_EQ(LogSafe(c.in, scratch), c.out) << c.in;
    EXPECT_EQ(LogSafeCopy(c.in), c.out) << c.in;
  }
}

TEST(LogSafeTest, CutsAtTheLimitAskedFor) {
  const std::string message(1000, 'm');
  EXPECT_EQ(LogSafeCopy(message), std::string(kMaxLogTextBytes, 'm') + "...[1000 bytes]");
  EXPECT_EQ(LogSafeCopy(message, '\0', kMaxLogMessageBytes), message);
  EXPECT_EQ(LogSafeCopy(message + "\n", '\0', kMaxLogMessageBytes), message + "\\x0a");
}

TEST(LogSafeTest, EscapesTheQuoteOnlyWhenAsked) {
  std::string scratch;
  EXPECT_EQ(LogSafe("/x\" 200 514 1us", scratch, '"'), "/x\\\" 200 514 1us");
  EXPECT_EQ(LogSafe("/x\" 200", scratch), "/x\" 200");
  EXPECT_EQ(LogSafe(std::string("a\0b", 3), scratch, '"'), "a\\x00b");  // NUL is no quote
}

TEST(LogSafeTest, ViewsTheInputWhenNothingChanges) {
  const std::string clean = "curri calling=+14085550101";
  std::string scratch;
  EXPECT_EQ(LogSafe(clean, scratch).data(), clean.data());
  EXPECT_TRUE(scratch.empty());
}

TEST(LogSafeTest, CapsTheLengthAndSaysHowLongTheValueWas) {
  const std::string big(100000, 'x');
  EXPECT_EQ(LogSafeCopy(big), std::string(kMaxLogTextBytes, 'x') + "...[100000 bytes]");
  const std::string exact(kMaxLogTextBytes, 'y');
  EXPECT_EQ(LogSafeCopy(exact), exact);
  // Never cut a character in two: the 3-byte character that would cross the limit goes whole.
  const std::string cjk = std::string(kMaxLogTextBytes - 1, 'z') + "\xE6\x9D\xB1" + "tail";
  EXPECT_EQ(LogSafeCopy(cjk), std::string(kMaxLogTextBytes - 1, 'z') + "...[" +
                                  std::to_string(cjk.size()) + " bytes]");
  // Escapes count as the input bytes they stand for: 256 newlines make 1,024 output bytes.
  const std::string newlines(300, '\n');
  const std::string out = LogSafeCopy(newlines);
  EXPECT_EQ(out.rfind("...[300 bytes]"), out.size() - 14);
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

// A message already made log-safe keeps its escapes as they are: only its length is capped.
TEST(CapLogMessageTest, LeavesTheTextAndCutsOnlyTheLength) {
  const std::string safe = LogSafeCopy("display_n\xE9me \\ \n");
  EXPECT_EQ(safe, "display_n\\xe9me \\\\ \\x0a");
  EXPECT_EQ(CapLogMessage(safe), safe);
  const std::string big(5000, 'm');
  EXPECT_EQ(CapLogMessage(big), std::string(kMaxLogMessageBytes, 'm') + "...[5000 bytes]");
  EXPECT_EQ(CapLogMessage(big, 5000), big);
  // Never cut a character in two.
  const std::string cjk = std::string(9, 'z') + "\xE6\x9D\xB1" + "tail";
  EXPECT_EQ(CapLogMessage(cjk, 10), std::string(9, 'z') + "...[16 bytes]");
  EXPECT_EQ(CapLogMessage(cjk, 12), std::string(9, 'z') + "\xE6\x9D\xB1...[16 bytes]");
}

}  // namespace
}  // namespace callgate
