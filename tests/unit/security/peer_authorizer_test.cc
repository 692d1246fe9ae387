#include "security/peer_authorizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_config.h"
#include "test_pki.h"

namespace callgate::security {
namespace {

using ::testing::HasSubstr;
using testing::MakeCluster;
using ::testing::Not;
using testing::Strings;
using testing::TestPki;

config::Config TableConfig() {
  TestPki& pki = TestPki::Get();
  config::Config config;
  config.file = "callgate.yaml";
  config.clusters = {
      MakeCluster("hq", Strings{"10.1.1.10", "10.1.1.11", "10.1.2.0/24", "2001:db8:1::/48"},
                  pki.root_a().cert_file,
                  Strings{"cucm-pub.example.com", "CUCM-SUB1.example.com", "10.1.1.50",
                          " 2001:DB8:0::50 "}),
      MakeCluster("branch", Strings{"10.2.1.0/24"}, pki.root_b().cert_file,
                  Strings{"cucm-branch.example.com"}),
      MakeCluster("issuing", Strings{"10.4.0.0/16"}, pki.intermediate_and_root_a_file(),
                  Strings{"cucm-sub2.example.com"}),
      MakeCluster("no-ips", std::nullopt, pki.root_a().cert_file, Strings{"cucm-pub.example.com"}),
      MakeCluster("no-subjects", Strings{"10.3.0.0/16"}, pki.root_a().cert_file, std::nullopt),
      MakeCluster("empty-lists", Strings{}, std::nullopt, Strings{}),
      MakeCluster("no-ca", Strings{"10.5.0.0/16"}, std::nullopt, Strings{"noca.example.com"}),
  };
  return config;
}

const PeerAuthorizer& TableAuthorizer() {
  static const PeerAuthorizer authorizer = [] {
    auto built = PeerAuthorizer::Build(TableConfig());
    if (!built) throw std::runtime_error(built.error().ToString());
    return std::move(built).value();
  }();
  return authorizer;
}

// A peer with a verified chain `chain` (leaf first) and the given certificate names.
PeerIdentity Peer(const std::string& ip, Strings names, Strings chain) {
  PeerIdentity peer;
  peer.address = *IpAddress::Parse(ip);
  peer.has_certificate = true;
  peer.chain_verified = true;
  peer.names = std::move(names);
  peer.verified_chain_sha256 = std::move(chain);
  peer.trust_anchor_sha256 = peer.verified_chain_sha256.back();
  return peer;
}

PeerIdentity PlainPeer(const std::string& ip) {
  PeerIdentity peer;
  peer.address = *IpAddress::Parse(ip);
  return peer;
}

PeerIdentity Unverified(PeerIdentity peer) {
  peer.chain_verified = false;
  peer.verified_chain_sha256.clear();
  peer.trust_anchor_sha256.clear();
  return peer;
}

std::string A() { return TestPki::Get().root_a().sha256; }
std::string B() { return TestPki::Get().root_b().sha256; }
std::string IA() { return TestPki::Get().intermediate_a().sha256; }
const char kLeaf[] = "leaf-fingerprint";
const char kPub[] = "cucm-pub.example.com";

struct AuthCase {
  std::string name;
  PeerIdentity peer;
  std::string allowed_by;  // the matching cluster; empty: denied
  std::string verdict_of;  // a cluster whose verdict to check, for denials
  Rule failed_rule = Rule::kIp;
};

AuthCase Allow(std::string name, PeerIdentity peer, std::string cluster) {
  return AuthCase{std::move(name), std::move(peer), std::move(cluster), "", Rule::kIp};
}

// Denied; `cluster`'s verdict must name `rule`.
AuthCase Deny(std::string name, PeerIdentity peer, std::string cluster, Rule rule) {
  return AuthCase{std::move(name), std::move(peer), "", std::move(cluster), rule};
}

class AuthorizeTest : public ::testing::TestWithParam<AuthCase> {};

TEST_P(AuthorizeTest, Decides) {
  const AuthCase& c = GetParam();
  AuthDecision decision = TableAuthorizer().Authorize(c.peer);
  EXPECT_EQ(decision.allowed, !c.allowed_by.empty());
  EXPECT_EQ(decision.cluster, c.allowed_by);
  if (!c.allowed_by.empty()) {
    ASSERT_FALSE(decision.verdicts.empty());
    EXPECT_TRUE(decision.verdicts.back().matched);
    EXPECT_EQ(decision.verdicts.back().cluster, c.allowed_by);
    return;
  }
  ASSERT_EQ(decision.verdicts.size(), TableConfig().clusters.size());
  for (const ClusterVerdict& verdict : decision.verdicts) {
    EXPECT_FALSE(verdict.matched) << verdict.cluster;
    // The reasons describe configuration only; the server masks peer data itself.
    EXPECT_THAT(verdict.why, Not(HasSubstr(c.peer.address.ToString()))) << verdict.cluster;
    for (const std::string& name : c.peer.names) {
      EXPECT_THAT(verdict.why, Not(HasSubstr(name))) << verdict.cluster;
    }
    if (verdict.cluster == c.verdict_of) {
      EXPECT_EQ(verdict.failed_rule, c.failed_rule) << verdict.cluster << ": " << verdict.why;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, AuthorizeTest,
    ::testing::Values(
        Allow("CnAndExactIp", Peer("10.1.1.10", {kPub}, {kLeaf, A()}), "hq"),
        Allow("DnsSanAndCidr",
              Peer("10.1.2.77", {"ucm node 2", "cucm-sub1.example.com"}, {kLeaf, A()}), "hq"),
        Allow("IpSan", Peer("10.1.1.11", {"ucm node 3", "10.1.1.50"}, {kLeaf, A()}), "hq"),
        Allow("Ipv6SanAgainstDifferentlyWrittenSubject",
              Peer("10.1.1.11", {"2001:db8::50"}, {kLeaf, A()}), "hq"),
        Allow("V4MappedPeerMatchesV4Rule", Peer("::ffff:10.1.2.3", {kPub}, {kLeaf, A()}), "hq"),
        Allow("V6Peer", Peer("2001:db8:1:2::9", {kPub}, {kLeaf, A()}), "hq"),
        Allow("IntermediateInChain", Peer("10.1.1.10", {kPub}, {kLeaf, IA(), A()}), "hq"),
        Allow("ClusterBAtBranch", Peer("10.2.1.5", {"cucm-branch.example.com"}, {kLeaf, B()}),
              "branch"),
        Allow("CaFileHoldingTheIntermediate",
              Peer("10.4.1.1", {"cucm-sub2.example.com"}, {kLeaf, IA(), A()}), "issuing"),
        Allow("ClusterWithoutCaFileTakesAnyVerifiedChain",
              Peer("10.5.0.1", {"noca.example.com"}, {kLeaf, B()}), "no-ca"),
        Deny("ClusterBCaWithClusterASubject", Peer("10.1.1.10", {kPub}, {kLeaf, B()}), "hq",
             Rule::kTrustAnchor),
        Deny("ClusterACaAtBranch", Peer("10.2.1.5", {"cucm-branch.example.com"}, {kLeaf, A()}),
             "branch", Rule::kTrustAnchor),
        Deny("IntermediateAsAnchorIsNotTheRoot", Peer("10.1.1.10", {kPub}, {kLeaf, IA()}), "hq",
             Rule::kTrustAnchor),
        Deny("WrongIp", Peer("10.9.9.9", {kPub}, {kLeaf, A()}), "hq", Rule::kIp),
        Deny("V4MappedOutsideRule", Peer("::ffff:10.1.3.1", {kPub}, {kLeaf, A()}), "hq", Rule::kIp),
        Deny("NoCertificate", PlainPeer("10.1.1.10"), "hq", Rule::kCertificate),
        Deny("UnverifiedCertificate", Unverified(Peer("10.1.1.10", {kPub}, {kLeaf, A()})), "hq",
             Rule::kCertificate),
        Deny("SubjectMismatch", Peer("10.1.1.10", {"other.example.com"}, {kLeaf, A()}), "hq",
             Rule::kSubject),
        Deny("OmittedAllowedIpsDeniesAll", Peer("10.1.1.99", {kPub}, {kLeaf, A()}), "no-ips",
             Rule::kIp),
        Deny("OmittedAllowedSubjectsDeniesAll", Peer("10.3.1.1", {kPub}, {kLeaf, A()}),
             "no-subjects", Rule::kSubject),
        Deny("EmptyListsDenyAll", Peer("10.6.0.1", {kPub}, {kLeaf, A()}), "empty-lists",
             Rule::kIp)),
    [](const auto& test) { return test.param.name; });

TEST(PeerAuthorizerTest, VerdictReasonsNameTheConfiguration) {
  AuthDecision decision = TableAuthorizer().Authorize(Peer("10.3.1.1", {kPub}, {kLeaf, B()}));
  ASSERT_FALSE(decision.allowed);
  std::map<std::string, std::string> why;
  for (const ClusterVerdict& verdict : decision.verdicts) why[verdict.cluster] = verdict.why;
  EXPECT_EQ(why["hq"], "address not in allowed_ips (4 entries)");
  EXPECT_EQ(why["no-ips"], "allowed_ips is not set, which denies every address");
  EXPECT_EQ(why["empty-lists"], "allowed_ips is empty, which denies every address");
  EXPECT_EQ(why["no-subjects"], "certificate chain does not lead to a CA in ca_file '" +
                                    TestPki::Get().root_a().cert_file + "'");
}

TEST(PeerAuthorizerTest, StopsAtTheFirstMatchingCluster) {
  AuthDecision decision =
      TableAuthorizer().Authorize(Peer("10.2.1.5", {"cucm-branch.example.com"}, {kLeaf, B()}));
  ASSERT_EQ(decision.verdicts.size(), 2u);
  EXPECT_EQ(decision.verdicts[0].cluster, "hq");
  EXPECT_FALSE(decision.verdicts[0].matched);
  EXPECT_TRUE(decision.verdicts[1].matched);
}

TEST(PeerAuthorizerTest, NoClustersAllowsEveryone) {
  auto authorizer = PeerAuthorizer::Build(config::Config{});
  ASSERT_TRUE(authorizer.ok());
  EXPECT_FALSE(authorizer->enabled());
  EXPECT_FALSE(authorizer->requires_client_certificate());
  AuthDecision decision = authorizer->Authorize(PlainPeer("203.0.113.5"));
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.verdicts.empty());
}

// MayAllow(address) is false exactly when Authorize() denies every identity from that address
// on allowed_ips alone, so the server may close such connections as it accepts them.
TEST(PeerAuthorizerTest, MayAllowAnAddressInSomeClustersAllowedIps) {
  const PeerAuthorizer& authorizer = TableAuthorizer();
  for (const char* inside : {"10.1.1.10", "10.1.2.77", "2001:db8:1::9", "10.2.1.1", "10.4.9.9",
                             "10.3.1.1", "10.5.0.1", "::ffff:10.1.1.11"}) {
    EXPECT_TRUE(authorizer.MayAllow(*IpAddress::Parse(inside))) << inside;
  }
  for (const char* outside : {"10.1.1.12", "192.0.2.1", "127.0.0.1", "2001:db8:2::1"}) {
    const IpAddress address = *IpAddress::Parse(outside);
    EXPECT_FALSE(authorizer.MayAllow(address)) << outside;
    // The best certificate there is does not change the answer.
    EXPECT_FALSE(authorizer.Authorize(Peer(outside, {kPub}, {kLeaf, A()})).allowed) << outside;
  }
  auto open = PeerAuthorizer::Build(config::Config{});
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->MayAllow(*IpAddress::Parse("203.0.113.5"))) << "no clusters: everyone";
}

TEST(PeerAuthorizerTest, RequiresClientCertificateWhenAnyClusterHasCaFile) {
  EXPECT_TRUE(TableAuthorizer().requires_client_certificate());
  EXPECT_TRUE(TableAuthorizer().enabled());
  config::Config config;
  config.clusters = {MakeCluster("ip", Strings{"10.0.0.0/8"}, std::nullopt, Strings{"x"})};
  auto authorizer = PeerAuthorizer::Build(config);
  ASSERT_TRUE(authorizer.ok());
  EXPECT_TRUE(authorizer->enabled());
  EXPECT_FALSE(authorizer->requires_client_certificate());
}

// The reference lets a cluster without ca_file and allowed_subjects filter by IP alone, but
// only in insecure mode.
TEST(PeerAuthorizerTest, IpOnlyClusterOnlyInInsecureMode) {
  config::Config config;
  config.clusters = {MakeCluster("lab", Strings{"10.7.0.0/16"}, std::nullopt, std::nullopt),
                     MakeCluster("lab-empty", Strings{"10.8.0.0/16"}, std::nullopt, Strings{})};
  config.insecure_mode = true;
  auto insecure = PeerAuthorizer::Build(config);
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE(insecure->Authorize(PlainPeer("10.7.1.1")).allowed);
  EXPECT_FALSE(insecure->Authorize(PlainPeer("10.9.1.1")).allowed);
  // An explicitly empty allowed_subjects still denies everything.
  EXPECT_FALSE(insecure->Authorize(PlainPeer("10.8.1.1")).allowed);

  config.insecure_mode = false;
  auto secure = PeerAuthorizer::Build(config);
  ASSERT_TRUE(secure.ok());
  AuthDecision decision = secure->Authorize(PlainPeer("10.7.1.1"));
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.verdicts[0].failed_rule, Rule::kCertificate);
}

TEST(PeerAuthorizerTest, InsecureModeStillChecksClustersWithCertificateRules) {
  config::Config config = TableConfig();
  config.insecure_mode = true;
  auto authorizer = PeerAuthorizer::Build(config);
  ASSERT_TRUE(authorizer.ok());
  EXPECT_FALSE(authorizer->Authorize(PlainPeer("10.1.1.10")).allowed);
  EXPECT_FALSE(authorizer->Authorize(PlainPeer("10.3.1.1")).allowed);  // no-subjects has ca_file
}

struct BuildErrorCase {
  std::string name;
  config::Cluster cluster;
  std::string key;
  std::vector<std::string> message_parts;
};

class BuildErrorTest : public ::testing::TestWithParam<BuildErrorCase> {};

TEST_P(BuildErrorTest, LocatesTheProblem) {
  const BuildErrorCase& c = GetParam();
  config::Config config;
  config.file = "callgate.yaml";
  config.clusters = {c.cluster};
  auto authorizer = PeerAuthorizer::Build(config);
  ASSERT_FALSE(authorizer.ok());
  EXPECT_EQ(authorizer.error().file, "callgate.yaml");
  EXPECT_EQ(authorizer.error().line, c.key.ends_with("ca_file") ? 9 : 8) << "the key's line";
  EXPECT_EQ(authorizer.error().key, c.key);
  for (const std::string& part : c.message_parts) {
    EXPECT_THAT(authorizer.error().message, HasSubstr(part));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, BuildErrorTest,
    ::testing::Values(
        BuildErrorCase{"BadAddress",
                       MakeCluster("hq", Strings{"10.1.1.300"}, std::nullopt, {}),
                       "clusters.hq.allowed_ips",
                       {"'10.1.1.300' is not an IP address"}},
        BuildErrorCase{"BadPrefix",
                       MakeCluster("hq", Strings{"10.1.0.0/33"}, std::nullopt, {}),
                       "clusters.hq.allowed_ips",
                       {"10.1.0.0/33"}},
        BuildErrorCase{
            "LeafAsCaFile",
            MakeCluster("hq", Strings{}, TestPki::Get().client_a_cn().cert_file, {}),
            "clusters.hq.ca_file",
            {TestPki::Get().client_a_cn().cert_file, "leaf", "CA:TRUE", "CallManager.pem"}},
        BuildErrorCase{
            "SelfSignedLeafAsCaFile",
            MakeCluster("hq", Strings{}, TestPki::Get().self_signed_leaf().cert_file, {}),
            "clusters.hq.ca_file",
            {"leaf", "CA:TRUE"}},
        BuildErrorCase{"IntermediateWithoutRoot",
                       MakeCluster("hq", Strings{}, TestPki::Get().intermediate_a().cert_file, {}),
                       "clusters.hq.ca_file",
                       {"holds only intermediate CA certificates", "Cluster A Issuing CA",
                        "Add the root CA certificate"}},
        BuildErrorCase{"MissingCaFile",
                       MakeCluster("hq", Strings{}, TestPki::Get().dir().Path("nope.pem"), {}),
                       "clusters.hq.ca_file",
                       {"nope.pem", "No such file"}},
        BuildErrorCase{"CaFileWithoutCertificate",
                       MakeCluster("hq", Strings{}, TestPki::Get().root_a().key_file, {}),
                       "clusters.hq.ca_file",
                       {"no PEM certificate"}}),
    [](const auto& test) { return test.param.name; });

// Build stops at the first cluster it cannot build; ClusterErrors names each one (for check).
TEST(PeerAuthorizerTest, ClusterErrorsNamesEveryClusterThatCannotBeBuilt) {
  config::Config config;
  config.clusters = {
      MakeCluster("hq", Strings{}, TestPki::Get().dir().Path("nope.pem"), {}),
      MakeCluster("good", Strings{"10.0.0.0/8"}, TestPki::Get().root_a().cert_file, {}),
      MakeCluster("branch", Strings{"10.1.0.0/33"}, std::nullopt, {}),
  };
  const std::vector<Error> errors = PeerAuthorizer::ClusterErrors(config);
  ASSERT_EQ(errors.size(), 2U);
  EXPECT_EQ(errors[0].key, "clusters.hq.ca_file");
  EXPECT_EQ(errors[1].key, "clusters.branch.allowed_ips");
  auto built = PeerAuthorizer::Build(config);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().ToString(), errors[0].ToString());
  config.clusters.erase(config.clusters.begin());
  config.clusters.pop_back();
  EXPECT_TRUE(PeerAuthorizer::ClusterErrors(config).empty());
}

TEST(DescribeDenialTest, MasksPeerDataAndNamesEachFailedRule) {
  PeerIdentity peer = Peer("10.9.9.9", {"cucm-pub.example.com", "10.1.1.10"}, {kLeaf, B()});
  AuthDecision decision = TableAuthorizer().Authorize(peer);
  PiiMasker masker(true);
  const std::string line = DescribeDenial(decision, peer, masker);
  EXPECT_THAT(line, HasSubstr(masker.Mask("10.9.9.9")));
  EXPECT_THAT(line, HasSubstr("(certificate names " + masker.Mask("cucm-pub.example.com") + ", " +
                              masker.Mask("10.1.1.10") + ")"));
  EXPECT_THAT(line, Not(HasSubstr("10.9.9.9")));
  EXPECT_THAT(line, Not(HasSubstr("10.1.1.10")));
  EXPECT_THAT(line, Not(HasSubstr("example.com")));
  EXPECT_THAT(line, HasSubstr("'hq': allowed_ips (address not in allowed_ips"));
  EXPECT_THAT(line, HasSubstr("'no-ips': allowed_ips (allowed_ips is not set"));
}

TEST(DescribeDenialTest, PlainWhenMaskingIsOff) {
  PeerIdentity peer = Peer("10.1.1.10", {kPub}, {kLeaf, B()});
  AuthDecision decision = TableAuthorizer().Authorize(peer);
  const std::string line = DescribeDenial(decision, peer, PiiMasker(false));
  EXPECT_THAT(line, HasSubstr("peer 10.1.1.10 (certificate names cucm-pub.example.com) matches "
                              "no cluster: 'hq': ca_file (certificate chain does not lead"));
  EXPECT_THAT(line, HasSubstr("'no-ips': allowed_ips (allowed_ips is not set"));
}

// allowed_subjects compares every CN and SAN, so the line names all of them, not just one CN.
TEST(DescribeDenialTest, NamesEveryCertificateNameTheSubjectRuleCompared) {
  PeerIdentity peer =
      Peer("10.1.1.10", {"other", "intruder.example.com", "10.1.1.99"}, {kLeaf, A()});
  const std::string line =
      DescribeDenial(TableAuthorizer().Authorize(peer), peer, PiiMasker(false));
  EXPECT_THAT(line, HasSubstr("(certificate names other, intruder.example.com, 10.1.1.99) "
                              "matches no cluster: 'hq': allowed_subjects"));
}

TEST(DescribeDenialTest, SaysWhenTheCertificateHasNoUsableName) {
  PeerIdentity peer = Peer("10.1.1.10", {}, {kLeaf, A()});
  const std::string line =
      DescribeDenial(TableAuthorizer().Authorize(peer), peer, PiiMasker(false));
  EXPECT_THAT(line, HasSubstr("peer 10.1.1.10 (certificate without a usable CN or SAN) matches"));
}

TEST(DescribeDenialTest, SaysWhenThereIsNoCertificate) {
  PeerIdentity peer = PlainPeer("10.1.1.10");
  const std::string line =
      DescribeDenial(TableAuthorizer().Authorize(peer), peer, PiiMasker(false));
  EXPECT_THAT(line, HasSubstr("peer 10.1.1.10 (no client certificate) matches no cluster"));
  EXPECT_THAT(line, HasSubstr("'hq': client certificate (no client certificate)"));
}

}  // namespace
}  // namespace callgate::security
