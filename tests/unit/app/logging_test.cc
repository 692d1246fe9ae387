#include "app/logging.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

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

// RotationCostWarning: below 4 KiB of log_max_bytes per backup, with log files to rotate.
struct RotationCase {
  std::string yaml;
  bool warns;
};

void PrintTo(const RotationCase& c, std::ostream* os) { *os << c.yaml; }

class RotationCostWarningTest : public testing::TestWithParam<RotationCase> {};

TEST_P(RotationCostWarningTest, WarnsBelowFourKibibytesPerBackup) {
  Result<config::Config> config = config::ParseConfig(GetParam().yaml, "c.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(RotationCostWarning(*config).has_value(), GetParam().warns) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(
    All, RotationCostWarningTest,
    testing::Values(
        RotationCase{"log_dir: logs\n", false},                          // 10 MiB, 5 backups
        RotationCase{"log_dir: logs\nlog_backup_count: 1000\n", false},  // 10 MiB still
        RotationCase{"log_dir: logs\nlog_max_bytes: 20480\n", false},    // 5 × 4 KiB
        RotationCase{"log_dir: logs\nlog_max_bytes: 20479\n", true},
        RotationCase{"log_dir: logs\nlog_max_bytes: 1024\nlog_backup_count: 1\n", true},
        RotationCase{"log_dir: logs\nlog_max_bytes: 4096000\nlog_backup_count: 1000\n", false},
        RotationCase{"log_dir: logs\nlog_max_bytes: 4095999\nlog_backup_count: 1000\n", true},
        RotationCase{"log_max_bytes: 1024\nlog_backup_count: 1000\n", false}));  // no files

TEST(RotationCostWarningTest, NamesTheCostAndTheSizeThatAvoidsIt) {
  Result<config::Config> config =
      config::ParseConfig("log_dir: logs\nlog_backup_count: 1000\nlog_max_bytes: 4096\n", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const std::optional<Error> warning = RotationCostWarning(*config);
  ASSERT_TRUE(warning.has_value());
  EXPECT_EQ(warning->ToString(),
            "c.yaml:3: key 'log_max_bytes': 4096 bytes is small for log_backup_count (1000): at "
            "INFO, app.log is rotated about every 25 calls and access.log every 58, and each "
            "rotation renames up to 1000 files while calls wait for their log lines; keep "
            "log_max_bytes at least 4096 bytes per backup (4096000 here), or fewer backups");
}

TEST(LogWarningsTest, GathersEveryLogWarning) {
  Result<config::Config> quiet = config::ParseConfig("log_dir: logs\n", "c.yaml");
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE(LogWarnings(*quiet).empty());
  Result<config::Config> config = config::ParseConfig(
      "log_dir: logs\nlog_max_bytes: 1024\nconsole_log_level: ERROR\n", "c.yaml");
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(LogWarnings(*config).size(), 1U) << "app.log keeps the levels: one warning";
  EXPECT_EQ(LogWarnings(*config)[0].key, "log_max_bytes");
  Result<config::Config> no_files =
      config::ParseConfig("log_dir:\nlog_max_bytes: 1024\nconsole_log_level: ERROR\n", "c.yaml");
  ASSERT_TRUE(no_files.ok());
  const std::vector<Error> warnings = LogWarnings(*no_files);
  ASSERT_EQ(warnings.size(), 1U) << "without log_dir nothing is rotated, and levels are lost";
  EXPECT_EQ(warnings[0].key, "console_log_level");
}

}  // namespace
}  // namespace callgate::app
