// The subcommands. Each returns the process exit code: 0 on success, 1 on any error, whose
// message names the file, line and key when it comes from a file. serve and lookup write their
// errors to stderr (serve, once its logging runs, to its logs: the console, which is stderr, and
// app.log); check writes its whole report to stdout, errors included, so that `check > report`
// keeps them with the verdict. lookup's success is any answer, "no entry" and "not a phone
// number" included; its 1 is a configuration or directory file it cannot use.
#pragma once

#include "app/command_line.h"

namespace callgate::app {

int RunServe(const CommandLine& command_line);
int RunCheck(const CommandLine& command_line);
int RunLookup(const CommandLine& command_line);

}  // namespace callgate::app
