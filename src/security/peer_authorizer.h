// PeerAuthorizer: decides whether a peer may use /curri, from the `clusters` of the
// configuration (README "Cluster Configuration"). A peer is allowed when it matches at least one
// cluster; matching a cluster means passing every one of its rules, checked in this order:
//
//   kIp           allowed_ips contains the peer's address (an IPv4-mapped IPv6 peer counts as
//                 IPv4). Omitted or empty: denies every address.
//   kCertificate  the peer presented a client certificate and OpenSSL verified its chain.
//   kTrustAnchor  (only when the cluster has a ca_file) the trust anchor of the verified
//                 chain (its self-signed root) is a certificate of THIS cluster's ca_file,
//                 compared by SHA-256. Every ca_file is in the one TLS trust store, so without
//                 this rule a certificate from cluster B's CA carrying cluster A's subject would
//                 pass as A.
//   kSubject      a CN, DNS SAN or IP SAN of the certificate equals an allowed_subjects entry,
//                 ignoring ASCII case (IP entries compare as addresses). Omitted or empty:
//                 denies every certificate.
//
// One exception, as in the reference service: with insecure_mode on, a cluster with neither
// ca_file nor allowed_subjects (the keys absent, not empty lists) is IP-only: kCertificate and
// kSubject are skipped for it. In secure mode such a cluster matches nobody.
//
// Immutable after Build(); Authorize() is const and safe to call from any number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_network.h"
#include "common/result.h"
#include "config/config.h"
#include "security/ca_file.h"
#include "security/peer_identity.h"
#include "security/pii_masker.h"

namespace callgate::security {

enum class Rule : std::uint8_t { kIp, kCertificate, kTrustAnchor, kSubject };

// The configuration key a rule checks: "allowed_ips", "client certificate", "ca_file",
// "allowed_subjects".
std::string_view ToString(Rule rule);

struct ClusterVerdict {
  std::string cluster;
  bool matched = false;
  Rule failed_rule = Rule::kIp;  // meaningful only when !matched
  // Why the rule failed, in terms of the configuration only: never the peer's address or
  // certificate names (callers log those separately, masked when obfuscate_pii is on).
  std::string why;
};

struct AuthDecision {
  bool allowed = false;
  std::string cluster;  // the first matching cluster; empty when denied or when !enabled()
  // One verdict per cluster checked, in configuration order. Checking stops at the first match,
  // so a denial carries a verdict for every cluster.
  std::vector<ClusterVerdict> verdicts;
};

class PeerAuthorizer {
 public:
  // Parses every allowed_ips entry (IpNetwork::Parse, as the configuration checked them) and
  // takes each cluster's trust anchors from `ca_files`, loaded from the same `config`. Errors
  // name the configuration file, the cluster's line and the key ("clusters.<name>.allowed_ips").
  static Result<PeerAuthorizer> Build(const config::Config& config, const CaFiles& ca_files);
  // The same, loading the ca_files itself (CaFiles::Load, whose errors it returns). Reads files;
  // call it off the I/O threads.
  static Result<PeerAuthorizer> Build(const config::Config& config);
  // What Build would refuse, for every cluster rather than the first: at most one error per
  // cluster, in configuration order. Empty when Build succeeds. Reads files, as Build.
  static std::vector<Error> ClusterErrors(const config::Config& config);

  // False when no clusters are defined: Authorize() then allows everyone. (The configuration
  // permits no clusters only with insecure_mode; see config::ValidateSecurity.)
  bool enabled() const { return !clusters_.empty(); }
  // Some cluster has a ca_file: the TLS context demands a client certificate.
  bool requires_client_certificate() const { return requires_client_certificate_; }

  // O(clusters x (allowed_ips + log(ca certificates) + names x log(subjects))); allocates only
  // the verdict strings.
  AuthDecision Authorize(const PeerIdentity& peer) const;

  // False when the address alone settles that Authorize() will deny: clusters are defined and
  // none lists it in allowed_ips. Lets the server close such a connection as it accepts it,
  // before a TLS handshake and without holding a connection slot. O(clusters x allowed_ips).
  bool MayAllow(const IpAddress& address) const;

 private:
  struct ClusterRules {
    std::string name;
    std::optional<std::vector<IpNetwork>> networks;               // nullopt: key absent
    std::optional<std::vector<std::string>> anchor_fingerprints;  // nullopt: no ca_file
    std::string ca_file;
    std::optional<std::vector<std::string>> subjects;  // normalised and sorted; nullopt: absent
    bool ip_only = false;  // insecure_mode, no ca_file, no allowed_subjects
  };

  PeerAuthorizer(std::vector<ClusterRules> clusters, bool requires_client_certificate)
      : clusters_(std::move(clusters)), requires_client_certificate_(requires_client_certificate) {}

  static Result<ClusterRules> BuildCluster(const config::Config& config,
                                           const config::Cluster& cluster, const CaFiles& ca_files);
  static ClusterVerdict Check(const ClusterRules& rules, const PeerIdentity& peer);

  std::vector<ClusterRules> clusters_;
  bool requires_client_certificate_ = false;
};

// One log line for a denial: the peer's address and the certificate's names as allowed_subjects
// compares them (PeerIdentity::names: every CN and DNS/IP SAN; each through `masker`, so masked
// when obfuscate_pii is on) and, per cluster, the rule that failed and why. E.g.
//   peer 10.9.9.9 (certificate names cucm-pub.example.com, 10.9.9.9) matches no cluster:
//   'hq': allowed_ips (address not in allowed_ips, 3 entries); 'branch': ca_file (...)
std::string DescribeDenial(const AuthDecision& decision, const PeerIdentity& peer,
                           const PiiMasker& masker);

}  // namespace callgate::security
