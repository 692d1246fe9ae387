#include "security/peer_authorizer.h"

#include <algorithm>

#include "common/strings.h"
#include "security/ca_file.h"

namespace callgate::security {
namespace {

Error AtKey(const config::Config& config, const config::Cluster& cluster, std::string_view key,
            std::string message) {
  return Error{.message = std::move(message),
               .file = config.file,
               .line = cluster.LineOf(key),
               .key = "clusters." + cluster.name + "." + std::string(key)};
}

Result<std::optional<std::vector<IpNetwork>>> ParseNetworks(const config::Config& config,
                                                            const config::Cluster& cluster) {
  if (!cluster.allowed_ips) return std::optional<std::vector<IpNetwork>>();
  std::vector<IpNetwork> networks;
  for (const std::string& entry : *cluster.allowed_ips) {
    auto network = IpNetwork::Parse(entry);
    if (!network) {
      return AtKey(config, cluster, "allowed_ips",
                   "'" + entry +
                       "' is not an IP address or CIDR network (e.g. 10.1.1.10, "
                       "10.1.2.0/24, 2001:db8::/32): " +
                       network.error().message);
    }
    networks.push_back(*network);
  }
  return std::optional(std::move(networks));
}

std::optional<std::vector<std::string>> NormaliseSubjects(const config::Cluster& cluster) {
  if (!cluster.allowed_subjects) return std::nullopt;
  std::vector<std::string> subjects;
  for (const std::string& entry : *cluster.allowed_subjects) {
    std::string_view trimmed = Trim(entry);
    if (!trimmed.empty()) subjects.push_back(ComparableName(trimmed));  // as CertificateNames()
  }
  std::sort(subjects.begin(), subjects.end());
  return subjects;
}

std::vector<std::string> AnchorFingerprints(const CaFile& file) {
  std::vector<std::string> fingerprints;
  for (const X509Ptr& certificate : file.certificates) {
    fingerprints.push_back(Sha256Fingerprint(certificate.get()));
  }
  std::sort(fingerprints.begin(), fingerprints.end());
  return fingerprints;
}

ClusterVerdict Fail(const std::string& cluster, Rule rule, std::string why) {
  return ClusterVerdict{
      .cluster = cluster, .matched = false, .failed_rule = rule, .why = std::move(why)};
}

std::string Entries(std::size_t count) {
  return std::to_string(count) + (count == 1 ? " entry" : " entries");
}

bool AnyIn(const std::vector<std::string>& values, const std::vector<std::string>& sorted) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& value) {
    return std::binary_search(sorted.begin(), sorted.end(), value);
  });
}

std::optional<std::string> CheckIp(const std::optional<std::vector<IpNetwork>>& networks,
                                   const IpAddress& address) {
  if (!networks) return "allowed_ips is not set, which denies every address";
  if (networks->empty()) return "allowed_ips is empty, which denies every address";
  const bool found = std::any_of(networks->begin(), networks->end(), [&](const IpNetwork& network) {
    return network.Contains(address);
  });
  if (found) return std::nullopt;
  return "address not in allowed_ips (" + Entries(networks->size()) + ")";
}

std::optional<std::string> CheckCertificate(const PeerIdentity& peer) {
  if (!peer.has_certificate) return "no client certificate";
  if (!peer.chain_verified) return "client certificate chain not verified";
  return std::nullopt;
}

std::optional<std::string> CheckAnchor(const std::vector<std::string>& anchors,
                                       const std::string& ca_file, const PeerIdentity& peer) {
  if (std::binary_search(anchors.begin(), anchors.end(), peer.trust_anchor_sha256)) {
    return std::nullopt;
  }
  return "certificate chain does not lead to a CA in ca_file '" + ca_file + "'";
}

std::optional<std::string> CheckSubject(const std::optional<std::vector<std::string>>& subjects,
                                        const std::vector<std::string>& names) {
  if (!subjects) return "allowed_subjects is not set, which denies every certificate";
  if (subjects->empty()) return "allowed_subjects is empty, which denies every certificate";
  if (AnyIn(names, *subjects)) return std::nullopt;
  return "no certificate CN or SAN in allowed_subjects (" + Entries(subjects->size()) + ")";
}

}  // namespace

std::string_view ToString(Rule rule) {
  switch (rule) {
    case Rule::kIp:
      return "allowed_ips";
    case Rule::kCertificate:
      return "client certificate";
    case Rule::kTrustAnchor:
      return "ca_file";
    case Rule::kSubject:
      return "allowed_subjects";
  }
  return "?";
}

