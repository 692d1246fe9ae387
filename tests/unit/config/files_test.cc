// LoadConfig on real files, and the shipped files: config/config.example.yaml must parse, show
// the defaults and mention every key; docs/configuration.md must give every key with the code's
// default and integer range; config/dev.yaml must be the runnable demo.
#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

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

// The rows of docs/configuration.md's key tables ("| `key` | default | valid values | meaning |"):
// key -> its cells after the key, trimmed. The cluster table's rows (no default) are included too.
std::map<std::string, std::vector<std::string>> DocumentedKeys() {
  static const std::regex kRow(R"(^\| `([a-z_]+)` \|(.*)\|\s*$)");
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream lines(ReadText(kSourceDir + "/docs/configuration.md"));
  for (std::string line; std::getline(lines, line);) {
    std::smatch row;
    if (!std::regex_match(line, row, kRow)) continue;
    std::vector<std::string>& cells = rows[row[1]];
    std::istringstream rest(row[2]);
    for (std::string cell; std::getline(rest, cell, '|');) {
      cells.push_back(std::regex_replace(cell, std::regex(R"(^\s+|\s+$)"), ""));
    }
  }
  return rows;
}

// `yaml` parsed, with its bookkeeping cleared so that it compares with Config{}.
Result<Config> ParseValues(const std::string& yaml) {
  Result<Config> config = ParseConfig(yaml, "docs/configuration.md");
  if (config.ok()) {
    config->file.clear();
    config->key_lines.clear();
  }
  return config;
}

TEST(ShippedFilesTest, ReferenceDefaultsAreTheDefaults) {
  const auto rows = DocumentedKeys();
  for (const std::string_view key : TopLevelKeys()) {
    const auto row = rows.find(std::string(key));
    ASSERT_NE(row, rows.end()) << "docs/configuration.md has no row for " << key;
    std::smatch value;  // the default is the row's first cell: `value` or unset
    ASSERT_TRUE(std::regex_search(row->second.at(0), value, std::regex("^`([^`]*)`|^unset$")))
        << "no default in docs/configuration.md's row for " << key;
    if (!value[1].matched) continue;
    const std::string yaml = row->first + ": " + value[1].str();
    Result<Config> config = ParseValues(yaml);
    ASSERT_TRUE(config.ok()) << config.error().ToString();
    EXPECT_EQ(config.value(), Config{})
        << "docs/configuration.md's default is not the code's: " << yaml;
  }
}

TEST(ShippedFilesTest, ReferenceRangesAreTheLimits) {
  int ranges = 0;
  for (const auto& [key, cells] : DocumentedKeys()) {
    std::smatch range;  // "valid values" (the second cell) such as "1 to 3600 (one hour)"
    if (cells.size() < 2 || !std::regex_search(cells[1], range, std::regex(R"(^(\d+) to (\d+))")))
      continue;
    ++ranges;
    const auto low = std::stoull(range[1]);
    const auto high = std::stoull(range[2]);
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
