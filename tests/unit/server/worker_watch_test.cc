#include "server/worker_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

TEST(WorkerWatchTest, WorkersThatRunAreNeverSaidStalled) {
  WorkerWatch watch(2, kStart, /*watchdog=*/false);
  for (auto t = kStart; t < kStart + 60s; t += 250ms) {
    watch.Ran(0, t);
    watch.Ran(1, t);
    EXPECT_THAT(watch.Check(t + 1900ms), IsEmpty());
    EXPECT_FALSE(watch.any_stalled());
  }
}

TEST(WorkerWatchTest, SaysOnceWhenAWorkerStallsAndOnceWhenItRunsAgain) {
  WorkerWatch watch(2, kStart, /*watchdog=*/false);
  watch.Ran(0, kStart + 1s);
  watch.Ran(1, kStart + 1s);
  EXPECT_THAT(watch.Check(kStart + 2900ms), IsEmpty()) << "1.9 s is not a stall";
  watch.Ran(0, kStart + 3s);
  EXPECT_THAT(
      watch.Check(kStart + 3s),
      ElementsAre(IsLine(true, std::string("Worker thread 2 of 2 has not run for 2 s: the calls "
                                           "on its connections wait (a log write to a file system "
                                           "that does not answer, or a fault in callgate)"))));
  EXPECT_TRUE(watch.any_stalled());
  for (auto t = kStart + 4s; t <= kStart + 9s; t += 1s) {
    watch.Ran(0, t - 500ms);
    EXPECT_THAT(watch.Check(t), IsEmpty()) << "said once";
    EXPECT_TRUE(watch.any_stalled());
  }
  EXPECT_THAT(watch.Check(kStart + 10s), IsEmpty());

  watch.Ran(1, kStart + 11s);
  EXPECT_THAT(
      watch.Check(kStart + 11s),
      ElementsAre(IsLine(true, HasSubstr("Worker thread 1 of 2 has not run for 2 s")),
                  IsLine(false, std::string("Worker thread 2 of 2 runs again, after 10 s"))));
  EXPECT_TRUE(watch.any_stalled()) << "worker 1 still is";
  watch.Ran(0, kStart + 12s);
  EXPECT_THAT(
      watch.Check(kStart + 12s),
      ElementsAre(IsLine(false, std::string("Worker thread 1 of 2 runs again, after 3 s"))));
  EXPECT_FALSE(watch.any_stalled());
}

// A virtual machine paused for a minute: the control thread finds every stamp old, but it did not
// run either. Its next look, a second later, finds the workers running.
TEST(WorkerWatchTest, APauseOfTheWholeProcessIsNoStall) {
  WorkerWatch watch(2, kStart, /*watchdog=*/false);
  EXPECT_THAT(watch.Check(kStart + 1s), IsEmpty());
  EXPECT_THAT(watch.Check(kStart + 61s), IsEmpty());
  EXPECT_FALSE(watch.any_stalled());
  watch.Ran(0, kStart + 61500ms);
  watch.Ran(1, kStart + 61500ms);
  EXPECT_THAT(watch.Check(kStart + 62s), IsEmpty());
  watch.Ran(0, kStart + 62500ms);
  EXPECT_THAT(watch.Check(kStart + 63s), IsEmpty());
  EXPECT_THAT(watch.Check(kStart + 64s),
              ElementsAre(IsLine(true, HasSubstr("Worker thread 2 of 2 has not run for 2 s"))))
      << "one that does not run after the pause is";
}

TEST(WorkerWatchTest, WithTheWatchdogTheStallSaysSystemdWillRestartCallgate) {
  WorkerWatch watch(1, kStart, /*watchdog=*/true);
  EXPECT_THAT(watch.Check(kStart + 5s),
              ElementsAre(Field(&WorkerWatch::Line::text,
                                HasSubstr("; systemd's watchdog is no longer told that callgate "
                                          "is alive, and restarts it after WatchdogSec"))));
}

}  // namespace
}  // namespace callgate::server
