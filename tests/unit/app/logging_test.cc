#include "app/logging.h"

#include <optional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace callgate::app {
namespace {

struct UnwrittenCase {
  std::string yaml;
  std::optional<std::string> warning;  // its ToString(); nullopt: none
};

void PrintTo(const UnwrittenCase& c, std::ostream* os) { *os << c.yaml; }

class UnwrittenLevelsWarningTest : public testing::TestWithParam<UnwrittenCase> {};

TEST_P(UnwrittenLevelsWarningTest, WarnsOnlyWhenLinesReachNoOutput) {
  Result<config::Config> config = config::ParseConfig(GetParam().yaml, "c.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const std::optional<Error> warning = UnwrittenLevelsWarning(*config);
  const std::optional<std::string> text =
      warning ? std::optional<std::string>(warning->ToString()) : std::nullopt;
  EXPECT_EQ(text, GetParam().warning) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(
    All, UnwrittenLevelsWarningTest,
    testing::Values(
        UnwrittenCase{"", std::nullopt},
        UnwrittenCase{"console_log_level: INFO\n", std::nullopt},   // the same as log_level
        UnwrittenCase{"console_log_level: DEBUG\n", std::nullopt},  // log_level still applies
        UnwrittenCase{"log_level: ERROR\nconsole_log_level: WARNING\n", std::nullopt},
        UnwrittenCase{"log_dir: logs\nconsole_log_level: ERROR\n", std::nullopt},  // app.log
        UnwrittenCase{"log_level: INFO\nconsole_log_level: WARNING\n",
                      "c.yaml:2: key 'console_log_level': INFO lines are written nowhere: "
                      "log_level (INFO) lets them through, this key keeps them off the console, "
                      "and log_dir is unset, so there is no app.log; set log_dir to keep them in "
                      "app.log, or log_level: WARNING if they are not wanted"},
        UnwrittenCase{"console_log_level: error\n",
                      "c.yaml:1: key 'console_log_level': INFO and WARNING lines are written "
                      "nowhere: log_level (INFO) lets them through, this key keeps them off the "
                      "console, and log_dir is unset, so there is no app.log; set log_dir to keep "
                      "them in app.log, or log_level: ERROR if they are not wanted"},
        UnwrittenCase{"log_level: DEBUG\nlog_dir:\nconsole_log_level: CRITICAL\n",
                      "c.yaml:3: key 'console_log_level': DEBUG, INFO and WARNING lines are "
                      "written nowhere: log_level (DEBUG) lets them through, this key keeps them "
                      "off the console, and log_dir is unset, so there is no app.log; set log_dir "
                      "to keep them in app.log, or log_level: ERROR if they are not wanted"}));

}  // namespace
}  // namespace callgate::app
