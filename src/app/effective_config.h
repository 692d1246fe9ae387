// The configuration the command line, the environment and the file add up to.
#pragma once

#include <string>

#include "app/command_line.h"
#include "common/result.h"
#include "config/config.h"

namespace callgate::app {

// What named the configuration file: --config, the CONFIG_FILE environment variable, or neither
// (./config.yaml).
enum class ConfigNamedBy { kCommandLine, kEnvironment, kDefault };

// Where the configuration comes from: the file ConfigPath() names and the LOG_LEVEL value, taken
// from the command line and the environment once, so that reading the file again (at a reload)
// reads the same file the same way.
struct ConfigSource {
  std::string path;
  std::string log_level_env;  // empty: not set
  ConfigNamedBy named_by = ConfigNamedBy::kCommandLine;
};

// Reads the environment: call it before any thread runs.
ConfigSource ResolveConfigSource(const CommandLine& command_line);

// Reads the file `source` names and applies its LOG_LEVEL. An error about the file as a whole
// (line 0: missing, unreadable) says what named it when that was not --config: CONFIG_FILE, which
// the reader of the error may not know is set, or nothing (then where callgate looked, and how to
// name a file). Thread-safe.
Result<config::Config> LoadEffectiveConfig(const ConfigSource& source);

// Both of the above.
Result<config::Config> LoadEffectiveConfig(const CommandLine& command_line);

// Why serve would refuse to start with `config`, which loaded: the first of the secure-by-default
// refusals (config::ValidateSecurity), else a ca_bundle_path that is a file callgate reads or
// writes (CheckCaBundlePath, ca_bundle.h). Reads the file system, creates nothing; thread-safe.
Status StartRefusal(const config::Config& config);

// Prints "callgate: <error>" to stderr, a line for each error (Error::more too); returns 1 for
// `return PrintError(...)`.
int PrintError(const Error& error);

}  // namespace callgate::app
