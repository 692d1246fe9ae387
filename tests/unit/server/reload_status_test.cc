#include "server/reload_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace callgate::server {
namespace {

using namespace std::chrono_literals;
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
  EXPECT_THAT(status.ToJsonFields(kStart + 5s), HasSubstr("\"reload_running_seconds\":5"))
      << "running until the handler has returned";
  status.Ended();
  EXPECT_EQ(status.RunningSince(), std::nullopt);
  EXPECT_THAT(status.ToJsonFields(kStart + 5s), HasSubstr("\"reload_running_seconds\":0"));
}

}  // namespace
}  // namespace callgate::server
