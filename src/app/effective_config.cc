#include "app/effective_config.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "app/ca_bundle.h"
#include "common/paths.h"

namespace callgate::app {

ConfigSource ResolveConfigSource(const CommandLine& command_line) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread exists.
  const char* config_file = std::getenv("CONFIG_FILE");
  const char* log_level = std::getenv("LOG_LEVEL");  // NOLINT(concurrency-mt-unsafe)
  ConfigNamedBy named_by = ConfigNamedBy::kCommandLine;
  if (command_line.config_path.empty()) {
    const bool set = config_file != nullptr && *config_file != '\0';
    named_by = set ? ConfigNamedBy::kEnvironment : ConfigNamedBy::kDefault;
  }
  return ConfigSource{ConfigPath(command_line, config_file), log_level ? log_level : "", named_by};
}

namespace {

// A configuration file that is not there because nothing named it: says where callgate looked
// and how to name one, rather than only "config.yaml: cannot open".
Error NotFoundByDefault(Error error) {
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  error.message +=
      " (neither --config nor CONFIG_FILE names a file, so callgate looked for it in "
      "the working directory" +
      (ec ? std::string() : " " + cwd.string()) +
      "; name yours with --config FILE, or start from config/config.example.yaml, "
      "which documents every key)";
  return error;
}

// `error`, about the file `source` names, with what named it and, for a file that is not there,
// where a relative path was looked for.
Error WithItsSource(Error error, const ConfigSource& source) {
  std::error_code ec;  // set when whether it exists is not known (a directory not searchable)
  const bool missing = !std::filesystem::exists(source.path, ec) && !ec;
  if (missing && source.named_by == ConfigNamedBy::kDefault) return NotFoundByDefault(error);
  // A variable set in a unit file or a shell profile long ago is easily forgotten.
  if (source.named_by == ConfigNamedBy::kEnvironment && error.line == 0) {
    error.message += " (named by the environment variable CONFIG_FILE)";
  }
  if (missing) error.message += MissingPathNote(source.path);
  return error;
}

}  // namespace

Result<config::Config> LoadEffectiveConfig(const ConfigSource& source) {
  auto config = config::LoadConfig(source.path);
  if (!config) return WithItsSource(config.error(), source);
  if (auto status = config::ApplyEnvironment(*config, source.log_level_env); !status) {
    return status.error();
  }
  return config;
}

Result<config::Config> LoadEffectiveConfig(const CommandLine& command_line) {
  return LoadEffectiveConfig(ResolveConfigSource(command_line));
}

Status StartRefusal(const config::Config& config) {
  if (Status secure = config::ValidateSecurity(config); !secure) return secure;
  return CheckCaBundlePath(config);
}

int PrintError(const Error& error) {
  std::cerr << error.AllToString("callgate: ");
  return 1;
}

}  // namespace callgate::app
