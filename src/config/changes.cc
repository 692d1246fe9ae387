// ChangedKeys: which top-level keys two configurations set differently, compared by value (not by
// where, or under which alias, the file wrote them).
#include <algorithm>
#include <array>

#include "config/config.h"

namespace callgate::config {
namespace {

using SameFn = bool (*)(const Config&, const Config&);

template <auto kMember>
bool Same(const Config& a, const Config& b) {
  return a.*kMember == b.*kMember;
}

// A cluster's rules, without the lines the file wrote them on.
bool SameRules(const Cluster& a, const Cluster& b) {
  return a.name == b.name && a.allowed_ips == b.allowed_ips && a.ca_file == b.ca_file &&
         a.allowed_subjects == b.allowed_subjects;
}

// In order: the clusters are tried in file order, so a reordering is a change.
bool SameClusters(const Config& a, const Config& b) {
  return std::equal(a.clusters.begin(), a.clusters.end(), b.clusters.begin(), b.clusters.end(),
                    SameRules);
}

struct KeyComparison {
  std::string_view key;  // canonical: an alias compares as the key it stands for
  SameFn same;
};

// Every canonical key of config/keys.cc, in documentation order (the unit test keeps it so).
constexpr auto kKeys = std::to_array<KeyComparison>({
    {"insecure_mode", Same<&Config::insecure_mode>},
    {"obfuscate_pii", Same<&Config::obfuscate_pii>},
    {"csv_file_path", Same<&Config::csv_file_path>},
    {"log_level", Same<&Config::log_level>},
    {"console_log_level", Same<&Config::console_log_level>},
    {"log_dir", Same<&Config::log_dir>},
    {"log_max_bytes", Same<&Config::log_max_bytes>},
    {"log_backup_count", Same<&Config::log_backup_count>},
    {"listen_host",
     [](const Config& a, const Config& b) { return a.listen.host == b.listen.host; }},
    {"listen_port",
     [](const Config& a, const Config& b) { return a.listen.port == b.listen.port; }},
    {"tls_cert_file", Same<&Config::tls_cert_file>},
    {"tls_key_file", Same<&Config::tls_key_file>},
    {"tls_legacy_ciphers", Same<&Config::tls_legacy_ciphers>},
    {"clusters", SameClusters},
    {"ca_bundle_path", Same<&Config::ca_bundle_path>},
    {"curri_paths", Same<&Config::curri_paths>},
    {"http_listen", Same<&Config::http_listen>},
    {"admin_listen", Same<&Config::admin_listen>},
    {"admin_listen_allow_remote", Same<&Config::admin_listen_allow_remote>},
    {"worker_threads", Same<&Config::worker_threads>},
    {"pin_worker_threads", Same<&Config::pin_worker_threads>},
    {"max_connections", Same<&Config::max_connections>},
    {"max_body_bytes", Same<&Config::max_body_bytes>},
    {"max_header_bytes", Same<&Config::max_header_bytes>},
    {"read_timeout_seconds", Same<&Config::read_timeout_seconds>},
    {"idle_timeout_seconds", Same<&Config::idle_timeout_seconds>},
    {"shutdown_timeout_seconds", Same<&Config::shutdown_timeout_seconds>},
});

}  // namespace

std::vector<std::string_view> ChangedKeys(const Config& before, const Config& after) {
  std::vector<std::string_view> changed;
  for (const KeyComparison& key : kKeys) {
    if (!key.same(before, after)) changed.push_back(key.key);
  }
  return changed;
}

}  // namespace callgate::config
