#include "server/http_date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callgate::server {
namespace {

TEST(HttpDateTest, IsAnImfFixdate) {
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(HttpDate(951868799), "Tue, 29 Feb 2000 23:59:59 GMT");
  EXPECT_EQ(HttpDate(1795485600), "Tue, 24 Nov 2026 02:00:00 GMT");
}

TEST(HttpDateTest, NowIsTheCurrentSecond) {
  const std::time_t before = std::time(nullptr);
  const std::string now(CurrentHttpDate());
  const std::time_t after = std::time(nullptr);
  EXPECT_THAT(now, ::testing::AnyOf(HttpDate(before), HttpDate(after)));
}

}  // namespace
}  // namespace callgate::server
