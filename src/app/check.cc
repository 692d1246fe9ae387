// `callgate check`: everything `serve` would load, without serving; a summary on stdout.
#include <iostream>

#include "app/commands.h"
#include "app/effective_config.h"
#include "app/snapshot_loader.h"
#include "server/security_state.h"

namespace callgate::app {
namespace {

void PrintDirectory(const LoadedSnapshot& loaded) {
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
}

void PrintSecurity(const config::Config& config, const server::SecurityState& state) {
  std::cout << "security: " << (state.tls ? "TLS" : "plain HTTP") << ", " << config.clusters.size()
            << " cluster(s)";
  if (state.tls && state.tls->requires_client_certificate())
    std::cout << ", client certificates required";
  if (config.insecure_mode) std::cout << ", insecure_mode (development only)";
  std::cout << "\n";
  for (const Error& warning : config::ClustersThatMatchNobody(config)) {
    std::cout << "  warning: " << warning.ToString() << "\n";
  }
}

}  // namespace

int RunCheck(const CommandLine& command_line) {
  auto config = LoadEffectiveConfig(command_line);
  if (!config) return PrintError(config.error());
  std::cout << "config: " << config->file << ": OK\n";
  int failures = 0;
  if (auto secure = config::ValidateSecurity(*config); !secure) {
    std::cout << "security: would refuse to start: " << secure.error().ToString() << "\n";
    ++failures;
  } else if (auto state = server::BuildSecurityState(*config); !state) {
    std::cout << "security: " << state.error().ToString() << "\n";
    ++failures;
  } else {
    PrintSecurity(*config, **state);
  }
  if (auto loaded = LoadSnapshot(*config); !loaded) {
    std::cout << "directory: " << loaded.error().ToString() << "\n";
    ++failures;
  } else {
    PrintDirectory(*loaded);
  }
  std::cout << (failures == 0 ? "check: OK\n" : "check: FAILED\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace callgate::app
