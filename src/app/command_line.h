// The command line: `callgate [serve] [--config FILE]`,
// `callgate check [--strict] [--config FILE]`, `callgate lookup [--config FILE] [--] NUMBER`,
// `--help` (or `-h`), `--version`. Options may come before or after the command; `-c FILE` and
// `--config=FILE` are `--config FILE`; `--` ends the options, so that a NUMBER may start with '-'.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace callgate::app {

enum class Command { kServe, kCheck, kLookup, kHelp, kVersion };

struct CommandLine {
  Command command = Command::kServe;
  std::string config_path;  // empty: CONFIG_FILE, else ./config.yaml
  std::string number;       // lookup only, and then never empty
  bool strict = false;      // check only: warnings fail the check too
};

// An error (for a usage message and exit status 2) on an unknown command or option, a missing
// or empty --config FILE or lookup NUMBER, or an argument the command does not take.
Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// The --help text.
std::string Usage();

// --config, else the CONFIG_FILE value when non-empty, else "config.yaml".
std::string ConfigPath(const CommandLine& command_line, const char* config_file_env);

}  // namespace callgate::app
