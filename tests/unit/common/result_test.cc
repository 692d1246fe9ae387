#include "common/result.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate {
namespace {

Error At(int line, std::string key) { return Error{"bad value", "c.yaml", line, std::move(key)}; }

TEST(ErrorTest, AllToStringPutsEachErrorOnAPrefixedLine) {
  Error error = At(2, "a");
  EXPECT_EQ(error.AllToString("config: "), "config: c.yaml:2: key 'a': bad value\n");
  error.more = {At(5, "b"), At(9, "c")};
  EXPECT_EQ(error.ToString(), "c.yaml:2: key 'a': bad value") << "ToString() is the first only";
  EXPECT_EQ(error.AllToString("> "),
            "> c.yaml:2: key 'a': bad value\n"
            "> c.yaml:5: key 'b': bad value\n"
            "> c.yaml:9: key 'c': bad value\n");
}

TEST(ErrorTest, AllToStringSaysHowManyErrorsItLeavesOut) {
  Error error = At(1, "a");
  for (int line = 2; line <= 5; ++line) error.more.push_back(At(line, "k"));
  EXPECT_EQ(error.AllToString("", 2),
            "c.yaml:1: key 'a': bad value\n"
            "c.yaml:2: key 'k': bad value\n"
            "3 more error(s) not shown\n");
  EXPECT_EQ(error.AllToString("", 5).find("not shown"), std::string::npos);
  EXPECT_EQ(Error::kMaxErrorsShown, 20U);
}

}  // namespace
}  // namespace callgate
