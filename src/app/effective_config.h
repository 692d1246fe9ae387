// The configuration the command line, the environment and the file add up to.
#pragma once

#include "app/command_line.h"
#include "common/result.h"
#include "config/config.h"

namespace callgate::app {

// Reads the file ConfigPath() names and applies LOG_LEVEL.
Result<config::Config> LoadEffectiveConfig(const CommandLine& command_line);

// Prints "callgate: <error>" to stderr; returns 1 for `return PrintError(...)`.
int PrintError(const Error& error);

}  // namespace callgate::app
