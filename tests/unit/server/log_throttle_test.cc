#include "server/log_throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

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

// Every I/O thread shares one: of events at the same moment on several threads, exactly one is
// logged, and every other one is counted.
TEST(LogThrottleTest, ThreadsSharingOneLogOnceAndCountTheRest) {
  LogThrottle throttle(seconds(10));
  const LogThrottle::Clock::time_point at = LogThrottle::Clock::time_point{} + seconds(100);
  std::atomic<int> logged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) logged += throttle.Admit(at).has_value() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(logged.load(), 1);
  EXPECT_EQ(throttle.Admit(at + seconds(10)), 3999U);
}

TEST(LogThrottleTest, TheLineSaysHowManyWereHeldBackAndHowOftenOneIsLogged) {
  const LogThrottle throttle(seconds(10));
  EXPECT_EQ(throttle.HeldBack(0), "");
  EXPECT_EQ(throttle.HeldBack(7),
            " (7 more since the last such line, which is logged at most every 10 s)");
}

}  // namespace
}  // namespace callgate::server
