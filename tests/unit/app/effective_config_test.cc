#include "app/effective_config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callgate::app {
namespace {

namespace fs = std::filesystem;

struct SourceCase {
  ConfigNamedBy named_by;
  std::string file;      // in the test's directory: "missing.yaml", "a-directory" or "bad.yaml"
  std::string expected;  // the error's text after the file's path
};

void PrintTo(const SourceCase& c, std::ostream* os) {
  *os << static_cast<int>(c.named_by) << " " << c.file;
}

class LoadEffectiveConfigTest : public ::testing::TestWithParam<SourceCase> {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "callgate-config-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::create_directory(dir_ / "a-directory");
    std::ofstream(dir_ / "bad.yaml") << "listen_prot: 1\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

// An error about the file as a whole says what named it, when --config did not: CONFIG_FILE may
// have been set long ago, somewhere the reader of the error does not look.
TEST_P(LoadEffectiveConfigTest, SaysWhatNamedAFileItCannotRead) {
  const SourceCase& c = GetParam();
  const std::string path = (dir_ / c.file).string();
  const auto config = LoadEffectiveConfig(ConfigSource{path, "", c.named_by});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().ToString(), ::testing::StartsWith(path + c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    All, LoadEffectiveConfigTest,
    ::testing::Values(
        SourceCase{ConfigNamedBy::kCommandLine, "missing.yaml",
                   ": cannot open the configuration file: No such file or directory"},
        SourceCase{ConfigNamedBy::kEnvironment, "missing.yaml",
                   ": cannot open the configuration file: No such file or directory (named by "
                   "the environment variable CONFIG_FILE)"},
        SourceCase{ConfigNamedBy::kEnvironment, "a-directory",
                   ": cannot read the configuration file: it is a directory (named by the "
                   "environment variable CONFIG_FILE)"},
        SourceCase{ConfigNamedBy::kDefault, "missing.yaml",
                   ": cannot open the configuration file: No such file or directory (neither "
                   "--config nor CONFIG_FILE names a file, so callgate looked for it in the "
                   "working directory"},
        // An error at a line of a file that was read: the file is found, and only the line
        // matters.
        SourceCase{ConfigNamedBy::kEnvironment, "bad.yaml",
                   ":1: key 'listen_prot': unknown key; did you mean 'listen_port'?"}));

// StartsWith cannot see what follows: nothing, for every file named by --config, or read.
TEST_F(LoadEffectiveConfigTest, SaysNothingMoreOfAFileNamedOnTheCommandLine) {
  const std::string path = (dir_ / "missing.yaml").string();
  const auto config = LoadEffectiveConfig(ConfigSource{path, "", ConfigNamedBy::kCommandLine});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().ToString(),
            path + ": cannot open the configuration file: No such file or directory");
  const std::string bad = (dir_ / "bad.yaml").string();
  const auto read = LoadEffectiveConfig(ConfigSource{bad, "", ConfigNamedBy::kEnvironment});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().ToString(),
            bad + ":1: key 'listen_prot': unknown key; did you mean 'listen_port'?");
}

}  // namespace
}  // namespace callgate::app
