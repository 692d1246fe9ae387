// Real TLS handshakes against the server context, then IdentifyPeer and Authorize on the
// resulting session: the whole security layer as the server uses it, minus the sockets.
#include "security/peer_identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "security/handshake_failure.h"
#include "security/peer_authorizer.h"
#include "security/pii_masker.h"
#include "security/tls_context.h"
#include "test_config.h"
#include "test_pki.h"
#include "tls_test_client.h"

namespace callgate::security {
namespace {

using testing::ClientOptions;
using testing::Credential;
using ::testing::HasSubstr;
using testing::MakeCluster;
using testing::RunHandshake;
using testing::Strings;
using testing::TestPki;

const unsigned long kNoSharedCipher = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_SHARED_CIPHER);

config::Config MtlsConfig(const Credential& server) {
  TestPki& pki = TestPki::Get();
  return testing::ServerConfig(
      server, {MakeCluster("hq", Strings{"10.1.1.0/24"}, pki.root_a().cert_file,
                           Strings{"cucm-pub.example.com", "cucm-sub1.example.com", "10.1.1.50",
                                   "cucm-sub2.example.com"}),
               MakeCluster("branch", Strings{"10.2.1.0/24"}, pki.root_b().cert_file,
                           Strings{"cucm-branch.example.com"}),
               MakeCluster("selfsigned", Strings{"10.3.1.0/24"}, pki.ucm_self_signed().cert_file,
                           Strings{"cucm-selfsigned.example.com"}),
               MakeCluster("issuing", Strings{"10.4.1.0/24"}, pki.intermediate_and_root_a_file(),
                           Strings{"cucm-sub2.example.com"})});
}

class HandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new config::Config(MtlsConfig(TestPki::Get().server()));
    auto context = BuildTlsContext(*config_);
    ASSERT_TRUE(context.ok()) << context.error().ToString();
    context_ = new std::shared_ptr<const TlsContext>(std::move(context).value());
    auto authorizer = PeerAuthorizer::Build(*config_);
    ASSERT_TRUE(authorizer.ok()) << authorizer.error().ToString();
    authorizer_ = new PeerAuthorizer(std::move(authorizer).value());
  }
  static void TearDownTestSuite() {
    delete authorizer_;
    delete context_;
    delete config_;
  }

  static SSL_CTX* server() { return (*context_)->native(); }

  static ClientOptions Client(const Credential& credential) {
    ClientOptions options;
    options.credential = &credential;
    options.trusted_server = &TestPki::Get().server();
    return options;
  }

  // Handshake with `credential`, then identify the peer as coming from `ip` and authorize it.
  static AuthDecision Connect(const Credential& credential, const std::string& ip,
                              PeerIdentity* identity_out = nullptr) {
    auto result = RunHandshake(server(), Client(credential));
    EXPECT_TRUE(result.server_ok) << result.server_error;
    EXPECT_TRUE(result.client_ok);
    PeerIdentity identity = IdentifyPeer(*IpAddress::Parse(ip), result.server.get());
    EXPECT_TRUE(identity.chain_verified);
    if (identity_out != nullptr) *identity_out = identity;
    return authorizer_->Authorize(identity);
  }

  static config::Config* config_;
  static std::shared_ptr<const TlsContext>* context_;
  static PeerAuthorizer* authorizer_;
};

config::Config* HandshakeTest::config_ = nullptr;
std::shared_ptr<const TlsContext>* HandshakeTest::context_ = nullptr;
PeerAuthorizer* HandshakeTest::authorizer_ = nullptr;

TEST_F(HandshakeTest, NoClientCertificateFails) {
  auto result = RunHandshake(server(), ClientOptions{});
  EXPECT_FALSE(result.server_ok);
  EXPECT_THAT(result.server_error, HasSubstr("peer did not return a certificate"));
  EXPECT_FALSE(ClientCertificateRefusal(result.server.get()).has_value());
}

