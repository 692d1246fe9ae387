// The subcommands. Each returns the process exit code: 0 on success, 1 on any error (the error
// is printed to stderr, naming the file, line and key when it comes from a file).
#pragma once

#include "app/command_line.h"

namespace callgate::app {

int RunServe(const CommandLine& command_line);
int RunCheck(const CommandLine& command_line);
int RunLookup(const CommandLine& command_line);

}  // namespace callgate::app
