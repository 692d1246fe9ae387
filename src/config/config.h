// Config: callgate's configuration as plain structs with defaults, parsed from YAML.
// Every key of the Python ucm_name_lookup config.yaml keeps its meaning and default; new keys
// are documented in config/config.example.yaml and docs/configuration.md.
//
// yaml-cpp and its exceptions stay inside this layer: parsing returns Result<Config> whose
// Error names the file, the line and the key. Every function here is thread-safe and keeps no
// state; the valid values of each key are in docs/configuration.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace callgate::config {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarning, kError };

struct Cluster {
  std::string name;
  // Each is std::nullopt when the key is absent: the rule then denies everything
  // (the reference's deny-by-default). An empty list also denies everything.
  std::optional<std::vector<std::string>> allowed_ips;  // each one IpNetwork::Parse accepts
  std::optional<std::string> ca_file;
  std::optional<std::vector<std::string>> allowed_subjects;
  int line = 0;                                       // where the cluster is defined
  std::map<std::string, int, std::less<>> key_lines;  // "ca_file" -> its line, for later errors

  // The line of `key` in this cluster (for errors found once the file is read, such as a leaf
  // certificate in ca_file); the cluster's own line if the key is not there.
  int LineOf(std::string_view key) const {
    const auto found = key_lines.find(key);
    return found == key_lines.end() ? line : found->second;
  }

  bool operator==(const Cluster&) const = default;
};

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  bool enabled() const { return !host.empty(); }

  bool operator==(const Endpoint&) const = default;
};

struct Config {
  std::string file;  // the file this came from ("" for defaults)

  // Keys of the Python service.
  bool insecure_mode = false;
  bool obfuscate_pii = false;
  std::string csv_file_path = "phone_directory.csv";
  LogLevel log_level = LogLevel::kInfo;
  // callgate's: the least severe level also written to the console (lines must pass log_level
  // too); unset, the console shows what log_level lets through. app.log keeps log_level.
  std::optional<LogLevel> console_log_level;
  std::string log_dir;  // empty: console only
  std::uint64_t log_max_bytes = 10485760;
  int log_backup_count = 5;
  Endpoint listen{"0.0.0.0", 5000};  // listen_host/listen_port, alias flask_host/flask_port
  std::string tls_cert_file;
  std::string tls_key_file;
  std::vector<Cluster> clusters;  // in file order
  std::string ca_bundle_path;

  // callgate keys.
  std::vector<std::string> curri_paths{"/curri"};
  int worker_threads = 0;  // 0: one per CPU the process may run on
  bool pin_worker_threads = false;
  std::uint64_t max_body_bytes = std::uint64_t{64} * 1024;
  std::uint64_t max_header_bytes = std::uint64_t{8} * 1024;
  int read_timeout_seconds = 10;
  int idle_timeout_seconds = 3600;
  int max_connections = 1024;
  int shutdown_timeout_seconds = 5;
  bool tls_legacy_ciphers = false;
  Endpoint http_listen;                      // optional extra plain-HTTP listener ("" = off)
  Endpoint admin_listen{"127.0.0.1", 5001};  // plain-HTTP /health listener ("" = off)
  bool admin_listen_allow_remote = false;    // required to bind admin_listen off loopback

  // The 1-based line where each top-level key was set, so later stages (TLS, directory load)
  // can point at it; keys left at their default are absent. Aliases are recorded under their
  // canonical name (flask_port under listen_port).
  std::map<std::string, int, std::less<>> key_lines;
  // The alias each key set through one was written as, under the canonical name
  // (listen_port -> flask_port), so that errors name the key the file has.
  std::map<std::string, std::string, std::less<>> key_aliases;

  // `key` (a canonical name) as the file wrote it: its alias when it was set through one.
  std::string_view KeyAsWritten(std::string_view key) const;
  // The line key_lines has for `key` (a canonical name); 0 when the file left it at its default.
  int LineOf(std::string_view key) const {
    const auto found = key_lines.find(key);
    return found == key_lines.end() ? 0 : found->second;
  }

  bool tls_enabled() const { return !tls_cert_file.empty() || !tls_key_file.empty(); }

  // Field-wise, key_lines, key_aliases and file included.
  bool operator==(const Config&) const = default;
};

// Larger configuration texts are rejected (a limit on untrusted input).
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1024} * 1024;

// Parses YAML text. `file` labels errors. Unknown keys, wrong types and invalid values are
// errors naming the file, the 1-based line and the key. Does not touch the filesystem and does
// not apply the secure-by-default policy (see ValidateSecurity). Never throws; texts larger than
// kMaxConfigBytes are an error.
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& file);

// Reads and parses `path`. A missing or unreadable file is an error naming it.
Result<Config> LoadConfig(const std::string& path);

