#include "server/reload_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <new>
#include <optional>
#include <string>
#include <vector>

namespace callgate::server {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = ReloadStatus::Clock;

const Clock::time_point kStart = Clock::time_point(1000h);

TEST(ReloadStatusTest, VerdictsAreNullUntilAReloadHasFinished) {
  ReloadStatus status;
  EXPECT_EQ(status.ToJsonFields(kStart),
            "\"reloads_ok\":0,\"reloads_failed\":0,\"last_reload_ok\":null,"
            "\"config_file_ok\":null,\"reload_running_seconds\":0");
}

// Each reload's verdicts replace the last one's; the counters add up.
TEST(ReloadStatusTest, TheLastReloadsVerdictsAndTheCounts) {
  const struct {
    bool ok;
    bool config_file_ok;
    std::string fields;
  } reloads[] = {
      {false, true,
       "\"reloads_ok\":0,\"reloads_failed\":1,\"last_reload_ok\":false,\"config_file_ok\":true"},
      {true, false,
       "\"reloads_ok\":1,\"reloads_failed\":1,\"last_reload_ok\":true,\"config_file_ok\":false"},
      {true, true,
       "\"reloads_ok\":2,\"reloads_failed\":1,\"last_reload_ok\":true,\"config_file_ok\":true"},
      {false, false,
       "\"reloads_ok\":2,\"reloads_failed\":2,\"last_reload_ok\":false,\"config_file_ok\":false"},
  };
  ReloadStatus status;
  for (const auto& reload : reloads) {
    status.Started(kStart);
    status.Finished(reload.ok, reload.config_file_ok);
    status.Ended();
    EXPECT_EQ(status.ToJsonFields(kStart + 1min), reload.fields + ",\"reload_running_seconds\":0");
  }
}

// Whole seconds since the running reload started; 0 before and after it, and for a clock read
// before the start was noted.
TEST(ReloadStatusTest, RunningSecondsOnlyWhileAReloadRuns) {
  ReloadStatus status;
  EXPECT_EQ(status.RunningSince(), std::nullopt);
  status.Started(kStart);
  EXPECT_EQ(status.RunningSince(), kStart);
  const struct {
    Clock::time_point now;
    std::string field;
  } cases[] = {
      {kStart - 1s, "\"reload_running_seconds\":0"},
      {kStart, "\"reload_running_seconds\":0"},
      {kStart + 999ms, "\"reload_running_seconds\":0"},
      {kStart + 1s, "\"reload_running_seconds\":1"},
      {kStart + 1h + 1500ms, "\"reload_running_seconds\":3601"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(status.ToJsonFields(c.now).ends_with("," + c.field)) << status.ToJsonFields(c.now);
  }
  status.Finished(true, true);
  EXPECT_EQ(status.RunningSince(), std::nullopt) << "counted, so no longer running";
  EXPECT_THAT(status.ToJsonFields(kStart + 5s), HasSubstr("\"reload_running_seconds\":0"));
  status.Ended();
  EXPECT_EQ(status.RunningSince(), std::nullopt);

  status.Started(kStart);  // a handler that ends without a verdict
  status.Ended();
  EXPECT_EQ(status.RunningSince(), std::nullopt);
  EXPECT_THAT(status.ToJsonFields(kStart + 5s), HasSubstr("\"reloads_ok\":1,\"reloads_failed\":0"));
}

// A handler that throws: the reload counts as failed and is no longer running, the config file's
// verdict is the last reload's (this one may not have read the file), the exception's text is
// reported, and nothing escapes to end the reload thread. The next reload runs as usual.
TEST(RunReloadTest, AnExceptionFailsTheReloadAndIsReported) {
  ReloadStatus status;
  std::vector<std::string> reported;
  const auto report = [&reported](std::string_view what) { reported.emplace_back(what); };

  RunReload(
      status, [&status] { status.Finished(true, false); }, report);
  EXPECT_THAT(reported, ElementsAre());

  std::optional<Clock::time_point> running;
  RunReload(
      status,
      [&] {
        running = status.RunningSince();
        throw std::bad_alloc();
      },
      report);
  EXPECT_NE(running, std::nullopt) << "running while the handler runs";
  EXPECT_EQ(status.RunningSince(), std::nullopt);
  EXPECT_THAT(reported, ElementsAre("std::bad_alloc"));
  EXPECT_EQ(status.ToJsonFields(Clock::now()),
            "\"reloads_ok\":1,\"reloads_failed\":1,\"last_reload_ok\":false,"
            "\"config_file_ok\":false,\"reload_running_seconds\":0");

  RunReload(
      status, [] { throw 42; }, report);
  EXPECT_THAT(reported, ElementsAre("std::bad_alloc", "an exception of unknown type"));
  EXPECT_THAT(status.ToJsonFields(Clock::now()), HasSubstr("\"reloads_failed\":2"));

  RunReload(
      status, [&status] { status.Finished(true, true); }, report);
  EXPECT_THAT(status.ToJsonFields(Clock::now()),
              HasSubstr("\"reloads_ok\":2,\"reloads_failed\":2,\"last_reload_ok\":true,"
                        "\"config_file_ok\":true"));
}

// One warning for each reload that runs past the limit, however often it is checked; none for
// one that ends before it, or when none runs.
TEST(StuckReloadWarningTest, OncePerReloadRunningPastTheLimit) {
  StuckReloadWarning warning(30s);
  EXPECT_THAT(warning.Check(std::nullopt, kStart), ElementsAre());
  EXPECT_THAT(warning.Check(kStart, kStart + 29s), ElementsAre()) << "not yet";
  EXPECT_THAT(
      warning.Check(kStart, kStart + 31500ms),
      ElementsAre("Reload: the reload started 31 s ago is still running (a file it reads may be a "
                  "FIFO without a writer, or on a network file system that does not answer); it "
                  "ends once the file answers, and a stop does not wait for it longer than "
                  "shutdown_timeout_seconds"));
  EXPECT_THAT(warning.Check(kStart, kStart + 32s), ElementsAre()) << "said once";
  EXPECT_THAT(warning.Check(kStart, kStart + 1h), ElementsAre()) << "said once";
  EXPECT_THAT(warning.Check(std::nullopt, kStart + 1h), ElementsAre());

  const Clock::time_point next = kStart + 2h;  // a reload that ends in time: no warning
  EXPECT_THAT(warning.Check(next, next + 1s), ElementsAre());
  EXPECT_THAT(warning.Check(std::nullopt, next + 31s), ElementsAre());

  const Clock::time_point stuck = kStart + 3h;  // another stuck one is said again
  EXPECT_THAT(warning.Check(stuck, stuck + 30s), ElementsAre(HasSubstr("started 30 s ago")));
  EXPECT_THAT(warning.Check(stuck, stuck + 60s), ElementsAre());
}

}  // namespace
}  // namespace callgate::server
