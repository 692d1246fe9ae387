// The public entry points. yaml-cpp's exceptions stop here: a parse error, or anything a
// malformed tree makes yaml-cpp throw while it is walked, becomes an Error.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <system_error>

#include "common/file_stream.h"
#include "config/keys.h"
#include "config/values.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"

namespace callgate::config {
namespace {

std::string TooLargeMessage() {
  return "the configuration is larger than " + std::to_string(kMaxConfigBytes / 1024) + " KiB";
}

Result<Config> ParseTree(const YAML::Node& root, const std::string& file) {
  Config config;
  config.file = file;
  if (root.IsNull()) return config;  // an empty file, or only comments
  if (!root.IsMap()) {
    return Error{
        "expected a mapping of key: value at the top level, got " + internal::Describe(root), file,
        internal::LineOf(root, 1), ""};
  }
  Status status = internal::ReadTopLevel(root, file, config);
  if (!status.ok()) return status.error();
  return config;
}

std::string ConfigFileProblem(FileProblem problem, int error_number, std::size_t /*max_bytes*/) {
  switch (problem) {
    case FileProblem::kIsADirectory:
      return "cannot read the configuration file: it is a directory";
    case FileProblem::kTooLarge:
      return TooLargeMessage();
    case FileProblem::kCannotOpen:
      return "cannot open the configuration file: " + std::generic_category().message(error_number);
    case FileProblem::kCannotStat:
    case FileProblem::kCannotRead:
    case FileProblem::kCannotRewind:
      break;
  }
  return "cannot read the configuration file: " + std::generic_category().message(error_number);
}

Result<std::string> ReadFile(const std::string& path) {
  // Opened here first only for the error of a file that cannot be opened: FileStream's would add
  // where a relative path was looked for, which the caller says in its own words
  // (app/effective_config.cc).
  if (!std::ifstream(path, std::ios::binary)) {
    return Error{std::string("cannot open the configuration file: ") +
                     std::generic_category().message(errno),
                 path, 0, ""};
  }
  // The text through FileStream, which says whether it is one version of the file: a reload puts
  // clusters in force, and a file caught while it is written (cut after its first cluster) must
  // not.
  Result<FileStream> file = FileStream::Open(path, kMaxConfigBytes, ConfigFileProblem);
  if (!file) return file.error();
  std::string text(kMaxConfigBytes + 1, '\0');
  Result<std::size_t> read = file->Read(text.data(), text.size());  // short only at the end
  if (!read) return read.error();
  text.resize(*read);
  if (Status unchanged = file->CheckUnchanged(); !unchanged) return unchanged.error();
  return text;
}

}  // namespace

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file) {
  if (yaml_text.size() > kMaxConfigBytes) return Error{TooLargeMessage(), file, 0, ""};
  try {
    Result<YAML::Node> root = internal::LoadSingleDocument(yaml_text, file);
    if (!root.ok()) return root.error();
    return ParseTree(root.value(), file);
  } catch (const std::exception& e) {
    return Error{std::string("cannot read the configuration: ") + e.what(), file, 0, ""};
  } catch (...) {
    return Error{"cannot read the configuration: unexpected error in the YAML library", file, 0,
                 ""};
  }
}

Result<Config> LoadConfig(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.error();
  return ParseConfig(text.value(), path);
}

Status ApplyEnvironment(Config& config, const std::string& log_level_env) {
  if (log_level_env.empty()) return OkStatus();
  const std::optional<LogLevel> level = internal::ParseLogLevel(log_level_env);
  if (!level) {
    return Error{"environment variable LOG_LEVEL: expected " +
                     std::string(internal::kLogLevelExpected) + ", got " +
                     internal::Quote(log_level_env),
                 "", 0, ""};
  }
  config.log_level = *level;
  return OkStatus();
}

Error KeyError(const Config& config, std::string_view key, std::string message) {
  return Error{std::move(message), config.file, config.LineOf(key),
               std::string(config.KeyAsWritten(key))};
}

std::string_view Config::KeyAsWritten(std::string_view key) const {
  const auto alias = key_aliases.find(key);
  if (alias == key_aliases.end()) return key;
  return alias->second;
}

std::string_view ToString(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

std::vector<std::string_view> TopLevelKeys() { return internal::TopLevelKeyNames(); }
std::vector<std::string_view> ClusterKeys() { return internal::ClusterKeyNames(); }

}  // namespace callgate::config
