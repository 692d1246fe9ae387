// ChangedKeys: which top-level keys two configurations set differently, compared by value (not by
// where, or under which alias, the file wrote them).
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_network.h"
#include "common/strings.h"
#include "config/config.h"

namespace callgate::config {
namespace {

using SameFn = bool (*)(const Config&, const Config&);

template <auto kMember>
bool Same(const Config& a, const Config& b) {
  return a.*kMember == b.*kMember;
}

// allowed_ips as the authorizer matches them: each entry's network (IpNetwork::Parse: "::1" and
// "0:0::1/128" are one), in no order, each once.
std::optional<std::vector<std::string>> Networks(
    const std::optional<std::vector<std::string>>& ips) {
  if (!ips) return std::nullopt;
  std::vector<std::string> networks;
  for (const std::string& entry : *ips) {
    const Result<IpNetwork> network = IpNetwork::Parse(entry);
    networks.push_back(network ? network->ToString() : entry);
  }
  std::sort(networks.begin(), networks.end());
  networks.erase(std::unique(networks.begin(), networks.end()), networks.end());
  return networks;
}

// A cluster's rules, without the lines the file wrote them on.
bool SameRules(const Cluster& a, const Cluster& b) {
  return a.name == b.name && Networks(a.allowed_ips) == Networks(b.allowed_ips) &&
         a.ca_file == b.ca_file && a.allowed_subjects == b.allowed_subjects;
}

// A listener's host, an address however it is written ("::1", "0:0::1") as the same address, and
// localhost as 127.0.0.1, the address callgate listens on for it (server/server.cc, Resolve).
std::string Host(const std::string& host) {
  if (EqualsIgnoreCase(host, "localhost")) return "127.0.0.1";
  const std::optional<IpAddress> address = IpAddress::Parse(host);
  return address ? address->ToString() : host;
}

template <auto kMember>
bool SameEndpoint(const Config& a, const Config& b) {
  const Endpoint& x = a.*kMember;
  const Endpoint& y = b.*kMember;
  return Host(x.host) == Host(y.host) && x.port == y.port;
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
     [](const Config& a, const Config& b) { return Host(a.listen.host) == Host(b.listen.host); }},
    {"listen_port",
     [](const Config& a, const Config& b) { return a.listen.port == b.listen.port; }},
    {"tls_cert_file", Same<&Config::tls_cert_file>},
    {"tls_key_file", Same<&Config::tls_key_file>},
    {"tls_legacy_ciphers", Same<&Config::tls_legacy_ciphers>},
    {"clusters", SameClusters},
    {"ca_bundle_path", Same<&Config::ca_bundle_path>},
    {"curri_paths", Same<&Config::curri_paths>},
    {"http_listen", SameEndpoint<&Config::http_listen>},
    {"admin_listen", SameEndpoint<&Config::admin_listen>},
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