TEST_F(HandshakeTest, UnknownCaFails) {
  auto result = RunHandshake(server(), Client(TestPki::Get().client_unknown_ca()));
  EXPECT_FALSE(result.server_ok);
  EXPECT_THAT(result.server_error, HasSubstr("certificate verify failed"));
  EXPECT_EQ(SSL_get_verify_result(result.server.get()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(HandshakeTest, ExpiredCertificateFails) {
  auto result = RunHandshake(server(), Client(TestPki::Get().client_a_expired()));
  EXPECT_FALSE(result.server_ok);
  EXPECT_EQ(SSL_get_verify_result(result.server.get()), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(HandshakeTest, SelfSignedLeafFails) {
  auto result = RunHandshake(server(), Client(TestPki::Get().self_signed_leaf()));
  EXPECT_FALSE(result.server_ok);
  EXPECT_EQ(SSL_get_verify_result(result.server.get()), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

// What the log line of a refused client certificate is built from: OpenSSL keeps neither the
// certificate nor the depth of the error once the handshake has failed.
TEST_F(HandshakeTest, ARefusedCertificateIsRecordedWithTheReasonAndTheCertificate) {
  struct Case {
    std::string what;
    const Credential* client;
    std::string reason;
    std::string common_name;
    std::string issuer;
    int depth;
    std::string subject_at_depth;
  };
  TestPki& pki = TestPki::Get();
  const std::vector<Case> cases = {
      {"unknown CA", &pki.client_unknown_ca(), "unable to get local issuer certificate",
       "cucm-pub.example.com", "O = callgate tests, CN = Unknown Root CA", 0, ""},
      {"expired", &pki.client_a_expired(), "certificate has expired", "cucm-pub.example.com",
       "O = callgate tests, CN = Cluster A Root CA", 0, ""},
      {"self-signed leaf", &pki.self_signed_leaf(), "self-signed certificate",
       "cucm-pub.example.com", "O = callgate tests, CN = cucm-pub.example.com", 0, ""},
      {"expired intermediate", &pki.client_via_expired_intermediate(), "certificate has expired",
       "cucm-sub3.example.com", "O = callgate tests, CN = Expired Issuing CA", 1,
       "O = callgate tests, CN = Expired Issuing CA"},
  };
  for (const Case& c : cases) {
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
      ClientOptions options = Client(*c.client);
      options.min_version = options.max_version = version;
      auto result = RunHandshake(server(), options);
      EXPECT_FALSE(result.server_ok) << c.what;
      const auto refusal = ClientCertificateRefusal(result.server.get());
      ASSERT_TRUE(refusal.has_value()) << c.what << " " << version;
      EXPECT_EQ(refusal->reason, c.reason) << c.what;
      EXPECT_EQ(refusal->common_name, c.common_name) << c.what;
      EXPECT_EQ(refusal->issuer, c.issuer) << c.what;
      EXPECT_EQ(refusal->depth, c.depth) << c.what;
      EXPECT_EQ(refusal->subject_at_depth, c.subject_at_depth) << c.what;
      EXPECT_EQ(refusal->self_issued, c.what == "self-signed leaf") << c.what;
    }
  }
}

TEST_F(HandshakeTest, NothingIsRecordedForAnAcceptedCertificate) {
  auto result = RunHandshake(server(), Client(TestPki::Get().client_a_cn()));
  ASSERT_TRUE(result.server_ok) << result.server_error;
  EXPECT_FALSE(ClientCertificateRefusal(result.server.get()).has_value());
}

TEST(DescribeRefusalTest, NamesTheReasonTheCertificateAndItsIssuerWithTheCnMasked) {
  CertificateRefusal refusal{"unable to get local issuer certificate", "cucm-pub.example.com",
                             "O = Example, CN = Example Root CA", 0, ""};
  EXPECT_EQ(DescribeRefusal(refusal, PiiMasker(false)),
            "unable to get local issuer certificate: client certificate CN cucm-pub.example.com, "
            "issuer \"O = Example, CN = Example Root CA\"");

  // An issuer the trust store has is shown; any other is masked, being the client's to name.
  const PiiMasker masker(true);
  refusal.issuer_trusted = true;
  const std::string masked = DescribeRefusal(refusal, masker);
  EXPECT_THAT(masked, HasSubstr("client certificate CN " + masker.Mask("cucm-pub.example.com")));
  EXPECT_THAT(masked, ::testing::Not(HasSubstr("cucm-pub")));
  EXPECT_THAT(masked, HasSubstr("issuer \"O = Example, CN = Example Root CA\""));
  refusal.issuer_trusted = false;
  EXPECT_EQ(DescribeRefusal(refusal, masker),
            "unable to get local issuer certificate: client certificate CN " +
                masker.Mask("cucm-pub.example.com") + ", issuer " +
                masker.Mask("O = Example, CN = Example Root CA"));

  // Self-signed: its issuer is its subject, left out under obfuscate_pii like its CN.
  refusal = {"self-signed certificate", "Selma 4085550199", "CN = Selma 4085550199", 0, "", true};
  EXPECT_EQ(DescribeRefusal(refusal, PiiMasker(false)),
            "self-signed certificate: client certificate CN Selma 4085550199, issuer \"CN = Selma "
            "4085550199\"");
  EXPECT_EQ(DescribeRefusal(refusal, masker),
            "self-signed certificate: client certificate CN " + masker.Mask("Selma 4085550199") +
                ", issued by itself (its issuer, its own subject, is left out under "
                "obfuscate_pii)");

  refusal = {"certificate has expired", "", "CN = Issuing CA", 1, "CN = Issuing CA"};
  EXPECT_EQ(DescribeRefusal(refusal, PiiMasker(false)),
            "certificate has expired: CA certificate \"CN = Issuing CA\" in the chain of client "
            "certificate without CN, issuer \"CN = Issuing CA\"");
}

// Under obfuscate_pii the refusal line of a real handshake masks every name of the client's
// chain but the trust store's own: a client can make up a chain of CAs named after a person.
TEST(RefusalLineTest, UnderObfuscatePiiOnlyTheTrustStoresNamesOfTheChainAreShown) {
  TestPki& pki = TestPki::Get();
  const config::Config config = testing::ServerConfig(
      pki.server(),
      {MakeCluster("hq", Strings{"10.1.1.0/24"}, pki.root_a().cert_file,
                   Strings{"cucm-pub.example.com"}),
       MakeCluster("expired", Strings{"10.2.1.0/24"}, pki.expired_intermediate_and_root_a_file(),
                   Strings{"cucm-sub3.example.com"})});
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  const PiiMasker masker(true);
  const std::string personal = "O = callgate tests, CN = Zelda Quux Personal CA 14085559876";
  const std::string unknown_root = "O = callgate tests, CN = Unknown Root CA";
  const std::string root_a = "O = callgate tests, CN = Cluster A Root CA";
  const std::string expired = "O = callgate tests, CN = Expired Issuing CA";
  struct Case {
    const Credential* client;
    std::string line;  // after the reason
  };
  const std::string cn = "client certificate CN " + masker.Mask("cucm-pub.example.com");
  const std::vector<Case> cases = {
      {&pki.client_unknown_ca(), cn + ", issuer " + masker.Mask(unknown_root)},
      {&pki.client_via_personal_ca(), "CA certificate " + masker.Mask(personal) +
                                          " in the chain of " + cn + ", issuer " +
                                          masker.Mask(personal)},
      {&pki.client_a_expired(), cn + ", issuer \"" + root_a + "\""},
      {&pki.client_via_expired_intermediate(),
       "CA certificate \"" + expired + "\" in the chain of client certificate CN " +
           masker.Mask("cucm-sub3.example.com") + ", issuer \"" + expired + "\""},
  };
  for (const Case& c : cases) {
    ClientOptions options;
    options.credential = c.client;
    options.trusted_server = &pki.server();
    auto result = RunHandshake((*context)->native(), options);
    EXPECT_FALSE(result.server_ok);
    const std::string line = ExplainHandshakeFailure(result.server.get(), 0, masker);
    EXPECT_THAT(line, ::testing::EndsWith(": " + c.line)) << line;
    EXPECT_THAT(line, ::testing::Not(HasSubstr("Zelda"))) << line;
  }
}

TEST_F(HandshakeTest, TlsOneOneClientFails) {
  ClientOptions options = Client(TestPki::Get().client_a_cn());
  options.min_version = TLS1_VERSION;
  options.max_version = TLS1_1_VERSION;
  options.ciphers = "DEFAULT:@SECLEVEL=0";  // lets this OpenSSL still speak TLS 1.1
  options.security_level = 0;
  auto result = RunHandshake(server(), options);
  EXPECT_FALSE(result.server_ok);
  EXPECT_FALSE(result.client_ok);
  EXPECT_THAT(result.server_error, HasSubstr("unsupported protocol"));
}

TEST_F(HandshakeTest, TlsOneTwoAndOneThreeSucceed) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    ClientOptions options = Client(TestPki::Get().client_a_cn());
    options.min_version = options.max_version = version;
    auto result = RunHandshake(server(), options);
    EXPECT_TRUE(result.server_ok) << version << ": " << result.server_error;
    EXPECT_TRUE(result.client_ok) << version;
    EXPECT_EQ(SSL_version(result.server.get()), version);
  }
}

TEST_F(HandshakeTest, TlsOneTwoNegotiatesAnEcdheAeadSuite) {
  ClientOptions options = Client(TestPki::Get().client_a_cn());
  options.max_version = TLS1_2_VERSION;
  auto result = RunHandshake(server(), options);
  ASSERT_TRUE(result.server_ok) << result.server_error;
  EXPECT_EQ(std::string(SSL_get_cipher_name(result.server.get())), "ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST_F(HandshakeTest, RsaClientCertificate) {
  EXPECT_EQ(Connect(TestPki::Get().client_a_rsa(), "10.1.1.10").cluster, "hq");
}

TEST_F(HandshakeTest, CommonNameMatches) {
  PeerIdentity identity;
  AuthDecision decision = Connect(TestPki::Get().client_a_cn(), "10.1.1.10", &identity);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.cluster, "hq");
  EXPECT_TRUE(identity.has_certificate);
  EXPECT_THAT(identity.names, ::testing::ElementsAre("cucm-pub.example.com"));
  EXPECT_EQ(identity.trust_anchor_sha256, TestPki::Get().root_a().sha256);
  ASSERT_TRUE(identity.certificate.has_value());
  EXPECT_EQ(identity.certificate->sha256, TestPki::Get().client_a_cn().sha256);
}

TEST_F(HandshakeTest, DnsSanMatches) {
  EXPECT_EQ(Connect(TestPki::Get().client_a_dns(), "10.1.1.20").cluster, "hq");
}

TEST_F(HandshakeTest, IpSanMatches) {
  EXPECT_EQ(Connect(TestPki::Get().client_a_ip(), "::ffff:10.1.1.30").cluster, "hq");
}

TEST_F(HandshakeTest, WrongAddressIsDenied) {
  AuthDecision decision = Connect(TestPki::Get().client_a_cn(), "10.9.9.9");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.verdicts[0].failed_rule, Rule::kIp);
}

// The TLS trust store holds both roots, so B's certificate passes the handshake; per-cluster
// trust must still refuse it for cluster A.
TEST_F(HandshakeTest, ClusterBCaWithClusterASubjectIsDenied) {
  PeerIdentity identity;
  AuthDecision decision = Connect(TestPki::Get().client_b_with_a_subject(), "10.1.1.10", &identity);
  EXPECT_TRUE(identity.chain_verified);
  EXPECT_EQ(identity.trust_anchor_sha256, TestPki::Get().root_b().sha256);
  EXPECT_FALSE(decision.allowed);
  ASSERT_FALSE(decision.verdicts.empty());
  EXPECT_EQ(decision.verdicts[0].cluster, "hq");
  EXPECT_EQ(decision.verdicts[0].failed_rule, Rule::kTrustAnchor);
}

TEST_F(HandshakeTest, IntermediateIssuedLeafIsAcceptedWithTheRootAsAnchor) {
  TestPki& pki = TestPki::Get();
  PeerIdentity identity;
  AuthDecision decision = Connect(pki.client_a_via_intermediate(), "10.1.1.10", &identity);
  EXPECT_EQ(decision.cluster, "hq");
  EXPECT_THAT(identity.verified_chain_sha256,
              ::testing::ElementsAre(pki.client_a_via_intermediate().sha256,
                                     pki.intermediate_a().sha256, pki.root_a().sha256));
  EXPECT_EQ(identity.trust_anchor_sha256, pki.root_a().sha256);
}

TEST_F(HandshakeTest, CaFileWithIntermediateAndRootAnchorsItsCluster) {
  EXPECT_EQ(Connect(TestPki::Get().client_a_via_intermediate(), "10.4.1.1").cluster, "issuing");
}

// A client that sends only its leaf: the intermediate must come from a ca_file.
TEST_F(HandshakeTest, IntermediateFromTheTrustStore) {
  TestPki& pki = TestPki::Get();
  ClientOptions options = Client(pki.client_a_via_intermediate());
  options.send_chain = false;
  auto result = RunHandshake(server(), options);  // "issuing" lists intermediate A
  ASSERT_TRUE(result.server_ok) << result.server_error;
  PeerIdentity identity = IdentifyPeer(*IpAddress::Parse("10.1.1.10"), result.server.get());
  EXPECT_EQ(identity.verified_chain_sha256.size(), 3u);
  EXPECT_EQ(identity.trust_anchor_sha256, pki.root_a().sha256);
  EXPECT_EQ(authorizer_->Authorize(identity).cluster, "hq");

  config::Config roots_only = testing::ServerConfig(
      pki.server(), {MakeCluster("hq", Strings{"10.1.1.0/24"}, pki.root_a().cert_file,
                                 Strings{"cucm-sub2.example.com"})});
  auto context = BuildTlsContext(roots_only);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  auto refused = RunHandshake(context.value()->native(), options);
  EXPECT_FALSE(refused.server_ok);
  EXPECT_EQ(SSL_get_verify_result(refused.server.get()),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

// A self-signed UCM cluster presents CallManager.pem (CA:TRUE) and that same file is the
// cluster's ca_file: the verified chain is that one certificate.
TEST_F(HandshakeTest, UcmSelfSignedCertificateIsItsOwnAnchor) {
  PeerIdentity identity;
  AuthDecision decision = Connect(TestPki::Get().ucm_self_signed(), "10.3.1.1", &identity);
  EXPECT_EQ(decision.cluster, "selfsigned");
  EXPECT_EQ(identity.verified_chain_sha256.size(), 1u);
  EXPECT_EQ(identity.trust_anchor_sha256, TestPki::Get().ucm_self_signed().sha256);
}

// A renewed self-signed UCM certificate beside the old one: OpenSSL finds only the first of two
// trusted certificates with one subject and no authorityKeyIdentifier, yet both must verify in
// either order, each as its own anchor, so that each is attributed to the ca_file listing it.
class RenewedSelfSignedTest : public ::testing::Test {
 protected:
  // Clusters "old" (10.5.1.0/24) and "new" (10.6.1.0/24) each list one certificate; "overlap"
  // (10.7.1.0/24) lists `overlap`, in that order.
  static config::Config Config(const std::vector<const Credential*>& overlap) {
    TestPki& pki = TestPki::Get();
    std::string bundle;
    for (const Credential* credential : overlap) bundle += testing::CertPem(credential->cert.get());
    const Strings subjects{"cucm-renewed.example.com"};
    return testing::ServerConfig(
        pki.server(),
        {MakeCluster("old", Strings{"10.5.1.0/24"}, pki.ucm_renewed_old().cert_file, subjects),
         MakeCluster("new", Strings{"10.6.1.0/24"}, pki.ucm_renewed_new().cert_file, subjects),
         MakeCluster("overlap", Strings{"10.7.1.0/24"}, pki.dir().Write("overlap.pem", bundle),
                     subjects)});
  }
  static testing::HandshakeResult Handshake(const config::Config& config,
                                            const Credential& client) {
    auto context = BuildTlsContext(config);
    EXPECT_TRUE(context.ok()) << context.error().ToString();
    ClientOptions options;
    options.credential = &client;
    return RunHandshake(context.value()->native(), options);
  }
};

TEST_F(RenewedSelfSignedTest, BothVerifyInEitherOrderEachForTheClustersListingIt) {
  TestPki& pki = TestPki::Get();
  const Credential& old_cert = pki.ucm_renewed_old();
  const Credential& new_cert = pki.ucm_renewed_new();
  struct Case {
    const Credential* client;
    std::string own;    // the cluster listing only this certificate
    std::string other;  // the cluster listing only the other one
  };
  const std::vector<Case> cases = {{&old_cert, "old", "new"}, {&new_cert, "new", "old"}};
  const std::map<std::string, std::string> address = {
      {"old", "10.5.1.1"}, {"new", "10.6.1.1"}, {"overlap", "10.7.1.1"}};
  for (const auto& order : {std::vector{&old_cert, &new_cert}, std::vector{&new_cert, &old_cert}}) {
    const config::Config config = Config(order);
    auto authorizer = PeerAuthorizer::Build(config);
    ASSERT_TRUE(authorizer.ok()) << authorizer.error().ToString();
    for (const Case& c : cases) {
      const std::string what = c.own + (order[0] == c.client ? ", listed first" : ", second");
      auto result = Handshake(config, *c.client);
      ASSERT_TRUE(result.server_ok) << what << ": " << result.server_error;
      EXPECT_FALSE(ClientCertificateRefusal(result.server.get()).has_value()) << what;
      auto from = [&](const std::string& cluster) {
        return IdentifyPeer(*IpAddress::Parse(address.at(cluster)), result.server.get());
      };
      EXPECT_EQ(from(c.own).trust_anchor_sha256, c.client->sha256) << what;
      EXPECT_EQ(authorizer->Authorize(from(c.own)).cluster, c.own) << what;
      EXPECT_EQ(authorizer->Authorize(from("overlap")).cluster, "overlap") << what;
      const AuthDecision other = authorizer->Authorize(from(c.other));
      EXPECT_FALSE(other.allowed) << what;
      for (const ClusterVerdict& verdict : other.verdicts) {
        if (verdict.cluster == c.other) {
          EXPECT_EQ(verdict.failed_rule, Rule::kTrustAnchor) << what;
        }
      }
    }
  }
}

// Only a certificate that is in a ca_file is accepted this way, and only while it is valid.
TEST_F(RenewedSelfSignedTest, AnotherOfTheSubjectOrAnExpiredOneIsStillRefused) {
  TestPki& pki = TestPki::Get();
  const config::Config config = Config({&pki.ucm_renewed_old(), &pki.ucm_renewed_expired()});
  auto impostor = Handshake(config, pki.ucm_renewed_impostor());
  EXPECT_FALSE(impostor.server_ok);
  EXPECT_EQ(SSL_get_verify_result(impostor.server.get()), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  auto expired = Handshake(config, pki.ucm_renewed_expired());
  EXPECT_FALSE(expired.server_ok);
  EXPECT_EQ(SSL_get_verify_result(expired.server.get()), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(HandshakeTest, WithoutCaFileNoCertificateIsRequested) {
  config::Config config = testing::ServerConfig(
      TestPki::Get().server(),
      {MakeCluster("hq", Strings{"10.1.1.0/24"}, std::nullopt, Strings{"cucm-pub.example.com"})});
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  auto result = RunHandshake(context.value()->native(), Client(TestPki::Get().client_a_cn()));
  ASSERT_TRUE(result.server_ok) << result.server_error;
  PeerIdentity identity = IdentifyPeer(*IpAddress::Parse("10.1.1.10"), result.server.get());
  EXPECT_FALSE(identity.has_certificate);
  EXPECT_FALSE(identity.chain_verified);
  auto authorizer = PeerAuthorizer::Build(config);
  ASSERT_TRUE(authorizer.ok());
  AuthDecision decision = authorizer->Authorize(identity);
  EXPECT_FALSE(decision.allowed);  // fail closed: allowed_subjects needs a certificate
  EXPECT_EQ(decision.verdicts[0].failed_rule, Rule::kCertificate);
}

TEST(IdentifyPeerTest, PlainHttpHasOnlyAnAddress) {
  PeerIdentity identity = IdentifyPeer(*IpAddress::Parse("10.1.1.10"), nullptr);
  EXPECT_EQ(identity.address.ToString(), "10.1.1.10");
  EXPECT_FALSE(identity.has_certificate);
  EXPECT_FALSE(identity.chain_verified);
  EXPECT_TRUE(identity.names.empty());
  EXPECT_FALSE(identity.certificate.has_value());
}

// A client of only RSA key exchange suites shares none with the ECDSA server: the explanation
// lists the first twelve it offered and counts the rest.
TEST_F(HandshakeTest, NoSharedCipherListsWhatTheClientOffered) {
  ClientOptions options = Client(TestPki::Get().client_a_cn());
  options.max_version = TLS1_2_VERSION;
  options.ciphers = "kRSA:@SECLEVEL=0";
  options.security_level = 0;
  auto result = RunHandshake(server(), options);
  ASSERT_FALSE(result.server_ok);
  EXPECT_THAT(result.server_error, HasSubstr("no shared cipher"));
  const std::vector<std::string> offered = OfferedCipherSuites(result.server.get());
  ASSERT_GT(offered.size(), 12U);
  EXPECT_THAT(offered, ::testing::Contains("AES256-SHA"));
  const std::string explanation =
      ExplainHandshakeFailure(result.server.get(), kNoSharedCipher, PiiMasker(false));
  EXPECT_THAT(explanation, HasSubstr("; the client offered: " + offered[0] + ", " + offered[1]));
  EXPECT_THAT(explanation, HasSubstr(offered[11] + " and " + std::to_string(offered.size() - 12) +
                                     " more. AES256-SHA"));
  EXPECT_THAT(explanation, ::testing::Not(HasSubstr(offered[12] + ",")));
  // Another reason for the same failed handshake adds nothing.
  EXPECT_EQ(ExplainHandshakeFailure(result.server.get(), 0, PiiMasker(false)), "");
}

TEST_F(HandshakeTest, ARefusedCertificateIsExplainedWhateverTheError) {
  auto result = RunHandshake(server(), Client(TestPki::Get().client_unknown_ca()));
  ASSERT_FALSE(result.server_ok);
  EXPECT_EQ(ExplainHandshakeFailure(result.server.get(), 0, PiiMasker(false)),
            "; unable to get local issuer certificate: client certificate CN "
            "cucm-pub.example.com, issuer \"O = callgate tests, CN = Unknown Root CA\"");
}

// The client refuses callgate's certificate with an alert that OpenSSL words "tlsv1 alert
// unknown ca", which reads as if callgate had refused a CA: the explanation says who refused what.
TEST_F(HandshakeTest, AClientThatDoesNotTrustCallgateIsExplained) {
  ClientOptions options = Client(TestPki::Get().client_a_cn());
  options.trusted_server = &TestPki::Get().root_c();  // not what issued callgate's certificate
  auto result = RunHandshake(server(), options);
  ASSERT_FALSE(result.server_ok);
  EXPECT_THAT(result.server_error, HasSubstr("tlsv1 alert unknown ca"));
  EXPECT_FALSE(NoClientHello(result.server.get()));
  const unsigned long unknown_ca = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_UNKNOWN_CA);
  EXPECT_EQ(ExplainHandshakeFailure(result.server.get(), unknown_ca, PiiMasker(false)),
            "; the client does not trust callgate's certificate: check that UCM's "
            "CallManager-trust holds it, or the CA that issued it (docs/ucm-setup.md, Step 3)");
}

// Bytes that are not TLS at all, fed to a server SSL; returns the OpenSSL error it fails with.
unsigned long FailWithBytes(SSL* ssl, const std::string& bytes) {
  BIO* in = BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()));
  SSL_set_bio(ssl, in, BIO_new(BIO_s_mem()));
  SSL_set_accept_state(ssl);
  ERR_clear_error();
  EXPECT_NE(SSL_do_handshake(ssl), 1);
  const unsigned long error = ERR_peek_last_error();
  ERR_clear_error();
  return error;
}

TEST_F(HandshakeTest, PlainHttpToTheTlsListenerIsExplained) {
  testing::SslPtr ssl(SSL_new(server()));
  const unsigned long error = FailWithBytes(ssl.get(), "POST /curri HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ERR_GET_REASON(error), SSL_R_HTTP_REQUEST);
  EXPECT_EQ(ExplainHandshakeFailure(ssl.get(), error, PiiMasker(false)),
            "; the client sent plain HTTP to this TLS listener: the PDP URL must start with "
            "https://");
}

// A connection closed before any hello (a load balancer's TCP check) is told apart from a
// handshake that failed later.
TEST_F(HandshakeTest, NoClientHelloUntilOneHasArrived) {
  testing::SslPtr idle(SSL_new(server()));
  EXPECT_TRUE(NoClientHello(idle.get()));
  const unsigned long eof = FailWithBytes(idle.get(), "");
  EXPECT_TRUE(NoClientHello(idle.get()));
  EXPECT_EQ(ExplainHandshakeFailure(idle.get(), eof, PiiMasker(false)), "");
  auto done = RunHandshake(server(), Client(TestPki::Get().client_a_cn()));
  ASSERT_TRUE(done.server_ok) << done.server_error;
  EXPECT_FALSE(NoClientHello(done.server.get()));
}

class LegacyCipherTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

// Old UCM releases offer only TLS_RSA_WITH_AES_256_CBC_SHA over TLS 1.2: it works only when
// tls_legacy_ciphers is on and the server key is RSA (the suite has no ECDSA variant).
TEST_P(LegacyCipherTest, Aes256ShaOnlyClient) {
  const auto [legacy, rsa_key] = GetParam();
  TestPki& pki = TestPki::Get();
  const Credential& server_credential = rsa_key ? pki.server_rsa() : pki.server();
  config::Config config = MtlsConfig(server_credential);
  config.tls_legacy_ciphers = legacy;
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  ClientOptions options;
  options.credential = &pki.client_a_cn();
  options.max_version = TLS1_2_VERSION;
  options.ciphers = "AES256-SHA";
  options.trusted_server = &server_credential;
  auto result = RunHandshake(context.value()->native(), options);
  const bool expect_success = legacy && rsa_key;
  EXPECT_EQ(result.server_ok, expect_success) << result.server_error;
  if (expect_success) {
    EXPECT_EQ(std::string(SSL_get_cipher_name(result.server.get())), "AES256-SHA");
    PeerIdentity identity = IdentifyPeer(*IpAddress::Parse("10.1.1.10"), result.server.get());
    EXPECT_TRUE(identity.chain_verified);
  } else {
    EXPECT_THAT(result.server_error, HasSubstr("no shared cipher"));
    EXPECT_THAT(OfferedCipherSuites(result.server.get()), ::testing::ElementsAre("AES256-SHA"));
    EXPECT_EQ(ExplainHandshakeFailure(result.server.get(), kNoSharedCipher, PiiMasker(false)),
              "; the client offered: AES256-SHA. AES256-SHA, what old UCM releases offer, needs "
              "tls_legacy_ciphers: true and an RSA server key (docs/ucm-setup.md, Step 1)");
  }
}

INSTANTIATE_TEST_SUITE_P(LegacyAndKeyType, LegacyCipherTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

}  // namespace
}  // namespace callgate::security
