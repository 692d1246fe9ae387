// LoadConfig on real files, and the shipped files: config/config.example.yaml must parse, show
// the defaults and mention every key; docs/configuration.md must give every key with the code's
// default and integer range; config/dev.yaml must be the runnable demo.
#include "config/config.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_stream.h"
#include "support/change_at_first_read.h"

namespace callgate::config {
namespace {

const std::string kSourceDir = CALLGATE_SOURCE_DIR;
const std::string kDataDir = std::string(CALLGATE_TEST_DATA) + "/config";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// True when a line of `text`, commented out or not, sets `key` ("key:" or "# key:").
bool MentionsKey(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::string_view rest = line;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '#')) rest.remove_prefix(1);
    if (rest.substr(0, key.size()) == key && rest.substr(key.size(), 1) == ":") return true;
  }
  return false;
}

TEST(LoadConfigTest, ReadsAFile) {
  Result<Config> config = LoadConfig(kDataDir + "/secure.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->file, kDataDir + "/secure.yaml");
  ASSERT_EQ(config->clusters.size(), 2u);
  EXPECT_EQ(config->clusters[1].name, "branch-office");
  EXPECT_EQ(config->clusters[1].line, 17);
  EXPECT_TRUE(ValidateSecurity(config.value()).ok());
}

TEST(LoadConfigTest, ErrorsNameTheFile) {
  Result<Config> config = LoadConfig(kDataDir + "/unknown_key.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().ToString(),
            kDataDir +
                "/unknown_key.yaml:4: key 'csv_filepath': unknown key; did you mean "
                "'csv_file_path'?");
}

TEST(LoadConfigTest, MissingFileIsAnErrorNamingIt) {
  const std::string path = kDataDir + "/does-not-exist.yaml";
  Result<Config> config = LoadConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().file, path);
  EXPECT_NE(config.error().ToString().find(path + ": cannot open the configuration file"),
            std::string::npos)
      << config.error().ToString();
}

// A reload puts clusters in force: a file caught while it is written (here with its second
// cluster still to come) is refused, not taken as the whole file.
TEST(LoadConfigTest, AFileThatChangedWhileItWasReadIsRefused) {
  if (!callgate::testing::ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("callgate-config-" + std::to_string(getpid()) + ".yaml"))
                               .string();
  const std::string first = "clusters:\n  hq:\n    allowed_ips: [10.0.0.1]\n";
  std::ofstream(path) << first;
  const callgate::testing::ChangeAtFirstRead writer(path, [&] {
    std::ofstream(path, std::ios::app) << "  branch:\n    allowed_ips: [10.1.0.1]\n";
  });
  Result<Config> config = LoadConfig(path);
  EXPECT_TRUE(writer.changed());
  ASSERT_FALSE(config.ok()) << "loaded with " << config->clusters.size() << " cluster(s)";
  EXPECT_EQ(config.error().file, path);
  EXPECT_TRUE(ChangedWhileRead(config.error())) << config.error().ToString();
  std::filesystem::remove(path);
  ASSERT_TRUE(LoadConfig(kDataDir + "/secure.yaml").ok()) << "a file left alone loads";
}

TEST(LoadConfigTest, DirectoryIsAnError) {
  Result<Config> config = LoadConfig(kDataDir);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().ToString().find("it is a directory"), std::string::npos);
}

