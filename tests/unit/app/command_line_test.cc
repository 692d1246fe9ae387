#include "app/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace callgate::app {
namespace {

TEST(CommandLineTest, ParsesEveryForm) {
  struct Case {
    std::vector<std::string> args;
    Command command;
    std::string config;
    std::string number;
  };
  const std::vector<Case> cases = {
      {{}, Command::kServe, "", ""},
      {{"--config", "a.yaml"}, Command::kServe, "a.yaml", ""},
      {{"serve", "-c", "a.yaml"}, Command::kServe, "a.yaml", ""},
      {{"check", "--config=b.yaml"}, Command::kCheck, "b.yaml", ""},
      {{"--config", "c.yaml", "check"}, Command::kCheck, "c.yaml", ""},
      {{"lookup", "+14085550101"}, Command::kLookup, "", "+14085550101"},
      {{"lookup", "--config", "d.yaml", "5000"}, Command::kLookup, "d.yaml", "5000"},
      {{"check", "--help"}, Command::kHelp, "", ""},
      {{"--version"}, Command::kVersion, "", ""},
      {{"-h"}, Command::kHelp, "", ""},
      // After "--" every argument is the command or the NUMBER, even one that starts with '-'.
      {{"lookup", "--", "-1001"}, Command::kLookup, "", "-1001"},
      {{"lookup", "-c", "d.yaml", "--", "--help"}, Command::kLookup, "d.yaml", "--help"},
      {{"--", "lookup", "--config"}, Command::kLookup, "", "--config"},
      {{"-c", "a.yaml", "check", "--"}, Command::kCheck, "a.yaml", ""},
      {{"--"}, Command::kServe, "", ""},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCommandLine(c.args);
    ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(c.args);
    EXPECT_EQ(parsed->command, c.command);
    EXPECT_EQ(parsed->config_path, c.config);
    EXPECT_EQ(parsed->number, c.number);
    EXPECT_FALSE(parsed->strict);
  }
}

TEST(CommandLineTest, StrictBelongsToCheck) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"check", "--strict"},
                                                                {"--strict", "check", "-c", "a"}}) {
    auto parsed = ParseCommandLine(args);
    ASSERT_TRUE(parsed.ok()) << ::testing::PrintToString(args);
    EXPECT_EQ(parsed->command, Command::kCheck);
    EXPECT_TRUE(parsed->strict);
  }
}

TEST(CommandLineTest, RejectsWhatItDoesNotKnow) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--config"}, "--config needs a file name"},
      // An empty name (`--config "$UNSET"`) must not fall back to another file.
      {{"check", "--config", ""}, "--config needs a file name"},
      {{"check", "--config="}, "--config needs a file name"},
      {{"-c", "a.yaml", "check", "-c"}, "--config needs a file name"},
      {{"check", "--config", "--strict"}, "--config needs a file name, not '--strict'"},
      {{"-c", "a.yaml", "check", "--config=b.yaml"}, "--config is given more than once"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"--verbose"}, "unknown option '--verbose'"},
      {{"lookup"}, "lookup needs a NUMBER"},
      // An empty NUMBER (`lookup "$UNSET" 1001`) is not skipped for the next argument.
      {{"lookup", "", "1001"}, "lookup needs a NUMBER, not an empty argument"},
      {{"lookup", "--", ""}, "lookup needs a NUMBER, not an empty argument"},
      {{"lookup", "--"}, "lookup needs a NUMBER"},
      {{"lookup", "-+14085550101"}, "unknown option '-+14085550101'"},
      {{"lookup", "--", "1", "--"}, "unexpected argument '--': lookup takes one NUMBER"},
      {{"check", "--", "--strict"}, "unexpected argument '--strict'"},
      {{"--", "--help"}, "unknown command '--help'"},
      {{"lookup", "1", "2"}, "unexpected argument '2'"},
      // `callgate lookup +1 408 555 0101`: the shell split the number.
      {{"lookup", "+1", "408"}, "'408': lookup takes one NUMBER; quote a number that has spaces"},
      {{"check", "extra"}, "unexpected argument 'extra'"},
      {{"--strict"}, "--strict applies to callgate check only"},
      {{"lookup", "--strict", "5000"}, "--strict applies to callgate check only"},
  };
  for (const auto& [args, message] : cases) {
    auto parsed = ParseCommandLine(args);
    ASSERT_FALSE(parsed.ok()) << ::testing::PrintToString(args);
    EXPECT_NE(parsed.error().message.find(message), std::string::npos) << parsed.error().message;
  }
}

TEST(CommandLineTest, ConfigPathPrecedence) {
  CommandLine with_flag;
  with_flag.config_path = "flag.yaml";
  EXPECT_EQ(ConfigPath(with_flag, "env.yaml"), "flag.yaml");
  EXPECT_EQ(ConfigPath(CommandLine{}, "env.yaml"), "env.yaml");
  EXPECT_EQ(ConfigPath(CommandLine{}, ""), "config.yaml");
  EXPECT_EQ(ConfigPath(CommandLine{}, nullptr), "config.yaml");
}

// --help says which LOG_LEVEL values are accepted: each spelling it names is.
TEST(CommandLineTest, UsageSaysWhichLogLevelsAreAccepted) {
  EXPECT_THAT(Usage(), ::testing::HasSubstr(
                           "$LOG_LEVEL overrides log_level: DEBUG, INFO, WARNING or ERROR, in any "
                           "case\n(WARN and CRITICAL are WARNING and ERROR).\n"));
  for (const char* spelling : {"DEBUG", "info", "Warning", "ERROR", "warn", "Critical"}) {
    config::Config config;
    EXPECT_TRUE(config::ApplyEnvironment(config, spelling).ok()) << spelling;
  }
}

}  // namespace
}  // namespace callgate::app
