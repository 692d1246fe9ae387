#include "security/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/file_stream.h"
#include "support/change_at_first_read.h"
#include "test_config.h"
#include "test_pki.h"

namespace callgate::security {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeCluster;
using testing::ServerConfig;
using testing::Strings;
using testing::TestPki;

std::string EncryptedKeyFile() {
  TestPki& pki = TestPki::Get();
  BIO* bio = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  PEM_write_bio_PrivateKey(bio, pki.server().key.get(), EVP_aes_256_cbc(),
                           reinterpret_cast<unsigned char*>(passphrase), 6, nullptr, nullptr);
  return pki.dir().Write("encrypted.key", testing::BioContents(bio));
}

config::Cluster ClusterWithCa(const std::string& name, const std::string& ca_file) {
  return MakeCluster(name, Strings{"10.0.0.0/8"}, ca_file, Strings{"x.example.com"});
}

struct ErrorCase {
  std::string name;
  std::function<config::Config()> make;
  std::string key;
  std::vector<std::string> message_parts;
};

class BuildTlsContextErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(BuildTlsContextErrorTest, NamesTheKeyTheFileAndTheProblem) {
  const ErrorCase& c = GetParam();
  auto context = BuildTlsContext(c.make());
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error().file, "callgate.yaml");
  EXPECT_EQ(context.error().key, c.key);
  for (const std::string& part : c.message_parts) {
    EXPECT_THAT(context.error().message, HasSubstr(part));
  }
}

config::Config WithCert(std::string cert_file) {
  config::Config config = ServerConfig(TestPki::Get().server());
  config.tls_cert_file = std::move(cert_file);
  config.key_lines["tls_cert_file"] = 3;
  return config;
}

config::Config WithKey(std::string key_file) {
  config::Config config = ServerConfig(TestPki::Get().server());
  config.tls_key_file = std::move(key_file);
  return config;
}

config::Config WithCaFile(std::string ca_file) {
  return ServerConfig(TestPki::Get().server(), {ClusterWithCa("hq", std::move(ca_file))});
}

std::string Missing() { return TestPki::Get().dir().Path("missing.pem"); }
std::string Garbage() { return TestPki::Get().dir().Write("garbage.pem", "not PEM at all\n"); }

INSTANTIATE_TEST_SUITE_P(
    Table, BuildTlsContextErrorTest,
    ::testing::Values(
        ErrorCase{"MissingCertificate",
                  [] { return WithCert(Missing()); },
                  "tls_cert_file",
                  {Missing(), "cannot open: No such file or directory"}},
        ErrorCase{"GarbageCertificate",
                  [] { return WithCert(Garbage()); },
                  "tls_cert_file",
                  {Garbage(), "no PEM certificate found"}},
        ErrorCase{"KeyGivenAsCertificate",
                  [] { return WithCert(TestPki::Get().server().key_file); },
                  "tls_cert_file",
                  {"no PEM certificate found"}},
        ErrorCase{"MissingKey",
                  [] { return WithKey(Missing()); },
                  "tls_key_file",
                  {Missing(), "No such file"}},
        ErrorCase{"GarbageKey",
                  [] { return WithKey(Garbage()); },
                  "tls_key_file",
                  {Garbage(), "not a PEM private key"}},
        ErrorCase{"CertificateGivenAsKey",
                  [] { return WithKey(TestPki::Get().server().cert_file); },
                  "tls_key_file",
                  {"not a PEM private key"}},
        ErrorCase{"EncryptedKey",
                  [] { return WithKey(EncryptedKeyFile()); },
                  "tls_key_file",
                  {"encrypted", "unencrypted"}},
        ErrorCase{"MismatchedKey",
                  [] { return WithKey(TestPki::Get().client_a_cn().key_file); },
                  "tls_key_file",
                  {TestPki::Get().client_a_cn().key_file, "does not match the certificate",
                   TestPki::Get().server().cert_file}},
        ErrorCase{"RsaKeyForEcdsaCertificate",
                  [] { return WithKey(TestPki::Get().server_rsa().key_file); },
                  "tls_key_file",
                  {"does not match"}},
        ErrorCase{
            "CertificateWithoutKey", [] { return WithKey(""); }, "tls_key_file", {"is not set"}},
        ErrorCase{
            "KeyWithoutCertificate", [] { return WithCert(""); }, "tls_cert_file", {"is not set"}},
        ErrorCase{"LeafAsCaFile",
                  [] { return WithCaFile(TestPki::Get().client_a_cn().cert_file); },
                  "clusters.hq.ca_file",
                  {TestPki::Get().client_a_cn().cert_file, "is a leaf certificate", "CA:TRUE",
                   "root CA"}},
        ErrorCase{"IntermediateWithoutRoot",
                  [] { return WithCaFile(TestPki::Get().intermediate_a().cert_file); },
                  "clusters.hq.ca_file",
                  {"holds only intermediate CA certificates"}},
        ErrorCase{"CaFileWithoutCertificate",
                  [] { return WithCaFile(Garbage()); },
                  "clusters.hq.ca_file",
                  {Garbage(), "no PEM certificate"}},
        ErrorCase{"MissingCaFile",
                  [] { return WithCaFile(Missing()); },
                  "clusters.hq.ca_file",
                  {Missing(), "No such file"}}),
    [](const auto& test) { return test.param.name; });

