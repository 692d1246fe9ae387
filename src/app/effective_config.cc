#include "app/effective_config.h"

#include <cstdlib>
#include <iostream>

namespace callgate::app {

Result<config::Config> LoadEffectiveConfig(const CommandLine& command_line) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread exists.
  const std::string path = ConfigPath(command_line, std::getenv("CONFIG_FILE"));
  auto config = config::LoadConfig(path);
  if (!config) return config.error();
  const char* log_level = std::getenv("LOG_LEVEL");  // NOLINT(concurrency-mt-unsafe)
  if (auto status = config::ApplyEnvironment(*config, log_level ? log_level : ""); !status) {
    return status.error();
  }
  return config;
}

int PrintError(const Error& error) {
  std::cerr << "callgate: " << error.ToString() << "\n";
  return 1;
}

}  // namespace callgate::app
