#include "app/logging.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
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

// LogSpaceWarning: app.log and access.log, each up to log_backup_count + 1 files of
// log_max_bytes, less what they take now, against what the file system has left.
TEST(LogSpaceWarningTest, WarnsWhenTheLogFilesCanOutgrowTheFileSystem) {
  Result<config::Config> config =
      config::ParseConfig("log_dir: logs\nlog_max_bytes: 1024\nlog_backup_count: 4\n", "c.yaml");
  ASSERT_TRUE(config.ok());
  // At most 2 × 5 × 1024 = 10,240 bytes.
  EXPECT_FALSE(LogSpaceWarning(*config, {.available = 10240, .used = 0}));
  EXPECT_TRUE(LogSpaceWarning(*config, {.available = 10239, .used = 0}));
  EXPECT_FALSE(LogSpaceWarning(*config, {.available = 9240, .used = 1000}));
  EXPECT_TRUE(LogSpaceWarning(*config, {.available = 9239, .used = 1000}));
  EXPECT_FALSE(LogSpaceWarning(*config, {.available = 0, .used = 10240}));
  EXPECT_FALSE(LogSpaceWarning(*config, {.available = 0, .used = 20000})) << "backups left over";

  const std::optional<Error> warning =
      LogSpaceWarning(*config, {.available = 3 * 1024 * 1024, .used = 1536});
  Result<config::Config> big = config::ParseConfig(
      "log_dir: /var/log/callgate\nlog_max_bytes: 104857600\nlog_backup_count: 20\n", "c.yaml");
  ASSERT_TRUE(big.ok());
  const std::optional<Error> big_warning =
      LogSpaceWarning(*big, {.available = 3 * 1024 * 1024, .used = 1536});
  ASSERT_TRUE(big_warning.has_value());
  EXPECT_EQ(big_warning->ToString(),
            "c.yaml:1: key 'log_dir': its file system has 3.0 MiB free, and the log files can take "
            "4.1 GiB more (app.log and access.log are each up to 21 files of log_max_bytes, 100.0 "
            "MiB, and take 1.5 KiB now): once it is full, log lines are lost (/health counts them "
            "as log_lines_lost); make room, or lower log_max_bytes or log_backup_count");
  EXPECT_FALSE(warning.has_value()) << "10,240 bytes fit in 3 MiB";

  Result<config::Config> no_files = config::ParseConfig("log_max_bytes: 1099511627776\n", "c.yaml");
  ASSERT_TRUE(no_files.ok());
  EXPECT_FALSE(LogSpaceWarning(*no_files, {.available = 0, .used = 0})) << "no log_dir";
}

// A temporary directory, removed with what it holds.
class LogDir {
 public:
  LogDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "callgate-logspace-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~LogDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  void Write(const std::string& name, std::size_t bytes) const {
    std::ofstream(path_ / name) << std::string(bytes, 'x');
  }

 private:
  std::filesystem::path path_;
};

TEST(LogSpaceTest, CountsTheLogFilesAndTheirBackupsOnly) {
  const LogDir dir;
  ASSERT_FALSE(dir.path().empty());
  dir.Write("app.log", 100);
  dir.Write("app.1.log", 50);
  dir.Write("app.3.log", 7);
  dir.Write("access.log", 10);
  dir.Write("access.4.log", 1000);  // past log_backup_count: not one of callgate's
  dir.Write("other.log", 5000);
  Result<config::Config> config =
      config::ParseConfig("log_dir: " + dir.path().string() + "\nlog_backup_count: 3\n", "c.yaml");
  ASSERT_TRUE(config.ok());
  const std::optional<LogSpace> space = MeasureLogSpace(*config);
  ASSERT_TRUE(space.has_value());
  EXPECT_EQ(space->used, 167U);
  EXPECT_GT(space->available, 0U);

  Result<config::Config> missing =
      config::ParseConfig("log_dir: " + (dir.path() / "not" / "yet").string() + "\n", "c.yaml");
  ASSERT_TRUE(missing.ok());
  const std::optional<LogSpace> ancestor = MeasureLogSpace(*missing);
  ASSERT_TRUE(ancestor.has_value()) << "measured where serve would create it";
  EXPECT_EQ(ancestor->used, 0U);
  EXPECT_GT(ancestor->available, 0U);

  Result<config::Config> none = config::ParseConfig("log_level: INFO\n", "c.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(MeasureLogSpace(*none).has_value());
}

}  // namespace
}  // namespace callgate::app
