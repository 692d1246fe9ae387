#include "security/ca_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/file_stream.h"
#include "support/change_at_first_read.h"
#include "test_config.h"
#include "test_pki.h"

namespace callgate::security {
namespace {

using ::testing::AllOf;
using testing::CertPem;
using ::testing::Contains;
using testing::Credential;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Issue;
using testing::KeyPem;
using ::testing::SizeIs;
using testing::Spec;
using testing::TempDir;

// An empty CRL issued by `issuer`, in PEM.
std::string CrlPem(const Credential& issuer) {
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer.cert.get()));
  ASN1_TIME* now = ASN1_TIME_set(nullptr, 0);
  X509_gmtime_adj(now, 0);
  X509_CRL_set1_lastUpdate(crl, now);
  ASN1_TIME_free(now);
  X509_CRL_sign(crl, issuer.key.get(), EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_CRL(bio, crl);
  X509_CRL_free(crl);
  return testing::BioContents(bio);
}

// What OpenSSL at security level 2 will refuse in a chain, and what callgate ignores, is said
// when the file is loaded instead of at the first refused handshake.
TEST(CaFileWarningsTest, NameWhatTlsSecurityLevelTwoRefusesAndWhatIsIgnored) {
  const Credential root = Issue(Spec("good root").Ca(), nullptr);
  const Credential weak_key = Issue(Spec("weak root").Ca().Rsa(1024), nullptr);
  const Credential sha1_intermediate = Issue(Spec("sha1 intermediate").Ca().Sha1(), &root);
  const Credential sha1_root = Issue(Spec("sha1 root").Ca().Sha1(), nullptr);  // never checked
  const std::string content = CertPem(root.cert.get()) + CertPem(weak_key.cert.get()) +
                              CertPem(sha1_intermediate.cert.get()) +
                              CertPem(sha1_root.cert.get()) + CrlPem(root) + KeyPem(root.key.get());
  const std::string path = "certs/ca.pem";
  auto certificates = ParsePemCertificates(path, content);
  ASSERT_TRUE(certificates.ok()) << certificates.error().ToString();
  ASSERT_THAT(*certificates, SizeIs(4));

  const std::vector<std::string> warnings = CaFileWarnings(path, content, *certificates);
  EXPECT_THAT(warnings, SizeIs(4));
  EXPECT_THAT(warnings, Contains(AllOf(HasSubstr("ca_file '" + path + "': certificate #2"),
                                       HasSubstr("CN = weak root"), HasSubstr("1024-bit key"),
                                       HasSubstr("certificate key too weak"))));
  EXPECT_THAT(warnings, Contains(AllOf(HasSubstr("certificate #3"), HasSubstr("sha1 intermediate"),
                                       HasSubstr("signed with SHA-1"))));
  EXPECT_THAT(warnings, Contains(HasSubstr("holds a CRL, which callgate does not check")));
  EXPECT_THAT(warnings, Contains(HasSubstr("holds a private key")));
}

TEST(CaFileWarningsTest, NoneForAFileOfSoundCertificates) {
  const Credential root = Issue(Spec("root").Ca(), nullptr);
  const Credential rsa_root = Issue(Spec("rsa root").Ca().Rsa(), nullptr);
  const Credential intermediate = Issue(Spec("intermediate").Ca(), &root);
  const std::string content =
      CertPem(root.cert.get()) + CertPem(rsa_root.cert.get()) + CertPem(intermediate.cert.get());
  auto certificates = ParsePemCertificates("ca.pem", content);
  ASSERT_TRUE(certificates.ok()) << certificates.error().ToString();
  EXPECT_THAT(CaFileWarnings("ca.pem", content, *certificates), SizeIs(0));
}

// LoadClusterCaFile passes on what CaFileWarnings finds in the file it read.
TEST(LoadClusterCaFileTest, CarriesTheFilesWarnings) {
  const Credential root = Issue(Spec("root").Ca(), nullptr);
  const TempDir dir;
  const std::string path = dir.Write("ca.pem", CertPem(root.cert.get()) + CrlPem(root));
  config::Config config;
  config.clusters = {testing::MakeCluster("hq", testing::Strings{"10.0.0.0/8"}, path,
                                          testing::Strings{"ucm.example.com"})};
  auto file = LoadClusterCaFile(config, config.clusters[0]);
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  EXPECT_EQ(file->path, path);
  EXPECT_THAT(file->certificates, SizeIs(1));
  EXPECT_THAT(file->warnings, ElementsAre(HasSubstr("holds a CRL")));
}

// A file several clusters name is read once, so that every cluster (and the authorizer and the
// TLS context built from one CaFiles) has the same version of it.
TEST(CaFilesTest, LoadsEachFileOnceInTheOrderTheClustersNameThem) {
  const Credential a = Issue(Spec("root a").Ca(), nullptr);
  const Credential b = Issue(Spec("root b").Ca(), nullptr);
  const TempDir dir;
  const std::string shared = dir.Write("shared.pem", CertPem(a.cert.get()));
  const std::string own = dir.Write("own.pem", CertPem(a.cert.get()) + CertPem(b.cert.get()));
  config::Config config;
  const testing::Strings ips{"10.0.0.0/8"};
  const testing::Strings names{"ucm.example.com"};
  config.clusters = {testing::MakeCluster("hq", ips, shared, names),
                     testing::MakeCluster("addresses only", ips, std::nullopt, std::nullopt),
                     testing::MakeCluster("branch", ips, own, names),
                     testing::MakeCluster("dr", ips, shared, names)};
  auto ca_files = CaFiles::Load(config);
  ASSERT_TRUE(ca_files.ok()) << ca_files.error().ToString();
  ASSERT_THAT(ca_files->files(), SizeIs(2));
  EXPECT_EQ(ca_files->files()[0].path, shared);
  EXPECT_EQ(ca_files->files()[1].path, own);
  EXPECT_EQ(&ca_files->Of(config.clusters[0]), &ca_files->Of(config.clusters[3]));
  EXPECT_EQ(&ca_files->Of(config.clusters[2]), &ca_files->files()[1]);
  EXPECT_THAT(ca_files->Of(config.clusters[2]).certificates, SizeIs(2));
}

// The first error stops the load, located at the first cluster that names the file.
TEST(CaFilesTest, AFileThatCannotBeLoadedIsAnErrorAtTheFirstClusterNamingIt) {
  const TempDir dir;
  const std::string missing = dir.Path("missing.pem");
  config::Config config;
  config.file = "callgate.yaml";
  const testing::Strings ips{"10.0.0.0/8"};
  config.clusters = {testing::MakeCluster("hq", ips, std::nullopt, std::nullopt),
                     testing::MakeCluster("branch", ips, missing, testing::Strings{"a"}),
                     testing::MakeCluster("dr", ips, missing, testing::Strings{"a"})};
  auto ca_files = CaFiles::Load(config);
  ASSERT_FALSE(ca_files.ok());
  EXPECT_EQ(ca_files.error().key, "clusters.branch.ca_file");
  EXPECT_THAT(ca_files.error().message, HasSubstr("'" + missing + "'"));
}

// `cat a.pem b.pem > ca.pem` still writing when the file is opened: what a read finds depends on
// when it runs (one CA of the two, which the cluster would trust alone until the next reload, or
// both), so neither is taken. The error is located at the cluster's ca_file key, as its others
// are.
TEST(LoadClusterCaFileTest, RefusesACaFileThatChangedWhileItWasRead) {
  if (!callgate::testing::ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  const Credential a = Issue(Spec("root a").Ca(), nullptr);
  const Credential b = Issue(Spec("root b").Ca(), nullptr);
  const TempDir dir;
  const std::string path = dir.Write("ca.pem", CertPem(a.cert.get()));
  config::Config config;
  config.file = "callgate.yaml";
  config.clusters = {testing::MakeCluster("hq", testing::Strings{"10.0.0.0/8"}, path,
                                          testing::Strings{"ucm.example.com"})};
  const callgate::testing::ChangeAtFirstRead writer(path, [&] {
    std::ofstream(path, std::ios::binary | std::ios::app) << CertPem(b.cert.get());
  });
  auto certificates = LoadClusterCaFile(config, config.clusters[0]);
  ASSERT_TRUE(writer.changed());
  ASSERT_FALSE(certificates.ok()) << certificates->certificates.size() << " CA(s) loaded";
  EXPECT_EQ(certificates.error().ToString(),
            "callgate.yaml:9: key 'clusters.hq.ca_file': '" + path +
                "': changed while it was read (its size went from " +
                std::to_string(CertPem(a.cert.get()).size()) + " to " +
                std::to_string(CertPem(a.cert.get()).size() + CertPem(b.cert.get()).size()) +
                " bytes): a file being written, or replaced, is not used. Write the new file "
                "beside it and rename it into place, which replaces it in one step");
  EXPECT_TRUE(ChangedWhileRead(certificates.error()));
}

}  // namespace
}  // namespace callgate::security
