// callgate: a call-screening and caller-name policy server (Cisco CURRI). See README.md.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/commands.h"
#include "app/effective_config.h"

namespace {

// A command whose report could not be written (a full disk, `> /dev/full`, a pipe whose reader
// went away: SIGPIPE is ignored, so that is an error here too) has failed, whatever it found: a
// script reading the report would otherwise read half of one.
int ReportWritten(int status) {
  std::cout.flush();
  if (!std::cout.fail()) return status;
  std::cerr << "callgate: could not write to standard output\n";
  return status != 0 ? status : 1;
}

}  // namespace

int main(int argc, char** argv) {
  using callgate::app::Command;
  std::signal(SIGPIPE, SIG_IGN);  // NOLINT: a closed reader is a failed write, not a signal
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto command_line = callgate::app::ParseCommandLine(args);
  if (!command_line) {
    callgate::app::PrintError(command_line.error());
    std::cerr << callgate::app::Usage();
    return 2;
  }
  switch (command_line->command) {
    case Command::kHelp:
      std::cout << callgate::app::Usage();
      return ReportWritten(0);
    case Command::kVersion:
      std::cout << "callgate " << CALLGATE_VERSION << "\n";
      return ReportWritten(0);
    case Command::kCheck:
      return ReportWritten(callgate::app::RunCheck(*command_line));
    case Command::kLookup:
      return ReportWritten(callgate::app::RunLookup(*command_line));
    case Command::kServe:
      return callgate::app::RunServe(*command_line);
  }
  return 2;
}
