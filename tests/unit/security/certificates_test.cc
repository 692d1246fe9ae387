#include "security/certificates.h"
#include "security/pii_masker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "common/file_stream.h"
#include "support/change_at_first_read.h"
#include "test_pki.h"

namespace callgate::security {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::TestPki;

std::string DerOf(const X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

TEST(LoadPemCertificatesTest, LoadsEveryCertificateInOrder) {
  TestPki& pki = TestPki::Get();
  // cert_file of a leaf issued by an intermediate holds the leaf, then the intermediate.
  auto certificates = LoadPemCertificates(pki.client_a_via_intermediate().cert_file);
  ASSERT_TRUE(certificates.ok()) << certificates.error().ToString();
  ASSERT_EQ(certificates->size(), 2u);
  EXPECT_EQ(Sha256Fingerprint(certificates.value()[0].get()),
            pki.client_a_via_intermediate().sha256);
  EXPECT_EQ(Sha256Fingerprint(certificates.value()[1].get()), pki.intermediate_a().sha256);
}

TEST(LoadPemCertificatesTest, SkipsOtherPemBlocks) {
  TestPki& pki = TestPki::Get();
  const std::string combined =
      testing::KeyPem(pki.root_a().key.get()) + testing::CertPem(pki.root_a().cert.get());
  auto certificates = LoadPemCertificates(pki.dir().Write("combined.pem", combined));
  ASSERT_TRUE(certificates.ok()) << certificates.error().ToString();
  ASSERT_EQ(certificates->size(), 1u);
  EXPECT_EQ(Sha256Fingerprint(certificates.value()[0].get()), pki.root_a().sha256);
}

struct LoadErrorCase {
  std::string name;
  std::string content;  // written to a file unless `missing`
  bool missing = false;
  std::string expected;
};

class LoadPemErrorTest : public ::testing::TestWithParam<LoadErrorCase> {};

TEST_P(LoadPemErrorTest, ErrorNamesTheFileAndTheProblem) {
  const LoadErrorCase& c = GetParam();
  TestPki& pki = TestPki::Get();
  const std::string path = c.missing ? pki.dir().Path(c.name) : pki.dir().Write(c.name, c.content);
  auto certificates = LoadPemCertificates(path);
  ASSERT_FALSE(certificates.ok());
  EXPECT_EQ(certificates.error().file, path);
  EXPECT_THAT(certificates.error().message, HasSubstr(c.expected));
}

std::string TruncatedPem() {
  std::string pem = testing::CertPem(TestPki::Get().root_a().cert.get());
  return pem.substr(0, pem.size() / 2) + "!!!!\n-----END CERTIFICATE-----\n";
}

INSTANTIATE_TEST_SUITE_P(
    Table, LoadPemErrorTest,
    ::testing::Values(
        LoadErrorCase{"missing.pem", "", true, "cannot open: No such file or directory"},
        LoadErrorCase{"empty.pem", "", false, "no PEM certificate found"},
        LoadErrorCase{"garbage.pem", "hello, I am not a certificate\n", false,
                      "no PEM certificate found"},
        LoadErrorCase{"der.cer", DerOf(TestPki::Get().root_a().cert.get()), false,
                      "looks like DER"},
        LoadErrorCase{"key-only.pem", testing::KeyPem(TestPki::Get().root_a().key.get()), false,
                      "no PEM certificate found"},
        LoadErrorCase{"truncated.pem", TruncatedPem(), false, "malformed PEM certificate #1"}),
    [](const auto& test) {
      std::string name = test.param.name;
      std::replace_if(
          name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
      return name;
    });

TEST(LoadPemCertificatesTest, DirectoryIsAnError) {
  const std::string dir = TestPki::Get().dir().Path("");
  auto certificates = LoadPemCertificates(dir);
  ASSERT_FALSE(certificates.ok());
  EXPECT_THAT(certificates.error().message, HasSubstr("is a directory, not a file"));
}

// The limit and the words of ReadPemFile's errors, which reading through FileStream keeps.
TEST(ReadPemFileTest, ErrorsNameTheFileAndTheProblem) {
  const testing::TempDir dir;
  const std::string largest =
      dir.Write("largest.pem", std::string(std::size_t{16} * 1024 * 1024, '-'));
  const std::string too_large =
      dir.Write("too-large.pem", std::string(std::size_t{16} * 1024 * 1024 + 1, '-'));
  ASSERT_TRUE(ReadPemFile(largest).ok()) << "16 MiB is within the limit";
  const struct {
    std::string path;
    std::string message;
  } cases[] = {
      {dir.Path("missing.pem"), "cannot open: No such file or directory"},
      {dir.Path(""), "is a directory, not a file"},
      {too_large, "larger than 16 MiB: not a certificate file"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    auto content = ReadPemFile(c.path);
    ASSERT_FALSE(content.ok());
    EXPECT_EQ(content.error().file, c.path);
    EXPECT_EQ(content.error().message, c.message);
    EXPECT_FALSE(ChangedWhileRead(content.error()));
  }
}

template <typename T>
std::optional<Error> ErrorOf(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

std::string RootPem(const testing::Credential& root) { return testing::CertPem(root.cert.get()); }

// A ca_file that `cat a.pem b.pem > ca.pem` is still writing: opened with one CA in it, it has
// two by the time it is read.
void WriteTheSecondCa(const std::string& path) {
  std::ofstream(path, std::ios::binary | std::ios::app) << RootPem(TestPki::Get().root_b());
}

// A new file renamed into place while the old one is read.
void RenameANewFileIntoPlace(const std::string& path) {
  std::ofstream(path + ".new", std::ios::binary) << RootPem(TestPki::Get().root_b());
  std::filesystem::rename(path + ".new", path);
}

// What was read is not one version of one file: the certificates a reader would take from it
// (one CA of two; the CAs of a file no longer in place) are refused, with the rules and the words
// of the phone directory's.
TEST(ReadPemFileTest, RefusesAFileThatChangedWhileItWasRead) {
  if (!callgate::testing::ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  const std::string first_ca = RootPem(TestPki::Get().root_a());
  const struct {
    std::string label;
    void (*change)(const std::string& path);
    std::string how;
  } cases[] = {
      {"a writer appends the second CA", WriteTheSecondCa,
       "(its size went from " + std::to_string(first_ca.size()) + " to " +
           std::to_string(first_ca.size() + RootPem(TestPki::Get().root_b()).size()) + " bytes)"},
      {"a new file is renamed into place", RenameANewFileIntoPlace,
       "(another file was put in its place)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    for (const bool certificates : {false, true}) {
      const testing::TempDir dir;
      const std::string path = dir.Write("ca.pem", first_ca);
      const callgate::testing::ChangeAtFirstRead writer(path, [&] { c.change(path); });
      const std::optional<Error> error =
          certificates ? ErrorOf(LoadPemCertificates(path)) : ErrorOf(ReadPemFile(path));
      ASSERT_TRUE(writer.changed());
      ASSERT_TRUE(error) << (certificates ? "certificates loaded" : "the file was read");
      EXPECT_EQ(error->file, path);
      EXPECT_EQ(error->message, "changed while it was read " + c.how +
                                    ": a file being written, or replaced, is not used. Write the "
                                    "new file beside it and rename it into place, which replaces "
                                    "it in one step");
      EXPECT_TRUE(ChangedWhileRead(*error));
    }
  }
}

TEST(SummarizeTest, DescribesALeaf) {
  const testing::Credential& leaf = TestPki::Get().client_a_ip();
  CertificateSummary summary = Summarize(leaf.cert.get());
  EXPECT_EQ(summary.subject, "O = callgate tests, CN = ucm node 3");
  EXPECT_EQ(summary.issuer, "O = callgate tests, CN = Cluster A Root CA");
  EXPECT_THAT(summary.sans, ElementsAre("IP:10.1.1.50", "IP:2001:db8::50"));
  EXPECT_FALSE(summary.is_ca);
  EXPECT_THAT(summary.serial, MatchesRegex("[0-9A-F]+"));
  const char kIsoTime[] = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z";
  EXPECT_THAT(summary.not_before, MatchesRegex(kIsoTime));
  EXPECT_THAT(summary.not_after, MatchesRegex(kIsoTime));
  EXPECT_LT(summary.not_before, summary.not_after);
  EXPECT_EQ(summary.sha256, leaf.sha256);
}

TEST(SummarizeTest, DescribesACa) {
  CertificateSummary summary = Summarize(TestPki::Get().root_a().cert.get());
  EXPECT_TRUE(summary.is_ca);
  EXPECT_EQ(summary.subject, summary.issuer);
  EXPECT_TRUE(summary.sans.empty());
}

TEST(Sha256FingerprintTest, IsTheDigestOfTheDer) {
  const X509* cert = TestPki::Get().root_b().cert.get();
  const std::string der = DerOf(cert);
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(der.data(), der.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  EXPECT_EQ(Sha256Fingerprint(cert), hex);
  EXPECT_EQ(hex.size(), 64u);
}

TEST(IsCaTest, FollowsBasicConstraints) {
  TestPki& pki = TestPki::Get();
  EXPECT_TRUE(IsCa(pki.root_a().cert.get()));
  EXPECT_TRUE(IsCa(pki.intermediate_a().cert.get()));
  EXPECT_TRUE(IsCa(pki.ucm_self_signed().cert.get()));
  EXPECT_FALSE(IsCa(pki.client_a_cn().cert.get()));
  EXPECT_FALSE(IsCa(pki.self_signed_leaf().cert.get()));
}

TEST(CertificateNamesTest, LowerCasedCnDnsAndIpSans) {
  TestPki& pki = TestPki::Get();
  EXPECT_THAT(CertificateNames(pki.client_a_cn().cert.get()), ElementsAre("cucm-pub.example.com"));
  EXPECT_THAT(CertificateNames(pki.client_a_dns().cert.get()),
              ElementsAre("ucm node 2", "cucm-sub1.example.com"));
  EXPECT_THAT(CertificateNames(pki.client_a_ip().cert.get()),
              ElementsAre("ucm node 3", "10.1.1.50", "2001:db8::50"));
  // A CN repeated as a DNS SAN is listed once.
  EXPECT_THAT(CertificateNames(pki.server().cert.get()), ElementsAre("callgate.example.com"));
}

// A CN that is an address is compared as allowed_subjects' addresses are, in canonical form: the
// same text on both sides matches, however it is written.
TEST(CertificateNamesTest, ACommonNameThatIsAnAddressIsInCanonicalForm) {
  const testing::Credential v6 = testing::Issue(testing::Spec("2001:DB8:0::1"), nullptr);
  EXPECT_THAT(CertificateNames(v6.cert.get()), ElementsAre("2001:db8::1"));
  const testing::Credential mapped = testing::Issue(testing::Spec("::FFFF:10.1.1.10"), nullptr);
  EXPECT_THAT(CertificateNames(mapped.cert.get()), ElementsAre(ComparableName("::ffff:10.1.1.10")));
  const testing::Credential v4 = testing::Issue(testing::Spec("10.1.1.10"), nullptr);
  EXPECT_THAT(CertificateNames(v4.cert.get()), ElementsAre("10.1.1.10"));
  EXPECT_EQ(ComparableName("2001:db8:0::1"), "2001:db8::1");
  EXPECT_EQ(ComparableName("CUCM-Pub.Example.com"), "cucm-pub.example.com");
}

TEST(CertificateNamesTest, CommonNameKeepsCase) {
  EXPECT_EQ(CommonName(TestPki::Get().client_a_cn().cert.get()), "CUCM-Pub.Example.com");
}

TEST(CertificateNamesTest, ControlCharactersNeverReachNames) {
  testing::Credential crafted =
      testing::Issue(testing::Spec("evil\nINFO forged line").Dns("ok.example.com"), nullptr);
  EXPECT_THAT(CertificateNames(crafted.cert.get()), ElementsAre("ok.example.com"));
  EXPECT_EQ(CommonName(crafted.cert.get()), "evil\nINFO forged line");  // as it is: raw
  EXPECT_EQ(PiiMasker(false).Mask(CommonName(crafted.cert.get())), "evil\\x0aINFO forged line");
  EXPECT_EQ(Summarize(crafted.cert.get()).subject.find('\n'), std::string::npos);
}

// Log lines put a name in quotes (issuer "..."): a quote in it must not end the field early.
TEST(CertificateNamesTest, QuotesInANameAreEscaped) {
  testing::Credential crafted = testing::Issue(testing::Spec("Rogue \"CA\", x=\"y"), nullptr);
  const std::string subject = Summarize(crafted.cert.get()).subject;
  ASSERT_NE(subject.find("Rogue"), std::string::npos) << subject;
  for (std::size_t at = subject.find('"'); at != std::string::npos;
       at = subject.find('"', at + 1)) {
    EXPECT_EQ(subject[at - 1], '\\') << subject;
  }
}

TEST(TakeOpenSslErrorsTest, DrainsTheQueue) {
  ERR_clear_error();
  EXPECT_EQ(TakeOpenSslErrors(), "");
  EXPECT_EQ(BIO_new_file("/nonexistent/callgate.pem", "r"), nullptr);  // queues an error
  EXPECT_NE(TakeOpenSslErrors(), "");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace callgate::security
