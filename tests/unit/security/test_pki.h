// TestPki: certificates made at test time with the OpenSSL C API, written as PEM files to a
// private temporary directory (removed at exit). Header-only because tests/CMakeLists.txt
// compiles only *_test.cc files into the layer's test binary.
//
//   root_a ─┬─ intermediate_a ── client_a_via_intermediate   (cluster A's CA)
//           ├─ client_a_cn, client_a_dns, client_a_ip, client_a_expired, client_a_rsa
//   root_b ─── client_b_with_a_subject                         (cluster B's CA)
//   root_c ─┬─ client_unknown_ca                               (configured nowhere)
//           └─ personal_ca ── client_via_personal_ca         (a chain a client made up)
//   ucm_self_signed (CA:TRUE, used as its own ca_file, as UCM's CallManager.pem is)
//   ucm_renewed_old, _new, _impostor, _expired (like it, all four with one subject)
//   self_signed_leaf (CA:FALSE), server (self-signed ECDSA), server_rsa (self-signed RSA)
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "security/certificates.h"

namespace callgate::security::testing {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

enum class KeyType { kEcdsa, kRsa };

// Spec("cn").Dns("a.example.com").Ca(): what to put in a certificate.
struct CertSpec {
  std::string cn;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  bool is_ca = false;
  KeyType key_type = KeyType::kEcdsa;
  int rsa_bits = 2048;
  const EVP_MD* (*digest)() = EVP_sha256;  // of the signature
  long valid_from_days = -1;               // relative to now
  long valid_to_days = 365;

  CertSpec& Dns(std::string name) { return dns.push_back(std::move(name)), *this; }
  CertSpec& Ip(std::string address) { return ips.push_back(std::move(address)), *this; }
  CertSpec& Ca() { return is_ca = true, *this; }
  CertSpec& Rsa(int bits = 2048) { return key_type = KeyType::kRsa, rsa_bits = bits, *this; }
  CertSpec& Sha1() { return digest = EVP_sha1, *this; }
  CertSpec& Valid(long from_days, long to_days) {
    valid_from_days = from_days;
    valid_to_days = to_days;
    return *this;
  }
};

inline CertSpec Spec(std::string cn) {
  CertSpec spec;
  spec.cn = std::move(cn);
  return spec;
}

// A certificate, its key, the certificates a client sends after it (intermediates), and the
// PEM files: cert_file holds the certificate followed by its chain, key_file the key.
struct Credential {
  X509Ptr cert;
  PkeyPtr key;
  const Credential* issuer = nullptr;    // null: self-signed
  std::vector<const Credential*> chain;  // intermediates, nearest first (no root)
  std::string cert_file;
  std::string key_file;
  std::string sha256;
};

inline void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + ": " + TakeOpenSslErrors());
}

inline PkeyPtr GenerateKey(const CertSpec& spec) {
  PkeyPtr key(spec.key_type == KeyType::kRsa ? EVP_RSA_gen(spec.rsa_bits) : EVP_EC_gen("P-256"));
  Check(key != nullptr, "key generation");
  return key;
}

inline void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  Check(extension != nullptr, "extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

inline std::string SubjectAltName(const CertSpec& spec) {
  std::string san;
  for (const auto& dns : spec.dns) san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : spec.ips) san += (san.empty() ? "IP:" : ",IP:") + ip;
  return san;
}

inline void SetValidity(X509* cert, const CertSpec& spec) {
  X509_gmtime_adj(X509_getm_notBefore(cert), spec.valid_from_days * 86400);
  X509_gmtime_adj(X509_getm_notAfter(cert), spec.valid_to_days * 86400);
}