TEST(BuildTlsContextTest, ErrorCarriesTheLineOfTheKey) {
  auto context = BuildTlsContext(WithCert(Missing()));
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error().line, 3);
  EXPECT_EQ(context.error().ToString().rfind("callgate.yaml:3: key 'tls_cert_file': '", 0), 0u)
      << context.error().ToString();
}

// Each TLS file caught while it is written is refused, with its key: a certificate file cut
// short, or holding a chain and a key of two versions, must not go into service.
TEST(BuildTlsContextTest, RefusesATlsFileThatChangedWhileItWasRead) {
  if (!callgate::testing::ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  TestPki& pki = TestPki::Get();
  for (const std::string key : {"tls_cert_file", "tls_key_file", "clusters.hq.ca_file"}) {
    SCOPED_TRACE(key);
    const testing::TempDir dir;
    config::Config config = ServerConfig(pki.server(), {ClusterWithCa("hq", "")});
    config.tls_cert_file = dir.Write("server.crt", testing::CertPem(pki.server().cert.get()));
    config.tls_key_file = dir.Write("server.key", testing::KeyPem(pki.server().key.get()));
    config.clusters[0].ca_file = dir.Write("ca.pem", testing::CertPem(pki.root_a().cert.get()));
    const std::string& path = key == "tls_cert_file"  ? config.tls_cert_file
                              : key == "tls_key_file" ? config.tls_key_file
                                                      : *config.clusters[0].ca_file;
    ASSERT_TRUE(BuildTlsContext(config).ok()) << "the files as they are load";
    const callgate::testing::ChangeAtFirstRead writer(
        path, [&] { std::ofstream(path, std::ios::binary | std::ios::app) << "\n"; });
    auto context = BuildTlsContext(config);
    ASSERT_TRUE(writer.changed());
    ASSERT_FALSE(context.ok()) << "built from a file being written";
    EXPECT_EQ(context.error().key, key);
    EXPECT_THAT(context.error().message,
                ::testing::StartsWith("'" + path +
                                      "': changed while it was read (its size went "
                                      "from "));
    EXPECT_THAT(context.error().message, HasSubstr("rename it into place"));
    EXPECT_TRUE(ChangedWhileRead(context.error()));
  }
}

TEST(BuildTlsContextTest, TlsOneTwoAndOneThreeOnly) {
  auto context = BuildTlsContext(ServerConfig(TestPki::Get().server()));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  SSL_CTX* native = context.value()->native();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(native), TLS1_3_VERSION);
  const uint64_t options = SSL_CTX_get_options(native);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_TRUE(options & SSL_OP_NO_TICKET);
  EXPECT_EQ(SSL_CTX_get_num_tickets(native), 0u);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(native), SSL_SESS_CACHE_OFF);
}

std::vector<std::string> CipherNames(SSL_CTX* context) {
  std::vector<std::string> names;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(context);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    names.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  }
  return names;
}

