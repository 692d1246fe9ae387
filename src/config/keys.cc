#include "config/keys.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "config/suggest.h"
#include "config/values.h"

namespace callgate::config::internal {
namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kTiB = kMiB * kMiB;
constexpr std::size_t kMaxCurriPaths = 64;
constexpr std::string_view kPathExpected =
    "a file path (non-empty, no control characters, at most 4096 bytes)";

Status SetFlag(const Entry& entry, bool& out) {
  Result<bool> value = ReadBool(entry);
  if (!value.ok()) return value.error();
  out = value.value();
  return OkStatus();
}

template <typename T>
Status SetInteger(const Entry& entry, T& out, std::int64_t min, std::int64_t max) {
  Result<std::int64_t> value = ReadInteger(entry, min, max);
  if (!value.ok()) return value.error();
  out = static_cast<T>(value.value());
  return OkStatus();
}

Status SetPath(const Entry& entry, std::string& out) {
  Result<std::string> text = ReadScalar(entry, kPathExpected);
  if (!text.ok()) return text.error();
  if (!IsFilePath(text.value())) {
    return entry.Fail("expected " + std::string(kPathExpected) + ", got " + Quote(text.value()));
  }
  out = std::move(text.value());
  return OkStatus();
}

// For keys with no value by default, as the Python service reads its "None when absent" keys:
// null and "" both mean unset.
bool IsUnset(const Entry& entry) {
  return entry.value.IsNull() || (entry.value.IsScalar() && entry.value.Scalar().empty());
}

Status SetOptionalPath(const Entry& entry, std::string& out) {
  if (IsUnset(entry)) {
    out.clear();
    return OkStatus();
  }
  return SetPath(entry, out);
}

Status SetLogLevel(const Entry& entry, LogLevel& out) {
  Result<std::string> text = ReadScalar(entry, kLogLevelExpected);
  if (!text.ok()) return text.error();
  const std::optional<LogLevel> level = ParseLogLevel(text.value());
  if (!level) {
    return entry.Fail("expected " + std::string(kLogLevelExpected) + ", got " +
                      Quote(text.value()));
  }
  out = *level;
  return OkStatus();
}

Status SetOptionalLogLevel(const Entry& entry, std::optional<LogLevel>& out) {
  if (IsUnset(entry)) {
    out.reset();
    return OkStatus();
  }
  LogLevel level{};
  if (Status status = SetLogLevel(entry, level); !status.ok()) return status;
  out = level;
  return OkStatus();
}

Status SetListenHost(const Entry& entry, Config& config) {
  constexpr std::string_view kExpected = "an IP address (0.0.0.0, ::, 127.0.0.1) or a host name";
  Result<std::string> text = ReadScalar(entry, kExpected);
  if (!text.ok()) return text.error();
  std::optional<std::string> host = ParseListenHost(text.value());
  if (!host) {
    return entry.Fail("expected " + std::string(kExpected) + ", got " + Quote(text.value()));
  }
  config.listen.host = std::move(*host);
  return OkStatus();
}

Status SetListenPort(const Entry& entry, Config& config) {
  return SetInteger(entry, config.listen.port, 0, 65535);
}

Status SetEndpoint(const Entry& entry, Endpoint& out) {
  Result<std::string> text = ReadScalar(entry, kEndpointExpected);
  if (!text.ok()) return text.error();
  Result<Endpoint> endpoint = ParseEndpoint(text.value());
  if (!endpoint.ok()) {
    return entry.Fail("expected " + std::string(kEndpointExpected) + ", got " +
                      Quote(text.value()) + ": " + endpoint.error().message);
  }
  out = std::move(endpoint.value());
  return OkStatus();
}

Status SetCurriPaths(const Entry& entry, std::vector<std::string>& out) {
  constexpr std::string_view kExpected = "a URL path starting with '/' (such as /curri)";
  Result<std::vector<Item>> items = ReadScalarList(entry, kExpected);
  if (!items.ok()) return items.error();
  if (items.value().empty() || items.value().size() > kMaxCurriPaths) {
    return entry.Fail("expected a list of 1 to 64 URL paths, got " + Describe(entry.value) +
                      " of " + std::to_string(items.value().size()));
  }
  std::set<std::string, std::less<>> seen;
  out.clear();
  for (Item& item : items.value()) {
    Entry located = entry;
    located.line = item.line;
    if (!IsUrlPath(item.text)) {
      return located.Fail("expected " + std::string(kExpected) +
                          " with only URL path characters, at most 256 bytes, got " +
                          Quote(item.text));
    }
    // The router answers a path with a '/' added at the end as the path: kept without it.
    std::string path = item.text;
    if (path.size() > 1 && path.ends_with('/')) path.pop_back();
    if (path == "/health") {  // the router answers it first: POSTs to it would get 405
      return located.Fail(Quote(item.text) +
                          " is callgate's health check and cannot be a CURRI path");
    }
    if (!seen.insert(path).second) {
      return located.Fail("duplicate path " + Quote(item.text) +
                          " (a path with a '/' at the end is the path without it)");
    }
    out.push_back(std::move(path));
  }
  return OkStatus();
}

using Setter = Status (*)(const Entry&, Config&);

struct TopLevelKey {
  std::string_view name;
  std::string_view canonical;  // for an alias, the key it stands for; else empty
  Setter set;
};

// Documentation order: the Python service's keys, then callgate's, except console_log_level,
// a callgate key documented beside log_level.
const auto kTopLevelKeys = std::to_array<TopLevelKey>({
    {"insecure_mode", "", [](const Entry& e, Config& c) { return SetFlag(e, c.insecure_mode); }},
    {"obfuscate_pii", "", [](const Entry& e, Config& c) { return SetFlag(e, c.obfuscate_pii); }},
    {"csv_file_path", "", [](const Entry& e, Config& c) { return SetPath(e, c.csv_file_path); }},
    {"log_level", "", [](const Entry& e, Config& c) { return SetLogLevel(e, c.log_level); }},
    {"console_log_level", "",
     [](const Entry& e, Config& c) { return SetOptionalLogLevel(e, c.console_log_level); }},
    {"log_dir", "", [](const Entry& e, Config& c) { return SetOptionalPath(e, c.log_dir); }},
    {"log_max_bytes", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.log_max_bytes, kKiB, kTiB); }},
    {"log_backup_count", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.log_backup_count, 1, 1000); }},
    {"listen_host", "", SetListenHost},
    {"listen_port", "", SetListenPort},
    {"flask_host", "listen_host", SetListenHost},
    {"flask_port", "listen_port", SetListenPort},
    {"tls_cert_file", "",
     [](const Entry& e, Config& c) { return SetOptionalPath(e, c.tls_cert_file); }},
    {"tls_key_file", "",
     [](const Entry& e, Config& c) { return SetOptionalPath(e, c.tls_key_file); }},
    {"tls_legacy_ciphers", "",
     [](const Entry& e, Config& c) { return SetFlag(e, c.tls_legacy_ciphers); }},
    {"clusters", "", [](const Entry& e, Config& c) { return ReadClusters(e, c.clusters); }},
    {"ca_bundle_path", "",
     [](const Entry& e, Config& c) { return SetOptionalPath(e, c.ca_bundle_path); }},
    {"curri_paths", "", [](const Entry& e, Config& c) { return SetCurriPaths(e, c.curri_paths); }},
    {"http_listen", "", [](const Entry& e, Config& c) { return SetEndpoint(e, c.http_listen); }},
    {"admin_listen", "", [](const Entry& e, Config& c) { return SetEndpoint(e, c.admin_listen); }},
    {"admin_listen_allow_remote", "",
     [](const Entry& e, Config& c) { return SetFlag(e, c.admin_listen_allow_remote); }},
    {"worker_threads", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.worker_threads, 0, 256); }},
    {"pin_worker_threads", "",
     [](const Entry& e, Config& c) { return SetFlag(e, c.pin_worker_threads); }},
    {"max_connections", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.max_connections, 1, 100000); }},
    {"max_body_bytes", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.max_body_bytes, kKiB, 16 * kMiB); }},
    {"max_header_bytes", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.max_header_bytes, kKiB, kMiB); }},
    {"read_timeout_seconds", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.read_timeout_seconds, 1, 3600); }},
    {"idle_timeout_seconds", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.idle_timeout_seconds, 1, 86400); }},
    {"shutdown_timeout_seconds", "",
     [](const Entry& e, Config& c) { return SetInteger(e, c.shutdown_timeout_seconds, 1, 300); }},
});