TEST(ShippedFilesTest, ExampleParsesToTheDefaults) {
  Result<Config> config = LoadConfig(kSourceDir + "/config/config.example.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  Config values = config.value();
  values.file.clear();
  values.key_lines.clear();
  values.key_aliases.clear();
  EXPECT_EQ(values, Config{})
      << "a default documented in config.example.yaml differs from the code";
}

TEST(ShippedFilesTest, ExampleMentionsEveryKey) {
  const std::string text = ReadText(kSourceDir + "/config/config.example.yaml");
  ASSERT_FALSE(text.empty());
  for (const std::string_view key : TopLevelKeys()) {
    EXPECT_TRUE(MentionsKey(text, key)) << "config.example.yaml does not document " << key;
  }
  for (const std::string_view key : ClusterKeys()) {
    EXPECT_TRUE(MentionsKey(text, key)) << "config.example.yaml does not document " << key;
  }
}

TEST(ShippedFilesTest, ReferenceMentionsEveryKey) {
  const std::string text = ReadText(kSourceDir + "/docs/configuration.md");
  ASSERT_FALSE(text.empty());
  for (const auto& keys : {TopLevelKeys(), ClusterKeys()}) {
    for (const std::string_view key : keys) {
      EXPECT_NE(text.find("`" + std::string(key) + "`"), std::string::npos)
          << "docs/configuration.md does not document " << key;
    }
  }
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

// The rows of docs/configuration.md's key tables ("| `key` | default | valid values | meaning |"):
// key -> its cells after the key, trimmed. The cluster table's rows (no default) are included too.
// (Plain string handling: g++ 12's std::regex trips -Wmaybe-uninitialized in the sanitizer build.)
std::map<std::string, std::vector<std::string>> DocumentedKeys() {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines(ReadText(kSourceDir + "/docs/configuration.md"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto key_end = line.find("` |", 3);
    if (key_end == std::string::npos) continue;
    const std::string key = line.substr(3, key_end - 3);
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) continue;
    std::vector<std::string>& cells = rows[key];
    std::istringstream rest(line.substr(key_end + 3));
    for (std::string cell; std::getline(rest, cell, '|');) cells.push_back(Trim(cell));
  }
  return rows;
}

// The default in a row's first cell: "`value` (note)" -> "value"; "unset" -> nullopt.
std::optional<std::string> DefaultIn(const std::string& cell) {
  if (cell.size() < 2 || cell[0] != '`') return std::nullopt;
  return cell.substr(1, cell.find('`', 1) - 1);
}

// "low to high" at the start of a row's "valid values" cell, or nullopt.
std::optional<std::pair<std::uint64_t, std::uint64_t>> RangeIn(const std::string& cell) {
  std::istringstream in(cell);
  std::uint64_t low = 0;
  std::uint64_t high = 0;
  std::string to;
  if (!(in >> low >> to >> high) || to != "to") return std::nullopt;
  return std::pair{low, high};
}

// `yaml` parsed, with its bookkeeping cleared so that it compares with Config{}.
Result<Config> ParseValues(const std::string& yaml) {
  Result<Config> config = ParseConfig(yaml, "docs/configuration.md");
  if (config.ok()) {
    config->file.clear();
    config->key_lines.clear();
    config->key_aliases.clear();
  }
  return config;
}

TEST(ShippedFilesTest, ReferenceDefaultsAreTheDefaults) {
  const auto rows = DocumentedKeys();
  for (const std::string_view key : TopLevelKeys()) {
    const auto row = rows.find(std::string(key));
    ASSERT_NE(row, rows.end()) << "docs/configuration.md has no row for " << key;
    ASSERT_FALSE(row->second.empty()) << "docs/configuration.md's row for " << key;
    const std::string& cell = row->second.front();  // `value`, or unset
    const std::optional<std::string> value = DefaultIn(cell);
    ASSERT_TRUE(value || cell == "unset") << "no default in docs/configuration.md for " << key;
    if (!value) continue;
    const std::string yaml = row->first + ": " + *value;
    Result<Config> config = ParseValues(yaml);
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    EXPECT_EQ(config.value(), Config{})
        << "docs/configuration.md's default is not the code's: " << yaml;
  }
}

TEST(ShippedFilesTest, ReferenceRangesAreTheLimits) {
  int ranges = 0;
  for (const auto& [key, cells] : DocumentedKeys()) {
    // "valid values", the second cell, such as "1 to 3600" or "1024 to 16777216 (16 MiB)"
    const auto range = cells.size() < 2 ? std::nullopt : RangeIn(cells[1]);
    if (!range) continue;
    ++ranges;
    const auto [low, high] = *range;
    EXPECT_TRUE(ParseValues(key + ": " + std::to_string(low)).ok()) << key << ": " << low;
    EXPECT_TRUE(ParseValues(key + ": " + std::to_string(high)).ok()) << key << ": " << high;
    if (low > 0) {
      EXPECT_FALSE(ParseValues(key + ": " + std::to_string(low - 1)).ok())
          << key << ": " << low - 1;
    }
    EXPECT_FALSE(ParseValues(key + ": " + std::to_string(high + 1)).ok())
        << key << ": " << high + 1;
  }
  EXPECT_GE(ranges, 10) << "the integer keys' rows in docs/configuration.md were not found";
}

TEST(ShippedFilesTest, DevConfigIsTheInsecureLoopbackDemo) {
  Result<Config> config = LoadConfig(kSourceDir + "/config/dev.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_TRUE(config->insecure_mode);
  EXPECT_EQ(config->listen, (Endpoint{"127.0.0.1", 5000}));
  EXPECT_EQ(config->admin_listen, (Endpoint{"127.0.0.1", 5001}));
  EXPECT_EQ(config->csv_file_path, "data/phone_directory.csv");
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
  EXPECT_TRUE(ValidateSecurity(config.value()).ok());
}

}  // namespace
}  // namespace callgate::config