TEST(BuildTlsContextTest, ModernCiphersByDefault) {
  auto context = BuildTlsContext(ServerConfig(TestPki::Get().server()));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  std::vector<std::string> names = CipherNames(context.value()->native());
  EXPECT_THAT(names, ::testing::Contains("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_THAT(names, ::testing::Contains("ECDHE-RSA-CHACHA20-POLY1305"));
  EXPECT_THAT(names, ::testing::Contains("TLS_AES_256_GCM_SHA384"));
  EXPECT_THAT(names, ::testing::Not(::testing::Contains("AES256-SHA")));
  for (const std::string& name : names) {
    // TLS 1.2 suites all use ECDHE and an AEAD; the TLS 1.3 ones start with TLS_.
    EXPECT_TRUE(name.starts_with("TLS_") ||
                (name.starts_with("ECDHE-") && (name.find("GCM") != std::string::npos ||
                                                name.find("CHACHA20") != std::string::npos)))
        << name;
  }
}

TEST(BuildTlsContextTest, LegacyCipherIsLast) {
  config::Config config = ServerConfig(TestPki::Get().server_rsa());
  config.tls_legacy_ciphers = true;
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  std::vector<std::string> names = CipherNames(context.value()->native());
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.back(), "AES256-SHA");
}

// UCM refuses an expired server certificate: starting (or reloading) with one would refuse every
// connection, so it is an error, not a warning.
TEST(BuildTlsContextTest, AnExpiredServerCertificateIsAnError) {
  auto context = BuildTlsContext(ServerConfig(TestPki::Get().server_expired()));
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error().key, "tls_cert_file");
  EXPECT_THAT(context.error().message,
              ::testing::AllOf(HasSubstr("': the certificate expired on "),
                               HasSubstr("UCM refuses an expired certificate: renew it")));
}

TEST(BuildTlsContextTest, WarningsForSettingsThatCannotWork) {
  config::Config legacy_ecdsa = ServerConfig(TestPki::Get().server_expiring());
  legacy_ecdsa.tls_legacy_ciphers = true;
  auto context = BuildTlsContext(legacy_ecdsa);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  const auto& warnings = context.value()->warnings();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("the certificate expires on"));
  EXPECT_THAT(warnings[1], HasSubstr("server key is not RSA"));

  config::Config legacy_rsa = ServerConfig(TestPki::Get().server_rsa());
  legacy_rsa.tls_legacy_ciphers = true;
  auto fine = BuildTlsContext(legacy_rsa);
  ASSERT_TRUE(fine.ok()) << fine.error().ToString();
  EXPECT_TRUE(fine.value()->warnings().empty());
}

struct KeyModeCase {
  mode_t mode;
  std::string warning;  // after "the private key is "; empty: none
};

// A key other users can read is no longer private, and one they can write they can replace: the
// production checklist's mode is 600. Warned about, not refused (tls_key_file's owner may be
// the only member of its group).
TEST(BuildTlsContextTest, WarnsOfAKeyOtherUsersCanReadOrWrite) {
  const std::vector<KeyModeCase> cases = {
      {0600, ""},
      {0400, ""},
      {0700, ""},
      {0610, ""},  // an execute bit gives nothing away
      {0640, "readable by its group (mode 0640)"},
      {0604, "readable by other users (mode 0604)"},
      {0644, "readable by its group and other users (mode 0644)"},
      {0620, "writable by its group (mode 0620)"},
      {0666,
       "readable by its group and other users and writable by its group and other users (mode "
       "0666)"},
  };
  const testing::TempDir dir;
  const std::string key =
      dir.Write("server.key", testing::KeyPem(TestPki::Get().server().key.get()));
  config::Config config = ServerConfig(TestPki::Get().server());
  config.tls_key_file = key;
  for (const KeyModeCase& c : cases) {
    SCOPED_TRACE(c.mode);
    ASSERT_EQ(chmod(key.c_str(), c.mode), 0);
    auto context = BuildTlsContext(config);
    ASSERT_TRUE(context.ok()) << context.error().ToString();
    if (c.warning.empty()) {
      EXPECT_TRUE(context.value()->warnings().empty());
      continue;
    }
    EXPECT_THAT(context.value()->warnings(),
                ElementsAre("tls_key_file '" + key + "': the private key is " + c.warning +
                            "; make it readable by callgate's user alone: chmod 600 '" + key +
                            "', and chown it to that user (callgate under "
                            "deploy/callgate.service)"));
  }
}

