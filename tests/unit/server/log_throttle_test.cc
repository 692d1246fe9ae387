#include "server/log_throttle.h"

#include <gtest/gtest.h>

namespace callgate::server {
namespace {

using std::chrono::seconds;

TEST(LogThrottleTest, LogsTheFirstEventThenOnePerIntervalWithTheCountHeldBack) {
  LogThrottle throttle(seconds(10));
  const LogThrottle::Clock::time_point start{};
  EXPECT_EQ(throttle.Admit(start + seconds(100)), 0U);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(throttle.Admit(start + seconds(100 + i)), std::nullopt);
  EXPECT_EQ(throttle.Admit(start + seconds(109)), std::nullopt);
  EXPECT_EQ(throttle.Admit(start + seconds(110)), 6U);  // the interval has passed
  EXPECT_EQ(throttle.Admit(start + seconds(500)), 0U);  // nothing held back since
}

}  // namespace
}  // namespace callgate::server
