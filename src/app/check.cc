// `callgate check`: everything `serve` would load, without serving, and whether it could write
// its log files; a summary on stdout with every warning serve would log at start-up. Fails on
// errors (with `check: FAILED` as the last line), and with --strict on warnings.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/ca_bundle.h"
#include "app/commands.h"
#include "app/effective_config.h"
#include "app/logging.h"
#include "app/security_loader.h"
#include "app/snapshot_loader.h"
#include "security/peer_authorizer.h"
#include "security/tls_context.h"
#include "server/descriptors.h"
#include "server/reminder.h"
#include "server/security_state.h"
#include "server/server.h"

namespace callgate::app {
namespace {

// Each returns how many warnings it found (the directory prints only the first ones).
std::size_t PrintDirectory(const LoadedSnapshot& loaded) {
  const auto& snapshot = *loaded.snapshot;
  std::cout << "directory: " << snapshot.directory_path << ": "
            << snapshot.directory.exact_entries() << " exact and "
            << snapshot.directory.prefix_entries() << " prefix entries from " << loaded.rows
            << " rows in " << loaded.took.count() << " ms, " << loaded.warning_count
            << " warning(s)\n";
  for (const auto& warning : loaded.warnings) {
    std::cout << "  warning: " << snapshot.directory_path << ":" << warning.line << ": "
              << warning.message << "\n";
  }
  if (loaded.warning_count > loaded.warnings.size()) {
    std::cout << "  warning: " << snapshot.directory_path << ": "
              << loaded.warning_count - loaded.warnings.size()
              << " more warnings not shown (the first " << loaded.warnings.size() << " are)\n";
  }
  return loaded.warning_count;
}

std::size_t PrintSecurity(const config::Config& config, const server::SecurityState& state) {
  std::cout << "security: " << (state.tls ? "TLS" : "plain HTTP") << ", " << config.clusters.size()
            << " cluster(s)";
  if (state.tls && state.tls->requires_client_certificate())
    std::cout << ", client certificates required";
  if (config.insecure_mode) std::cout << ", insecure_mode (development only)";
  std::cout << "\n";
  std::size_t warnings = 0;
  if (config.insecure_mode) {  // serve warns at start-up and every hour
    for (const std::string& warning : server::InsecureModeReminder(config)) {
      std::cout << "  warning: " << warning << "\n";
      ++warnings;
    }
  }
  if (state.tls) {
    for (const std::string& warning : state.tls->warnings()) {
      std::cout << "  warning: TLS: " << warning << "\n";
      ++warnings;
    }
  }
  for (const Error& warning : config::ConfiguredForNobody(config)) {
    std::cout << "  warning: " << warning.ToString() << "\n";
    ++warnings;
  }
  if (!config.ca_bundle_path.empty()) {
    // serve logs a warning and goes on: callgate itself does not read the bundle.
    const std::string problem = WhyCaBundleNotWritable(config);
    if (!problem.empty()) {
      const Error warning = config::KeyError(
          config, "ca_bundle_path", problem + " (serve writes the combined CA bundle there)");
      std::cout << "  warning: " << warning.ToString() << "\n";
      ++warnings;
    }
  }
  return warnings;
}

// Every reason serve would not start with this security configuration, so that one round of
// check names them all: the policy's refusals, each cluster's ca_file that cannot be read, and
// the first problem with the server's certificate and key (BuildTlsContext stops at it). It reads
// the clusters' ca_files again: an error already printed is not printed twice. False: some.
bool PrintSecurityErrors(const config::Config& config) {
  std::vector<std::string> printed;
  const auto print = [&printed](std::string_view refusal, const Error& error) {
    std::string text = WithWhenToLoadAgain(error, LoadFor::kCommand).ToString();
    if (std::find(printed.begin(), printed.end(), text) != printed.end()) return;
    std::cout << "security: " << refusal << text << "\n";
    printed.push_back(std::move(text));
  };
  for (const Error& refusal : config::SecurityRefusals(config)) {
    print("would refuse to start: ", refusal);
  }
  for (const Error& error : security::PeerAuthorizer::ClusterErrors(config)) print("", error);
  if (!config.tls_cert_file.empty() && !config.tls_key_file.empty()) {
    if (auto tls = security::BuildTlsContext(config); !tls) print("", tls.error());
  }
  return printed.empty();
}

// The logs serve would write and the lowest level of line each keeps (the console's is the
// higher of log_level and console_log_level): an error when the log files could not be opened.
bool PrintLogs(const config::Config& config) {
  if (auto usable = CheckLogDirectory(config); !usable) {
    std::cout << "logs: " << usable.error().ToString() << "\n";
    return false;
  }
  const config::LogLevel console =
      std::max(config.log_level, config.console_log_level.value_or(config.log_level));
  std::cout << "logs: console (" << config::ToString(console) << " and above)";
  if (!config.log_dir.empty()) {
    std::cout << ", app.log (" << config::ToString(config.log_level)
              << " and above) and access.log in " << config.log_dir;
  }
  std::cout << "\n";
  return true;
}

// What serve would warn about its logs: levels no output keeps, rotations that hold up calls.
std::size_t PrintLogWarnings(const config::Config& config) {
  const std::vector<Error> warnings = LogWarnings(config);
  for (const Error& warning : warnings) std::cout << "  warning: " << warning.ToString() << "\n";
  return warnings.size();
}

// The listeners serve would bind: an error when a host does not resolve or two listeners want
// the same port. Not bound here: the server being checked may be running and hold them.
// `warnings` counts what serve would warn about.
bool PrintListeners(const config::Config& config, std::size_t& warnings) {
  const auto checked = server::CheckListeners(config);
  if (!checked) {
    std::cout << "listeners: " << checked.error().ToString() << "\n";
    return false;
  }
  std::cout << "listeners: " << fmt::format("{}", fmt::join(checked->listeners, ", ")) << "\n";
  for (const Error& warning : checked->warnings) {
    std::cout << "  warning: " << warning.ToString() << "\n";
    ++warnings;
  }
  return true;
}

// What serve would warn about the open-file limit it raises its own to.
std::size_t PrintOpenFileLimit(const config::Config& config) {
  const auto warning = server::OpenFileLimitWarning(config, server::HardOpenFileLimit());
  if (!warning) return 0;
  std::cout << "  warning: " << *warning << "\n";
  return 1;
}

int Verdict(int failures, std::size_t warnings, bool strict) {
  if (failures > 0) {
    std::cout << "check: FAILED\n";
    return 1;
  }
  if (warnings > 0 && strict) {
    std::cout << "check: FAILED (--strict, " << warnings << " warning(s))\n";
    return 1;
  }
  std::cout << "check: OK";
  if (warnings > 0) std::cout << " (" << warnings << " warning(s))";
  std::cout << "\n";
  return 0;
}

}  // namespace

int RunCheck(const CommandLine& command_line) {
  // Reading a file can block (a FIFO, a network file system that does not answer), and check is
  // then killed by a timeout: each piece of the report goes out as it is written, so that a
  // redirected stdout, which is otherwise flushed only at exit, still shows what was found.
  std::cout << std::unitbuf;
  auto config = LoadEffectiveConfig(command_line);
  if (!config) {  // on stdout with the verdict, so that `check > report` keeps the reason
    // Every error: the full report (serve and a reload point here for those they leave out).
    std::cout << config.error().AllToString("config: ", std::numeric_limits<std::size_t>::max());
    return Verdict(1, 0, command_line.strict);
  }
  int failures = 0;
  // The configuration loaded; the rest of the report can still be made.
  if (Status bundle = CheckCaBundlePath(*config); !bundle) {
    std::cout << "config: " << bundle.error().ToString() << "\n";
    ++failures;
  } else {
    std::cout << "config: " << config->file << ": OK\n";
  }
  std::size_t warnings = 0;
  if (PrintLogs(*config)) {
    warnings += PrintLogWarnings(*config);
  } else {
    ++failures;
  }
  if (PrintListeners(*config, warnings)) {
    warnings += PrintOpenFileLimit(*config);
  } else {
    ++failures;
  }
  if (!PrintSecurityErrors(*config)) {
    ++failures;
  } else if (auto state = LoadSecurityState(*config, LoadFor::kCommand); !state) {
    std::cout << "security: " << state.error().ToString() << "\n";
    ++failures;
  } else {
    warnings += PrintSecurity(*config, **state);
  }
  // At a terminal, an administrator reads the report; otherwise it may go to a log (the systemd
  // unit runs check before every start, into the journal), which obfuscate_pii keeps clean.
  const ErrorsFor errors_for = isatty(STDOUT_FILENO) ? ErrorsFor::kTerminal : ErrorsFor::kLogs;
  if (auto loaded = LoadSnapshot(*config, LoadFor::kCommand, errors_for); !loaded) {
    std::cout << "directory: " << loaded.error().ToString() << "\n";
    ++failures;
  } else {
    warnings += PrintDirectory(*loaded);
  }
  return Verdict(failures, warnings, command_line.strict);
}

}  // namespace callgate::app
