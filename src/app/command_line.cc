#include "app/command_line.h"

#include <utility>

namespace callgate::app {
namespace {

// The arguments read so far.
struct Parser {
  CommandLine result;
  bool have_command = false;
  bool have_number = false;
  bool options_ended = false;  // after "--" every argument is a command or a NUMBER
};

Result<Command> ParseCommand(const std::string& word) {
  if (word == "serve") return Command::kServe;
  if (word == "check") return Command::kCheck;
  if (word == "lookup") return Command::kLookup;
  return Error{"unknown command '" + word + "' (see callgate --help)"};
}

// --config FILE, -c FILE or --config=FILE; `i` is left on the last argument it took.
Status TakeConfig(const std::vector<std::string>& args, std::size_t& i, Parser& parser) {
  const std::string& arg = args[i];
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
  if (!parser.result.config_path.empty()) return Error{"--config is given more than once"};
  parser.result.config_path = std::move(path);
  return OkStatus();
}

// The command, then (for lookup) its NUMBER.
Status TakePositional(const std::string& arg, Parser& parser) {
  if (!parser.have_command) {
    auto command = ParseCommand(arg);
    if (!command) return command.error();
    parser.result.command = command.value();
    parser.have_command = true;
    return OkStatus();
  }
  if (parser.result.command != Command::kLookup) {
    return Error{"unexpected argument '" + arg + "' (see callgate --help)"};
  }
  if (parser.have_number) {
    return Error{"unexpected argument '" + arg +
                 "': lookup takes one NUMBER; quote a number that has spaces, e.g. "
                 "callgate lookup '+1 408 555 0101'"};
  }
  // As with --config: an unset shell variable must not let the next argument be the NUMBER.
  if (arg.empty()) return Error{"lookup needs a NUMBER, not an empty argument"};
  parser.result.number = arg;
  parser.have_number = true;
  return OkStatus();
}

// What holds only once every argument is read.
Status CheckComplete(const Parser& parser) {
  if (parser.result.strict && parser.result.command != Command::kCheck) {
    return Error{"--strict applies to callgate check only"};
  }
  if (parser.result.command == Command::kLookup && !parser.have_number) {
    return Error{"lookup needs a NUMBER (e.g. callgate lookup +14085550101)"};
  }
  return OkStatus();
}

}  // namespace

std::string Usage() {
  return R"(Usage:
  callgate [serve] [--config FILE]        serve CURRI requests until SIGTERM/SIGINT
  callgate check [--strict] [--config FILE]
                                          check what serve would load, write and listen on,
                                          without serving (the configured ports are not
                                          tried); --strict: fail on warnings too
  callgate lookup [--config FILE] [--] NUMBER
                                          show what a call from NUMBER would get, and why
  callgate --help | -h                    this text (also after a command)
  callgate --version

Options may come before or after the command. -c FILE and --config=FILE are --config FILE.
-- ends the options: what follows is the command or NUMBER (callgate lookup -- -1001).
The configuration file is --config FILE, else $CONFIG_FILE, else ./config.yaml.
$LOG_LEVEL overrides log_level: DEBUG, INFO, WARNING or ERROR, in any case
(WARN and CRITICAL are WARNING and ERROR).
SIGHUP reloads the phone directory, the TLS certificate, key and CA files, and the
configuration file's clusters, TLS keys and log_level (other keys need a restart).
)";
}

Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  Parser parser;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    Status taken = OkStatus();
    if (parser.options_ended || arg.empty() || arg[0] != '-') {
      taken = TakePositional(arg, parser);
    } else if (arg == "--") {
      parser.options_ended = true;
    } else if (arg == "--help" || arg == "-h") {
      return CommandLine{Command::kHelp, "", ""};
    } else if (arg == "--version") {
      return CommandLine{Command::kVersion, "", ""};
    } else if (arg == "--config" || arg == "-c" || arg.starts_with("--config=")) {
      taken = TakeConfig(args, i, parser);
    } else if (arg == "--strict") {
      parser.result.strict = true;
    } else {
      return Error{"unknown option '" + arg + "' (see callgate --help)"};
    }
    if (!taken) return taken.error();
  }
  if (Status complete = CheckComplete(parser); !complete) return complete.error();
  return parser.result;
}

std::string ConfigPath(const CommandLine& command_line, const char* config_file_env) {
  if (!command_line.config_path.empty()) return command_line.config_path;
  if (config_file_env != nullptr && *config_file_env != '\0') return config_file_env;
  return "config.yaml";
}

}  // namespace callgate::app
