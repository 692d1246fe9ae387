// SecurityRefusals and ValidateSecurity: the secure-by-default rules of the Python service,
// plus the checks that follow from callgate's own listeners and per-cluster chain verification.
// Each refusal says what is wrong and how to fix it, because it is the first thing a new user
// meets.
// ConfiguredForNobody: the clusters, the allowed_subjects entries and the plain-HTTP listener
// that are valid but that no client can use.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_network.h"
#include "common/strings.h"
#include "config/config.h"
#include "config/values.h"

namespace callgate::config {
namespace {

Status CheckTlsPair(const Config& config) {
  if (config.tls_cert_file.empty() == config.tls_key_file.empty()) return OkStatus();
  const bool has_cert = !config.tls_cert_file.empty();
  const std::string set = has_cert ? "tls_cert_file" : "tls_key_file";
  const std::string missing = has_cert ? "tls_key_file" : "tls_cert_file";
  return KeyError(config, set,
                  "is set but " + missing +
                      " is not: TLS needs both the certificate (tls_cert_file) and its private "
                      "key (tls_key_file); set " +
                      missing + " too, or remove " + set);
}

std::string MissingParts(const Config& config) {
  std::string missing;
  if (!config.tls_enabled()) {
    missing += "TLS is not configured (tls_cert_file and tls_key_file are not set)";
  }
  if (config.clusters.empty()) {
    if (!missing.empty()) missing += " and ";
    missing += "no cluster is defined (clusters: is empty)";
  }
  return missing;
}

Status CheckSecureByDefault(const Config& config) {
  if (config.insecure_mode || (config.tls_enabled() && !config.clusters.empty())) {
    return OkStatus();
  }
  std::string fixes;
  if (!config.tls_enabled()) {
    fixes +=
        " Generate a certificate with `scripts/setup-certs.sh --hostname <name>` and set "
        "tls_cert_file and tls_key_file to the certificate and key it writes.";
  }
  if (config.clusters.empty()) {
    fixes +=
        " Define at least one cluster under clusters: with the allowed_ips, ca_file and "
        "allowed_subjects of your UCM nodes (see config/config.example.yaml).";
  }
  return Error{
      "callgate is secure by default and needs TLS and at least "
      "one cluster, but " +
          MissingParts(config) + "." + fixes +
          " For development only, set insecure_mode: true to run without them.",
      config.file, 0, ""};
}

Status CheckAdminListen(const Config& config) {
  const Endpoint& admin = config.admin_listen;
  if (!admin.enabled() || config.admin_listen_allow_remote ||
      internal::IsLoopbackHost(admin.host)) {
    return OkStatus();
  }
  return KeyError(config, "admin_listen",
                  "host " + internal::Quote(admin.host) +
                      " is not a loopback address, and the admin listener serves plain HTTP "
                      "without client authentication; bind it to 127.0.0.1, ::1 or localhost, "
                      "disable it with admin_listen: \"\", or set admin_listen_allow_remote: "
                      "true to expose it on purpose");
}

// One refusal per cluster that lists allowed_subjects without a ca_file.
void CheckClusterChains(const Config& config, std::vector<Error>& refusals) {
  for (const Cluster& cluster : config.clusters) {
    if (!cluster.allowed_subjects.has_value() || cluster.ca_file.has_value()) continue;
    refusals.push_back(
        Error{"allowed_subjects is set but ca_file is not: a certificate subject is trusted "
              "only once the client's chain is verified against the cluster's ca_file, so "
              "this cluster could never match; add ca_file: <the cluster's root CA "
              "certificate> or remove allowed_subjects",
              config.file, cluster.line, "clusters." + cluster.name});
  }
}

// http_listen beside a TLS listener carries no client certificate, so only a cluster that
// accepts addresses alone (or no cluster at all, under insecure_mode) lets a client in on it.
// Without TLS every listener is plain HTTP, and the clusters' own warnings say so.
std::optional<Error> PlainListenerForNobody(const Config& config) {
  if (!config.http_listen.enabled() || !config.tls_enabled() || config.clusters.empty()) {
    return std::nullopt;
  }
  const auto usable = [&config](const Cluster& cluster) {
    return AcceptsAddressAlone(config, cluster) && cluster.allowed_ips &&
           !cluster.allowed_ips->empty();
  };
  if (std::any_of(config.clusters.begin(), config.clusters.end(), usable)) return std::nullopt;
  return KeyError(config, "http_listen",
                  "serves plain HTTP, which carries no client certificate, and every cluster "
                  "requires one (only under insecure_mode does a cluster without ca_file and "
                  "allowed_subjects accept addresses alone), so every request on it gets 403; "
                  "point UCM at the TLS listener (listen_host/listen_port), or remove "
                  "http_listen");
}

// Whether the cluster has a subject the authorizer can match: it compares them trimmed, so a
// blank entry (which the parser refuses, but a Config can be built without it) is none.
bool HasSubject(const Cluster& cluster) {
  return cluster.allowed_subjects &&
         std::any_of(cluster.allowed_subjects->begin(), cluster.allowed_subjects->end(),
                     [](const std::string& subject) { return !Trim(subject).empty(); });
}

// allowed_subjects alone is refused at start-up without ca_file (CheckClusterChains), so the
// advice names both when both are missing.
std::string NoSubjectsAdvice(const Cluster& cluster) {
  std::string advice =
      "has no allowed_subjects, so it matches no client; list its UCM nodes' certificate names "
      "in allowed_subjects";
  if (!cluster.ca_file) {
    advice +=
        " and the CA certificate that anchors them (for a self-signed UCM, its CallManager.pem) "
        "in ca_file: subjects are trusted only from a chain verified against the cluster's "
        "ca_file";
  }
  return advice;
}

}  // namespace

std::vector<Error> SecurityRefusals(const Config& config) {
  std::vector<Error> refusals;
  for (Status (*check)(const Config&) : {CheckTlsPair, CheckSecureByDefault, CheckAdminListen}) {
    if (Status status = check(config); !status.ok()) refusals.push_back(status.error());
  }
  CheckClusterChains(config, refusals);
  return refusals;
}

Status ValidateSecurity(const Config& config) {
  std::vector<Error> refusals = SecurityRefusals(config);
  if (refusals.empty()) return OkStatus();
  return std::move(refusals.front());
}

bool AcceptsAddressAlone(const Config& config, const Cluster& cluster) {
  return config.insecure_mode && !cluster.ca_file && !cluster.allowed_subjects;
}

// Why an allowed_subjects entry can match no certificate name as written, or nullopt. Names are
// compared whole (security::ComparableName): there are no wildcards, no distinguished names and
// no networks, and a DNS name in a certificate has no final dot.
std::optional<std::string> SubjectThatMatchesNothing(std::string_view entry) {
  const std::string_view subject = Trim(entry);
  const std::string quoted = "'" + std::string(subject) + "'";
  if (subject.find('*') != std::string_view::npos) {
    return quoted +
           " is compared as it is written: callgate does not match wildcards, so only a "
           "certificate that names itself '*...' would match; list each UCM node's name";
  }
  if (subject.find('=') != std::string_view::npos) {
    return quoted +
           " looks like a distinguished name, which no certificate name is: list the CN or SAN "
           "value alone (e.g. 'cucm-pub.example.com')";
  }
  if (subject.find('/') != std::string_view::npos && IpNetwork::Parse(subject).ok()) {
    return quoted +
           " is a network: allowed_subjects compares certificate names and single addresses; "
           "networks belong in allowed_ips";
  }
  if (subject.size() > 1 && subject.ends_with('.')) {
    return quoted + " ends with a dot, which no certificate name has: remove it";
  }
  return std::nullopt;
}

std::vector<Error> ConfiguredForNobody(const Config& config) {
  std::vector<Error> warnings;
  const auto warn = [&](const Cluster& cluster, std::string message) {
    warnings.push_back(
        Error{std::move(message), config.file, cluster.line, "clusters." + cluster.name});
  };
  for (const Cluster& cluster : config.clusters) {
    const bool by_address_alone = AcceptsAddressAlone(config, cluster);
    if (!cluster.allowed_ips || cluster.allowed_ips->empty()) {
      warn(cluster,
           "has no allowed_ips, so it matches no client; list the addresses its UCM nodes "
           "connect from");
    } else if (!by_address_alone && config.insecure_mode && !config.tls_enabled()) {
      warn(cluster,
           "needs a client certificate (it has ca_file or allowed_subjects), but callgate "
           "serves plain HTTP, so it matches no client; set tls_cert_file and tls_key_file, or "
           "remove both keys to accept its addresses alone (insecure_mode only)");
    } else if (!by_address_alone && !HasSubject(cluster)) {
      warn(cluster, NoSubjectsAdvice(cluster));
    }
    if (!cluster.allowed_subjects) continue;
    for (const std::string& subject : *cluster.allowed_subjects) {
      if (auto why = SubjectThatMatchesNothing(subject)) {
        warnings.push_back(Error{std::move(*why), config.file, cluster.LineOf("allowed_subjects"),
                                 "clusters." + cluster.name + ".allowed_subjects"});
      }
    }
  }
  if (auto listener = PlainListenerForNobody(config)) warnings.push_back(std::move(*listener));
  return warnings;
}

}  // namespace callgate::config
