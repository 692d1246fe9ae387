#include "app/command_line.h"

#include <utility>

namespace callgate::app {
namespace {

Result<Command> ParseCommand(const std::string& word) {
  if (word == "serve") return Command::kServe;
  if (word == "check") return Command::kCheck;
  if (word == "lookup") return Command::kLookup;
  return Error{"unknown command '" + word + "' (see callgate --help)"};
}

}  // namespace

std::string Usage() {
  return R"(Usage:
  callgate [serve] [--config FILE]        serve CURRI requests until SIGTERM/SIGINT
  callgate check [--strict] [--config FILE]
                                          validate the configuration and data files;
                                          --strict: fail on warnings too
  callgate lookup [--config FILE] NUMBER  show what a call from NUMBER would get, and why
  callgate --help | --version

The configuration file is --config FILE, else $CONFIG_FILE, else ./config.yaml.
$LOG_LEVEL (DEBUG, INFO, WARNING, ERROR) overrides log_level.
SIGHUP reloads the phone directory and the TLS certificate, key and CA files.
)";
}

Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine result;
  bool have_command = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return CommandLine{Command::kHelp, "", ""};
    if (arg == "--version") return CommandLine{Command::kVersion, "", ""};
    if (arg == "--config" || arg == "-c" || arg.starts_with("--config=")) {
      // An empty name (an unset shell variable) would silently fall back to $CONFIG_FILE or
      // ./config.yaml: a check of the wrong file that passes.
      std::string path;
      if (arg.starts_with("--config=")) {
        path = arg.substr(9);
      } else if (i + 1 < args.size()) {
        path = args[++i];
      }
      if (path.empty()) return Error{"--config needs a file name"};
      // `check --config --strict` would read a file named "--strict" and not be strict.
      if (path.starts_with("--")) return Error{"--config needs a file name, not '" + path + "'"};
      // Given twice (an alias and a script's own), which one is meant is not clear.
      if (!result.config_path.empty()) return Error{"--config is given more than once"};
      result.config_path = std::move(path);
    } else if (arg == "--strict") {
      result.strict = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Error{"unknown option '" + arg + "' (see callgate --help)"};
    } else if (!have_command) {
      auto command = ParseCommand(arg);
      if (!command) return command.error();
      result.command = command.value();
      have_command = true;
    } else if (result.command == Command::kLookup && result.number.empty()) {
      result.number = arg;
    } else if (result.command == Command::kLookup) {
      return Error{"unexpected argument '" + arg +
                   "': lookup takes one NUMBER; quote a number that has spaces, e.g. "
                   "callgate lookup '+1 408 555 0101'"};
    } else {
      return Error{"unexpected argument '" + arg + "' (see callgate --help)"};
    }
  }
  if (result.strict && result.command != Command::kCheck) {
    return Error{"--strict applies to callgate check only"};
  }
  if (result.command == Command::kLookup && result.number.empty()) {
    return Error{"lookup needs a NUMBER (e.g. callgate lookup +14085550101)"};
  }
  return result;
}

std::string ConfigPath(const CommandLine& command_line, const char* config_file_env) {
  if (!command_line.config_path.empty()) return command_line.config_path;
  if (config_file_env != nullptr && *config_file_env != '\0') return config_file_env;
  return "config.yaml";
}

}  // namespace callgate::app