TEST(BuildTlsContextTest, ACertificateAboutToExpireIsAWarningAtOnce) {
  auto context = BuildTlsContext(ServerConfig(TestPki::Get().server_expiring()));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  const auto& warnings = context.value()->warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("': the certificate expires on "));
  // Ten days from when the test PKI was made, less the seconds since.
  EXPECT_THAT(warnings[0], ::testing::AnyOf(HasSubstr(", in 10 days; renew it"),
                                            HasSubstr(", in 9 days; renew it")));
}

// ExpiryWarnings at chosen times before and after each certificate's notAfter.
TEST(BuildTlsContextTest, ExpiryWarningsCountDownToEachCertificatesEnd) {
  TestPki& pki = TestPki::Get();
  auto context =
      BuildTlsContext(ServerConfig(pki.server(), {ClusterWithCa("hq", pki.root_a().cert_file)}));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  const TlsContext& tls = *context.value();
  constexpr std::int64_t kDay = 24 * 60 * 60;
  const std::int64_t server_end = tls.server_certificate().not_after_unix;
  ASSERT_EQ(tls.trust_store().size(), 1u);
  const std::int64_t ca_end = tls.trust_store()[0].certificate.not_after_unix;
  ASSERT_GT(server_end, 0);
  ASSERT_GT(ca_end, 0);
  const std::int64_t first = std::min(server_end, ca_end);
  EXPECT_TRUE(tls.ExpiryWarnings(first - kExpiryNoticeDays * kDay).empty());

  auto server_only = [&](std::int64_t now) {
    std::vector<std::string> all = tls.ExpiryWarnings(now);
    std::erase_if(all, [](const std::string& w) { return w.starts_with("ca_file"); });
    return all;
  };
  EXPECT_THAT(
      server_only(server_end - kExpiryNoticeDays * kDay + 1),
      ElementsAre(HasSubstr("expires on " + tls.server_certificate().not_after + ", in 29 days;")));
  EXPECT_THAT(server_only(server_end - kDay), ElementsAre(HasSubstr(", in 1 day;")));
  EXPECT_THAT(server_only(server_end - 60), ElementsAre(HasSubstr(", within a day;")));
  EXPECT_THAT(server_only(server_end), ElementsAre(HasSubstr("the certificate expired on " +
                                                             tls.server_certificate().not_after +
                                                             "; UCM will refuse the connection")));

  auto ca_only = [&](std::int64_t now) {
    std::vector<std::string> all = tls.ExpiryWarnings(now);
    std::erase_if(all, [](const std::string& w) { return !w.starts_with("ca_file"); });
    return all;
  };
  EXPECT_THAT(ca_only(ca_end - 3 * kDay),
              ElementsAre("ca_file '" + pki.root_a().cert_file +
                          "' (cluster 'hq'): certificate \"O = callgate tests, CN = Cluster A "
                          "Root CA\" expires on " +
                          tls.trust_store()[0].certificate.not_after +
                          ", in 3 days; client certificates that chain to it will be refused "
                          "from then on"));
  EXPECT_THAT(ca_only(ca_end + kDay), ElementsAre(HasSubstr("expired on")));
}