std::string_view CanonicalName(const TopLevelKey& key) {
  return key.canonical.empty() ? key.name : key.canonical;
}

const TopLevelKey* FindTopLevelKey(std::string_view name) {
  for (const TopLevelKey& key : kTopLevelKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

Error UnknownTopLevelKey(const Entry& entry) {
  const std::vector<std::string_view> cluster_keys = ClusterKeyNames();
  if (std::find(cluster_keys.begin(), cluster_keys.end(), entry.name) != cluster_keys.end()) {
    return entry.Fail("unknown top-level key: " + entry.name +
                      " belongs inside a cluster (clusters: -> NAME: -> " + entry.name + ":)");
  }
  if (std::optional<std::string_view> near = ClosestKey(entry.name, TopLevelKeyNames())) {
    return entry.Fail("unknown key; did you mean '" + std::string(*near) + "'?");
  }
  return entry.Fail("unknown key (every key is listed in docs/configuration.md)");
}

// An alias and its canonical key (flask_port and listen_port) may not both be set; plain
// duplicates never get here (ForEachEntry refuses them).
Status CheckNotSetTwice(const Entry& entry, const TopLevelKey& key, const Config& config) {
  const std::string_view canonical = CanonicalName(key);
  const auto previous = config.key_lines.find(canonical);
  if (previous == config.key_lines.end()) return OkStatus();
  const std::string line = std::to_string(previous->second);
  if (!key.canonical.empty()) {
    return entry.Fail(entry.name + " is an alias of " + std::string(canonical) +
                      ", which is already set on line " + line + "; set only one");
  }
  const auto alias = config.key_aliases.find(canonical);
  const std::string by =
      alias == config.key_aliases.end() ? "its alias" : "its alias " + alias->second;
  return entry.Fail(entry.name + " is already set on line " + line + " by " + by +
                    "; set only one");
}

Status ReadTopLevelEntry(const Entry& entry, Config& config) {
  const TopLevelKey* key = FindTopLevelKey(entry.name);
  if (key == nullptr) return UnknownTopLevelKey(entry);
  if (Status status = CheckNotSetTwice(entry, *key, config); !status.ok()) return status;
  // Taken as set even when its value is refused: the file's other errors are still read
  // (ForEachEntry), and its alias set too is one of them.
  config.key_lines.emplace(std::string(CanonicalName(*key)), entry.line);
  if (!key->canonical.empty()) config.key_aliases.emplace(key->canonical, entry.name);
  return key->set(entry, config);
}

}  // namespace

Status ReadTopLevel(const YAML::Node& root, std::string_view file, Config& config) {
  return ForEachEntry(root, file, "",
                      [&config](const Entry& entry) { return ReadTopLevelEntry(entry, config); });
}

std::vector<std::string_view> TopLevelKeyNames() {
  std::vector<std::string_view> names;
  names.reserve(std::size(kTopLevelKeys));
  for (const TopLevelKey& key : kTopLevelKeys) names.push_back(key.name);
  return names;
}

}  // namespace callgate::config::internal
