#include "app/effective_config.h"

#include <cstdlib>
#include <iostream>

namespace callgate::app {

ConfigSource ResolveConfigSource(const CommandLine& command_line) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread exists.
  const char* config_file = std::getenv("CONFIG_FILE");
  const char* log_level = std::getenv("LOG_LEVEL");  // NOLINT(concurrency-mt-unsafe)
  return ConfigSource{ConfigPath(command_line, config_file), log_level ? log_level : ""};
}

Result<config::Config> LoadEffectiveConfig(const ConfigSource& source) {
  auto config = config::LoadConfig(source.path);
  if (!config) return config.error();
  if (auto status = config::ApplyEnvironment(*config, source.log_level_env); !status) {
    return status.error();
  }
  return config;
}

Result<config::Config> LoadEffectiveConfig(const CommandLine& command_line) {
  return LoadEffectiveConfig(ResolveConfigSource(command_line));
}

int PrintError(const Error& error) {
  std::cerr << "callgate: " << error.ToString() << "\n";
  return 1;
}

}  // namespace callgate::app