// UCM checks every certificate callgate sends, so an intermediate that expires before the leaf
// ends the chain's life first: it is warned about, and it is what days_left counts down to.
TEST(BuildTlsContextTest, AnIntermediateOfTheServerChainExpiresFirst) {
  TestPki& pki = TestPki::Get();
  auto context = BuildTlsContext(ServerConfig(pki.server_via_short_intermediate()));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  const TlsContext& tls = *context.value();
  ASSERT_EQ(tls.server_chain().size(), 2u);
  const CertificateSummary& intermediate = tls.server_chain()[1];
  EXPECT_EQ(intermediate.sha256, pki.intermediate_a_short().sha256);
  EXPECT_EQ(tls.server_chain_not_after_unix(), intermediate.not_after_unix);
  EXPECT_LT(tls.server_chain_not_after_unix(), tls.server_certificate().not_after_unix);

  const std::string name = "tls_cert_file '" + pki.server_via_short_intermediate().cert_file +
                           "': certificate #2 \"O = callgate tests, CN = Short-lived Issuing "
                           "CA\" of the chain callgate sends ";
  // At start-up (and reload): twenty days from when the test PKI was made, less the seconds since.
  EXPECT_THAT(tls.warnings(),
              ElementsAre(::testing::AnyOf(
                  HasSubstr(name + "expires on " + intermediate.not_after + ", in 20 days;"),
                  HasSubstr(name + "expires on " + intermediate.not_after + ", in 19 days;"))));
  // The daily check.
  constexpr std::int64_t kDay = 24 * 60 * 60;
  const std::int64_t end = intermediate.not_after_unix;
  EXPECT_TRUE(tls.ExpiryWarnings(end - kExpiryNoticeDays * kDay).empty());
  EXPECT_THAT(tls.ExpiryWarnings(end - 3 * kDay),
              ElementsAre(name + "expires on " + intermediate.not_after +
                          ", in 3 days; put its CA's renewed certificate in tls_cert_file before "
                          "then and reload, or UCM will refuse the connection (docs/ucm-setup.md, "
                          "Renewing certificates)"));
  EXPECT_THAT(tls.ExpiryWarnings(end), ElementsAre(name + "expired on " + intermediate.not_after +
                                                   "; UCM will refuse the connection"));
}

TEST(BuildTlsContextTest, WithoutIntermediatesTheChainEndsWithTheLeaf) {
  auto context = BuildTlsContext(ServerConfig(TestPki::Get().server()));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  EXPECT_EQ(context.value()->server_chain().size(), 1u);
  EXPECT_EQ(context.value()->server_chain_not_after_unix(),
            context.value()->server_certificate().not_after_unix);
}

TEST(BuildTlsContextTest, NoClientCertificateWithoutCaFile) {
  config::Config config = ServerConfig(
      TestPki::Get().server(), {MakeCluster("hq", Strings{"10.0.0.0/8"}, std::nullopt, {})});
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  EXPECT_FALSE(context.value()->requires_client_certificate());
  EXPECT_EQ(SSL_CTX_get_verify_mode(context.value()->native()), SSL_VERIFY_NONE);
  EXPECT_TRUE(context.value()->trust_store().empty());
}

TEST(BuildTlsContextTest, TrustStoreIsTheUnionOfCaFiles) {
  TestPki& pki = TestPki::Get();
  config::Config config =
      ServerConfig(pki.server(), {ClusterWithCa("hq", pki.root_a().cert_file),
                                  ClusterWithCa("branch", pki.root_b().cert_file),
                                  ClusterWithCa("hq-again", pki.root_a().cert_file)});
  auto context = BuildTlsContext(config);
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  EXPECT_TRUE(context.value()->requires_client_certificate());
  EXPECT_EQ(SSL_CTX_get_verify_mode(context.value()->native()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  const auto& store = context.value()->trust_store();
  ASSERT_EQ(store.size(), 2u);  // root A once, though two clusters name it
  EXPECT_EQ(store[0].certificate.sha256, pki.root_a().sha256);
  EXPECT_EQ(store[0].ca_file, pki.root_a().cert_file);
  EXPECT_THAT(store[0].clusters, ElementsAre("hq", "hq-again"));
  EXPECT_EQ(store[1].certificate.sha256, pki.root_b().sha256);
  EXPECT_THAT(store[1].clusters, ElementsAre("branch"));
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(context.value()->native())), 2);
}

TEST(BuildTlsContextTest, SendsTheIntermediatesOfTheCertificateFile) {
  // cert_file of a leaf under intermediate A holds the leaf and then the intermediate.
  const testing::Credential& server = TestPki::Get().client_a_via_intermediate();
  auto context = BuildTlsContext(ServerConfig(server));
  ASSERT_TRUE(context.ok()) << context.error().ToString();
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(context.value()->native(), &chain);
  ASSERT_EQ(sk_X509_num(chain), 1);
  EXPECT_EQ(Sha256Fingerprint(sk_X509_value(chain, 0)), TestPki::Get().intermediate_a().sha256);
  EXPECT_EQ(context.value()->server_certificate().sha256, server.sha256);
}

}  // namespace
}  // namespace callgate::security