inline void AddExtensions(X509* cert, X509* issuer, const CertSpec& spec) {
  AddExtension(cert, issuer, NID_subject_key_identifier, "hash");
  if (issuer != cert) AddExtension(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (spec.is_ca) {
    AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:TRUE");
    // A UCM CallManager certificate is CA:TRUE and is also presented as a client certificate.
    AddExtension(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    AddExtension(cert, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (std::string san = SubjectAltName(spec); !san.empty()) {
    AddExtension(cert, issuer, NID_subject_alt_name, san);
  }
}

// Issues `spec` signed by `issuer`, or self-signed when issuer is null.
inline Credential Issue(const CertSpec& spec, const Credential* issuer) {
  Credential out;
  out.key = GenerateKey(spec);
  out.cert.reset(X509_new());
  X509* cert = out.cert.get();
  X509_set_version(cert, X509_VERSION_3);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert));
  BN_free(number);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("callgate tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer->cert.get() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  SetValidity(cert, spec);
  X509_set_pubkey(cert, out.key.get());
  AddExtensions(cert, signer, spec);
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : out.key.get();
  Check(X509_sign(cert, signing_key, spec.digest()) > 0, "sign");
  out.sha256 = Sha256Fingerprint(cert);
  return out;
}

// A private directory under $TMPDIR, removed when the process exits.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "callgate-pki-XXXXXX").string();
    Check(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Write(const std::string& name, const std::string& content) const {
    std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return out;
}

inline std::string CertPem(const X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return BioContents(bio);
}

inline std::string KeyPem(const EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioContents(bio);
}

class TestPki {
 public:
  // Built once per process (ECDSA keys are cheap); the RSA credentials are made on first use.
  static TestPki& Get() {
    static TestPki pki;
    return pki;
  }

  const TempDir& dir() const { return dir_; }

  const Credential& root_a() { return Make("root_a", Spec("Cluster A Root CA").Ca()); }
  const Credential& intermediate_a() {
    return Make("intermediate_a", Spec("Cluster A Issuing CA").Ca(), &root_a());
  }
  // A ca_file holding intermediate A and then root A.
  const std::string& intermediate_and_root_a_file() {
    if (bundle_a_.empty()) {
      bundle_a_ = dir_.Write("intermediate_and_root_a.pem",
                             CertPem(intermediate_a().cert.get()) + CertPem(root_a().cert.get()));
    }
    return bundle_a_;
  }
  // An intermediate under root A that expired yesterday, and a client certificate it issued.
  const Credential& intermediate_a_expired() {
    return Make("intermediate_a_expired", Spec("Expired Issuing CA").Ca().Valid(-30, -1),
                &root_a());
  }
  const Credential& client_via_expired_intermediate() {
    return Make("client_via_expired_intermediate", Spec("cucm-sub3.example.com"),
                &intermediate_a_expired());
  }
  // A ca_file holding that expired intermediate and then root A.
  const std::string& expired_intermediate_and_root_a_file() {
    if (bundle_a_expired_.empty()) {
      bundle_a_expired_ =
          dir_.Write("expired_intermediate_and_root_a.pem",
                     CertPem(intermediate_a_expired().cert.get()) + CertPem(root_a().cert.get()));
    }
    return bundle_a_expired_;
  }
  const Credential& root_b() { return Make("root_b", Spec("Cluster B Root CA").Ca()); }
  const Credential& root_c() { return Make("root_c", Spec("Unknown Root CA").Ca()); }

  const Credential& client_a_cn() {
    return Make("client_a_cn", Spec("CUCM-Pub.Example.com"), &root_a());
  }
  const Credential& client_a_dns() {
    return Make("client_a_dns", Spec("ucm node 2").Dns("cucm-sub1.example.com"), &root_a());
  }
  const Credential& client_a_ip() {
    return Make("client_a_ip", Spec("ucm node 3").Ip("10.1.1.50").Ip("2001:db8::50"), &root_a());
  }
  const Credential& client_a_expired() {
    return Make("client_a_expired", Spec("cucm-pub.example.com").Valid(-30, -1), &root_a());
  }
  const Credential& client_a_rsa() {
    return Make("client_a_rsa", Spec("cucm-pub.example.com").Rsa(), &root_a());
  }
  const Credential& client_a_via_intermediate() {
    return Make("client_a_via_intermediate", Spec("cucm-sub2.example.com"), &intermediate_a());
  }
  const Credential& client_b_with_a_subject() {
    return Make("client_b_with_a_subject", Spec("cucm-pub.example.com"), &root_b());
  }
  const Credential& client_unknown_ca() {
    return Make("client_unknown_ca", Spec("cucm-pub.example.com"), &root_c());
  }
  // A CA named after a person, under the unknown root, and a client certificate it issued (the
  // client sends the CA with it): the names of a chain are the client's to choose.
  const Credential& personal_ca() {
    return Make("personal_ca", Spec("Zelda Quux Personal CA 14085559876").Ca(), &root_c());
  }
  const Credential& client_via_personal_ca() {
    return Make("client_via_personal_ca", Spec("cucm-pub.example.com"), &personal_ca());
  }
  const Credential& ucm_self_signed() {
    return Make("ucm_self_signed", Spec("cucm-selfsigned.example.com").Ca());
  }
  // A self-signed UCM certificate before and after its renewal: the same subject, no
  // authorityKeyIdentifier, different keys. Both are listed in one ca_file during the overlap.
  const Credential& ucm_renewed_old() {
    return Make("ucm_renewed_old", Spec("cucm-renewed.example.com").Ca());
  }
  const Credential& ucm_renewed_new() {
    return Make("ucm_renewed_new", Spec("cucm-renewed.example.com").Ca());
  }
  // A third one with that subject, in no ca_file, and one that expired yesterday.
  const Credential& ucm_renewed_impostor() {
    return Make("ucm_renewed_impostor", Spec("cucm-renewed.example.com").Ca());
  }
  const Credential& ucm_renewed_expired() {
    return Make("ucm_renewed_expired", Spec("cucm-renewed.example.com").Ca().Valid(-30, -1));
  }
  const Credential& self_signed_leaf() {
    return Make("self_signed_leaf", Spec("cucm-pub.example.com"));
  }
  const Credential& server() {
    return Make("server", Spec("callgate.example.com").Dns("callgate.example.com"));
  }
  const Credential& server_expired() {
    return Make("server_expired", Spec("callgate.example.com").Valid(-30, -2));
  }
  // Valid for ten more days: inside ExpiryWarnings' notice period.
  const Credential& server_expiring() {
    return Make("server_expiring", Spec("callgate.example.com").Valid(-30, 10));
  }
  // A server certificate for a year under an intermediate of root A that expires in 20 days.
  const Credential& intermediate_a_short() {
    return Make("intermediate_a_short", Spec("Short-lived Issuing CA").Ca().Valid(-30, 20),
                &root_a());
  }
  const Credential& server_via_short_intermediate() {
    return Make("server_via_short_intermediate", Spec("callgate.example.com"),
                &intermediate_a_short());
  }
  const Credential& server_rsa() { return Make("server_rsa", Spec("callgate.example.com").Rsa()); }

 private:
  TestPki() = default;

  const Credential& Make(const std::string& name, const CertSpec& spec,
                         const Credential* issuer = nullptr) {
    auto found = made_.find(name);
    if (found != made_.end()) return *found->second;
    auto credential = std::make_unique<Credential>(Issue(spec, issuer));
    credential->issuer = issuer;
    // The chain a client sends: every issuer up to, but not including, the self-signed root.
    for (const Credential* up = issuer; up != nullptr && up->issuer != nullptr; up = up->issuer) {
      credential->chain.push_back(up);
    }
    std::string pem = CertPem(credential->cert.get());
    for (const Credential* link : credential->chain) pem += CertPem(link->cert.get());
    credential->cert_file = dir_.Write(name + ".crt", pem);
    credential->key_file = dir_.Write(name + ".key", KeyPem(credential->key.get()));
    // As `openssl req -keyout` and scripts/setup-certs.sh make them: a key readable by others
    // gets a warning (tls_context.h).
    std::filesystem::permissions(credential->key_file, std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
    return *made_.emplace(name, std::move(credential)).first->second;
  }

  TempDir dir_;
  std::string bundle_a_;
  std::string bundle_a_expired_;
  std::map<std::string, std::unique_ptr<Credential>> made_;
};

}  // namespace callgate::security::testing