Result<PeerAuthorizer> PeerAuthorizer::Build(const config::Config& config) {
  auto ca_files = CaFiles::Load(config);
  if (!ca_files) return ca_files.error();
  return Build(config, *ca_files);
}

Result<PeerAuthorizer> PeerAuthorizer::Build(const config::Config& config,
                                             const CaFiles& ca_files) {
  std::vector<ClusterRules> clusters;
  bool requires_client_certificate = false;
  for (const config::Cluster& cluster : config.clusters) {
    auto rules = BuildCluster(config, cluster, ca_files);
    if (!rules) return rules.error();
    requires_client_certificate |= rules->anchor_fingerprints.has_value();
    clusters.push_back(std::move(rules).value());
  }
  return PeerAuthorizer(std::move(clusters), requires_client_certificate);
}

std::vector<Error> PeerAuthorizer::ClusterErrors(const config::Config& config) {
  std::vector<Error> errors;
  for (const config::Cluster& cluster : config.clusters) {
    if (auto networks = ParseNetworks(config, cluster); !networks) {
      errors.push_back(networks.error());
    } else if (cluster.ca_file) {
      if (auto file = LoadClusterCaFile(config, cluster); !file) errors.push_back(file.error());
    }
  }
  return errors;
}

Result<PeerAuthorizer::ClusterRules> PeerAuthorizer::BuildCluster(const config::Config& config,
                                                                  const config::Cluster& cluster,
                                                                  const CaFiles& ca_files) {
  auto networks = ParseNetworks(config, cluster);
  if (!networks) return networks.error();
  std::optional<std::vector<std::string>> anchors;
  if (cluster.ca_file) anchors = AnchorFingerprints(ca_files.Of(cluster));
  return ClusterRules{
      .name = cluster.name,
      .networks = std::move(networks).value(),
      .anchor_fingerprints = std::move(anchors),
      .ca_file = cluster.ca_file.value_or(""),
      .subjects = NormaliseSubjects(cluster),
      .ip_only = config::AcceptsAddressAlone(config, cluster),
  };
}

ClusterVerdict PeerAuthorizer::Check(const ClusterRules& rules, const PeerIdentity& peer) {
  if (auto why = CheckIp(rules.networks, peer.address)) return Fail(rules.name, Rule::kIp, *why);
  if (!rules.ip_only) {
    if (auto why = CheckCertificate(peer)) return Fail(rules.name, Rule::kCertificate, *why);
    if (rules.anchor_fingerprints) {
      auto why = CheckAnchor(*rules.anchor_fingerprints, rules.ca_file, peer);
      if (why) return Fail(rules.name, Rule::kTrustAnchor, *why);
    }
    auto why = CheckSubject(rules.subjects, peer.names);
    if (why) return Fail(rules.name, Rule::kSubject, *why);
  }
  ClusterVerdict verdict;
  verdict.cluster = rules.name;
  verdict.matched = true;
  return verdict;
}

AuthDecision PeerAuthorizer::Authorize(const PeerIdentity& peer) const {
  AuthDecision decision;
  decision.allowed = !enabled();
  for (const ClusterRules& rules : clusters_) {
    decision.verdicts.push_back(Check(rules, peer));
    if (decision.verdicts.back().matched) {
      decision.allowed = true;
      decision.cluster = rules.name;
      break;
    }
  }
  return decision;
}

bool PeerAuthorizer::MayAllow(const IpAddress& address) const {
  return !enabled() || std::any_of(clusters_.begin(), clusters_.end(), [&](const ClusterRules& r) {
    return !CheckIp(r.networks, address).has_value();
  });
}

std::string DescribeDenial(const AuthDecision& decision, const PeerIdentity& peer,
                           const PiiMasker& masker) {
  std::string line = "peer " + masker.Mask(peer.address.ToString());
  if (!peer.has_certificate) {
    line += " (no client certificate)";
  } else if (peer.names.empty()) {
    line += " (certificate without a usable CN or SAN)";
  } else {
    line += " (certificate names ";
    const char* separator = "";
    for (const std::string& name : peer.names) {
      line += separator + masker.Mask(name);
      separator = ", ";
    }
    line += ")";
  }
  if (decision.allowed) return line + " is allowed by cluster '" + decision.cluster + "'";
  line += " matches no cluster";
  const char* separator = ": ";
  for (const ClusterVerdict& verdict : decision.verdicts) {
    line += separator;
    line += "'" + verdict.cluster + "': " + std::string(ToString(verdict.failed_rule)) + " (" +
            verdict.why + ")";
    separator = "; ";
  }
  return line;
}

}  // namespace callgate::security