// Applies LOG_LEVEL from the environment value `log_level_env` (when non-empty) over the file's
// log_level. An invalid value is an error naming the variable.
Status ApplyEnvironment(Config& config, const std::string& log_level_env);

// Secure by default: without TLS (cert and key) and at least one cluster, refuses unless
// insecure_mode is true. The error says what is missing and how to fix it. Also checks that
// tls_cert_file and tls_key_file are set together, and that admin_listen is on loopback unless
// admin_listen_allow_remote is set, and that no cluster lists allowed_subjects without a ca_file
// (a subject is trusted only once its chain is verified, so such a cluster could never match).
// Errors carry the file and, where known, the line from key_lines / Cluster::line.
// Returns the first of SecurityRefusals.
Status ValidateSecurity(const Config& config);

// Every refusal ValidateSecurity could return, in the order it checks them (one per cluster
// without a ca_file), so that `callgate check` can name them all at once. Empty: none.
std::vector<Error> SecurityRefusals(const Config& config);

// Whether `cluster` accepts a client by its address alone: under insecure_mode, when neither
// ca_file nor allowed_subjects is set (the keys absent), kept from the Python service. Every
// other cluster also needs a verified client certificate. The one definition of that rule, for
// the authorizer and for the warnings below.
bool AcceptsAddressAlone(const Config& config, const Cluster& cluster);

// Clusters that are valid but can match no client, as warnings naming the file, the cluster's
// line and key: every rule denies by default (the reference's behaviour), so a cluster without
// allowed_ips, or without allowed_subjects (blank entries, compared trimmed, are none), matches
// nobody. The exception is insecure_mode, where a cluster with allowed_ips and neither ca_file
// nor allowed_subjects filters by address.
// An allowed_subjects entry that no certificate name can equal, each at that key: a wildcard
// ('*.example.com': names are compared whole), a distinguished name ('CN=...'), a network
// ('10.1.1.0/24') or a name with a final dot.
// Then, the same for http_listen beside TLS: a plain-HTTP client has no certificate to show, so
// only such an address-alone cluster can use it.
std::vector<Error> ConfiguredForNobody(const Config& config);

// The top-level keys (canonical names, in documentation order) whose values differ between
// `before` and `after`: what a restart with `after` would change. Where and under which alias a
// file sets a key does not count, nor does setting a key to its default instead of leaving it
// out; a change inside a cluster, or in the clusters' order, counts as `clusters`.
std::vector<std::string_view> ChangedKeys(const Config& before, const Config& after);

// The keys a reload puts in force, in documentation order: log_level, and those that decide who
// may connect and with which certificate (tls_cert_file, tls_key_file, tls_legacy_ciphers,
// clusters: the security keys). Every other key is read at start-up only.
std::vector<std::string_view> ReloadableKeys();

// What a reload does with the configuration file as it is now, `edited` (one a start would take),
// while `running` is in force: the ReloadableKeys() that changed go into force, the other changed
// keys wait for a restart. The security keys all wait when the edit also changes insecure_mode
// (which decides what a cluster without a ca_file allows), turns TLS on or off (the main listener
// speaks TLS or not from its start), or goes from no clusters to some or back (whether /health
// answers loopback alone is set at start-up): each case is a restart.
struct ReloadPlan {
  // `running` with the values of the keys in `logging` and `security` taken from `edited`; and,
  // from every key not in `at_restart`, edited's lines and aliases (clusters, when unchanged,
  // edited's too), so that a later error points at where the file has the key now.
  Config next;
  // The changed keys `next` takes from `edited`: log_level, which goes into force by itself, and
  // the security keys, which go into force together with the TLS state built from `next`, or not
  // at all.
  std::vector<std::string_view> logging;
  std::vector<std::string_view> security;
  std::vector<std::string_view> at_restart;  // changed keys left for a restart
  // Why changed ReloadableKeys() are in at_restart, as a clause ("insecure_mode changes"); empty
  // when none is.
  std::string held_back;
};
ReloadPlan PlanReload(const Config& running, const Config& edited);

std::string_view ToString(LogLevel level);  // "DEBUG", "INFO", "WARNING", "ERROR"

// An error about top-level `key` (its canonical name), located at the line where `config` set it
// (line 0 when the key was left at its default) and named as the file wrote it.
Error KeyError(const Config& config, std::string_view key, std::string message);

// The keys ParseConfig accepts, in documentation order: at the top level (aliases included) and
// inside a cluster. For tooling and the test that keeps config/config.example.yaml complete.
std::vector<std::string_view> TopLevelKeys();
std::vector<std::string_view> ClusterKeys();

}  // namespace callgate::config
