#include "server/worker_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace callgate::server {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

const WorkerWatch::Clock::time_point kStart{1000h};

template <class Text>
auto IsLine(bool error, Text text) {
  return AllOf(Field(&WorkerWatch::Line::error, error), Field(&WorkerWatch::Line::text, text));
}

// Two workers, with thread IDs 101 and 102.
class TwoWorkers : public WorkerWatch {
 public:
  explicit TwoWorkers(std::optional<std::chrono::microseconds> watchdog = std::nullopt)
      : WorkerWatch(2, kStart, watchdog) {
    Started(0, 101);
    Started(1, 102);
  }
};

TEST(WorkerWatchTest, WorkersThatRunAreNeverSaidStalled) {
  TwoWorkers watch;
  for (auto t = kStart; t < kStart + 60s; t += 250ms) {
    watch.Ran(0, t);
    watch.Ran(1, t);
    if ((t - kStart) % 1s == 0s) {
      EXPECT_THAT(watch.Check(t + 1900ms), IsEmpty());
    }
  }
  EXPECT_FALSE(watch.any_stalled());
  EXPECT_EQ(watch.stalls(), 0U);
}

// The control thread checks once a second; worker 2 stops after 1 s, worker 1 after 8.5 s.
TEST(WorkerWatchTest, SaysOnceWhenAWorkerStallsAndOnceWhenItRunsAgain) {
  TwoWorkers watch;
  watch.Ran(0, kStart + 1s);
  watch.Ran(1, kStart + 1s);
  EXPECT_THAT(watch.Check(kStart + 2s), IsEmpty());
  EXPECT_THAT(watch.Check(kStart + 2900ms), IsEmpty()) << "1.9 s is not a stall";
  watch.Ran(0, kStart + 3s);
  EXPECT_THAT(watch.Check(kStart + 3500ms),
              ElementsAre(IsLine(true, std::string("Worker thread 2 of 2 (worker-2, thread ID "
                                                   "102) has been stuck for 2 s: the calls on its "
                                                   "connections wait (a log write to a file "
                                                   "system that does not answer, or a fault in "
                                                   "callgate)"))));
  EXPECT_TRUE(watch.any_stalled());
  for (auto t = kStart + 4500ms; t <= kStart + 9500ms; t += 1s) {
    watch.Ran(0, std::min(t - 500ms, kStart + 8500ms));
    EXPECT_THAT(watch.Check(t), IsEmpty()) << "said once";
    EXPECT_TRUE(watch.any_stalled());
  }
  watch.Ran(1, kStart + 10500ms);
  EXPECT_THAT(watch.Check(kStart + 10500ms),
              ElementsAre(IsLine(true, HasSubstr("Worker thread 1 of 2 (worker-1, thread ID 101) "
                                                 "has been stuck for 2 s")),
                          IsLine(false, std::string("Worker thread 2 of 2 (worker-2, thread ID "
                                                    "102) runs again after a 9 s stall"))));
  EXPECT_EQ(watch.stalled_count(), 1U) << "worker 1 still is";
  watch.Ran(0, kStart + 11500ms);
  EXPECT_THAT(watch.Check(kStart + 11500ms),
              ElementsAre(IsLine(false, HasSubstr("worker-1, thread ID 101) runs again after a 3 s "
                                                  "stall"))));
  EXPECT_FALSE(watch.any_stalled());
  EXPECT_EQ(watch.stalls(), 2U);
}

// A virtual machine paused for a minute: the control thread finds every stamp old, but it did not
// run either. Its next look, a second later, finds the workers running.
TEST(WorkerWatchTest, APauseOfTheWholeProcessIsNoStall) {
  TwoWorkers watch;
  EXPECT_THAT(watch.Check(kStart + 1s), IsEmpty());
  EXPECT_THAT(watch.Check(kStart + 61s), IsEmpty());
  EXPECT_FALSE(watch.any_stalled());
  watch.Ran(0, kStart + 61500ms);
  watch.Ran(1, kStart + 61500ms);
  EXPECT_THAT(watch.Check(kStart + 62s), IsEmpty());
  watch.Ran(0, kStart + 62500ms);
  EXPECT_THAT(watch.Check(kStart + 63s), IsEmpty());
  // A pause of 1.75 s right after a look: the control thread comes back first.
  EXPECT_THAT(watch.Check(kStart + 64750ms), IsEmpty()) << "1.75 s late: held";
  watch.Ran(0, kStart + 64800ms);
  EXPECT_THAT(watch.Check(kStart + 65750ms),
              ElementsAre(IsLine(true, HasSubstr("Worker thread 2 of 2 (worker-2, thread ID 102) "
                                                 "has been stuck for 4 s"))))
      << "one that does not run after the pause is";
}

TEST(WorkerWatchTest, WithTheWatchdogTheLinesSayWhatSystemdDoes) {
  TwoWorkers watch(10s);
  EXPECT_THAT(watch.Check(kStart + 1s), IsEmpty());
  watch.Ran(0, kStart + 2s);
  EXPECT_THAT(watch.Check(kStart + 2s),
              ElementsAre(Field(&WorkerWatch::Line::text,
                                HasSubstr("; systemd's watchdog is no longer told that "
                                          "callgate is alive, and ends and restarts it "
                                          "within 10 s unless the thread recovers"))));
  watch.Ran(0, kStart + 3s);
  watch.Ran(1, kStart + 3s);
  EXPECT_THAT(watch.Check(kStart + 3s),
              ElementsAre(Field(&WorkerWatch::Line::text,
                                HasSubstr("runs again after a 3 s stall; systemd's watchdog is "
                                          "told again that callgate is alive"))));
}

// Half the timeout, kept between 10 ms and an hour (WATCHDOG_USEC=1 or WatchdogSec=1y).
TEST(WatchdogPingEveryTest, IsHalfTheTimeoutWithinLimits) {
  using std::chrono::microseconds;
  EXPECT_EQ(WatchdogPingEvery(microseconds(10'000'000)), std::chrono::seconds(5));
  EXPECT_EQ(WatchdogPingEvery(microseconds(1)), std::chrono::milliseconds(10));
  EXPECT_EQ(WatchdogPingEvery(std::chrono::hours(24 * 365)), std::chrono::hours(1));
}

}  // namespace
}  // namespace callgate::server
