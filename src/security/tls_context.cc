#include "security/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "security/ca_file.h"
#include "security/handshake_failure.h"

namespace callgate::security {
namespace {

// Mozilla "intermediate" TLS 1.2 list without DHE: forward secrecy and AEAD only, for both key
// types a UCM administrator may install.
constexpr char kModernCiphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS_RSA_WITH_AES_256_CBC_SHA (0x0035): the one suite Cisco documents for ECC (curri.md §4.1).
// Last, so that any client offering a modern suite gets the modern suite.
constexpr char kLegacyCipher[] = "AES256-SHA";
constexpr int kSecurityLevel = 2;

struct SslCtxDeleter {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

Error OpenSslFailure(const std::string& what) {
  Error error;
  error.message = what + ": " + TakeOpenSslErrors();
  return error;
}

// The file name leads every message, so "which file?" is never a question.
Error FileProblem(const config::Config& config, std::string_view key, const std::string& path,
                  const std::string& problem) {
  return config::KeyError(config, key, "'" + path + "': " + problem);
}

Status ConfigureProtocol(SSL_CTX* context, bool legacy_ciphers) {
  SSL_CTX_set_security_level(context, kSecurityLevel);
  std::string ciphers = kModernCiphers;
  if (legacy_ciphers) ciphers += std::string(":") + kLegacyCipher;
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(context, ciphers.c_str()) != 1) {
    return OpenSslFailure("cannot configure the TLS protocol");
  }
  SSL_CTX_set_options(context, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                   SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(context, 0);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  return OkStatus();
}

Status UseCertificateChain(SSL_CTX* context, const config::Config& config) {
  auto certificates = LoadPemCertificates(config.tls_cert_file);
  if (!certificates) {
    return FileProblem(config, "tls_cert_file", config.tls_cert_file, certificates.error().message);
  }
  // The leaf comes first; the rest are sent as the chain. add1 keeps our references intact.
  bool ok = SSL_CTX_use_certificate(context, certificates.value()[0].get()) == 1;
  for (std::size_t i = 1; ok && i < certificates->size(); ++i) {
    ok = SSL_CTX_add1_chain_cert(context, certificates.value()[i].get()) == 1;
  }
  if (!ok) {
    return FileProblem(config, "tls_cert_file", config.tls_cert_file,
                       "certificate rejected: " + TakeOpenSslErrors());
  }
  return OkStatus();
}

// Never prompt on the terminal for a passphrase: a service has no one to answer.
int RefusePassphrase(char*, int, int, void*) { return -1; }

std::string KeyProblem(const std::string& pem) {
  const bool encrypted = pem.find("ENCRYPTED") != std::string::npos;
  const std::string reason = TakeOpenSslErrors();
  if (encrypted) {
    return "the private key is encrypted; callgate needs it unencrypted (e.g. `openssl pkey -in "
           "FILE -out FILE.plain`, then chmod 600)";
  }
  return "not a PEM private key (RSA or ECDSA)" + (reason.empty() ? "" : ": " + reason);
}

Result<PkeyPtr> ReadPrivateKey(const config::Config& config) {
  const std::string& path = config.tls_key_file;
  auto pem = ReadPemFile(path);
  if (!pem) return FileProblem(config, "tls_key_file", path, pem.error().message);
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  ERR_clear_error();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  const std::string problem = key ? "" : KeyProblem(pem.value());
  // The key text should not linger in freed heap memory.
  OPENSSL_cleanse(pem->data(), pem->size());
  if (!key) return FileProblem(config, "tls_key_file", path, problem);
  return key;
}

Status UsePrivateKey(SSL_CTX* context, const config::Config& config) {
  auto key = ReadPrivateKey(config);
  if (!key) return key.error();
  if (X509_check_private_key(SSL_CTX_get0_certificate(context), key->get()) != 1) {
    ERR_clear_error();
    return FileProblem(config, "tls_key_file", config.tls_key_file,
                       "private key does not match the certificate in tls_cert_file '" +
                           config.tls_cert_file + "'");
  }
  if (SSL_CTX_use_PrivateKey(context, key->get()) != 1 || SSL_CTX_check_private_key(context) != 1) {
    return FileProblem(config, "tls_key_file", config.tls_key_file,
                       "private key rejected: " + TakeOpenSslErrors());
  }
  return OkStatus();
}

// Adds every cluster's CA certificates (once each) to the trust store and to the list of CA
// names sent in the CertificateRequest.
Result<std::vector<TlsContext::Trusted>> LoadClientTrust(SSL_CTX* context,
                                                         const config::Config& config,
                                                         const CaFiles& ca_files) {
  std::vector<TlsContext::Trusted> trusted;
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  for (const config::Cluster& cluster : config.clusters) {
    if (!cluster.ca_file) continue;
    for (const X509Ptr& certificate : ca_files.Of(cluster).certificates) {
      CertificateSummary summary = Summarize(certificate.get());
      auto known = std::find_if(trusted.begin(), trusted.end(), [&](const auto& entry) {
        return entry.certificate.sha256 == summary.sha256;
      });
      if (known != trusted.end()) {
        std::vector<std::string>& clusters = known->clusters;
        if (std::find(clusters.begin(), clusters.end(), cluster.name) == clusters.end()) {
          clusters.push_back(cluster.name);
        }
        continue;
      }
      if (X509_STORE_add_cert(store, certificate.get()) != 1 ||
          SSL_CTX_add_client_CA(context, certificate.get()) != 1) {
        return OpenSslFailure("cannot add a CA certificate to the trust store");
      }
      trusted.push_back({std::move(summary), *cluster.ca_file, {cluster.name}});
    }
  }
  return trusted;
}

// "ca_file 'certs/hq.pem' (cluster 'hq')" or "... (clusters 'hq', 'branch')".
std::string CaFileText(const TlsContext::Trusted& trusted) {
  std::string text = "ca_file '" + trusted.ca_file + "' (cluster";
  if (trusted.clusters.size() > 1) text += 's';
  const char* separator = " '";
  for (const std::string& cluster : trusted.clusters) {
    text += separator + cluster + "'";
    separator = ", '";
  }
  return text + ")";
}

// No X509_V_FLAG_PARTIAL_CHAIN: with it, OpenSSL would end a chain at the first trusted
// intermediate it meets, so a client's trust anchor would depend on which other cluster happens
// to list that intermediate. Without it every verified chain ends at a self-signed root, which
// is what per-cluster trust compares.
void RequireClientCertificates(SSL_CTX* context) {
  VerifyClientsAndRecordRefusals(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

// "its group", "other users", "its group and other users".
std::string Who(bool group, bool others) {
  if (group && others) return "its group and other users";
  return group ? "its group" : "other users";
}

// A private key that users other than its owner can read is theirs too, and one they can write
// they can replace: the production checklist asks for mode 600 (scripts/setup-certs.sh makes it
// so). Judged on the file the path names now, after the key was read from it.
std::optional<std::string> KeyPermissionsWarning(const std::string& key_file) {
  struct stat status {};
  if (::stat(key_file.c_str(), &status) != 0) return std::nullopt;
  const mode_t mode = status.st_mode;
  std::string who;
  if ((mode & (S_IRGRP | S_IROTH)) != 0) {
    who = "readable by " + Who((mode & S_IRGRP) != 0, (mode & S_IROTH) != 0);
  }
  if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
    who += (who.empty() ? "writable by " : " and writable by ") +
           Who((mode & S_IWGRP) != 0, (mode & S_IWOTH) != 0);
  }
  if (who.empty()) return std::nullopt;
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
  return "tls_key_file '" + key_file + "': the private key is " + who + " (mode " + octal +
         "); make it readable by callgate's user alone: chmod 600 '" + key_file +
         "', and chown it to that user (callgate under deploy/callgate.service)";
}

std::vector<std::string> Warnings(SSL_CTX* context, const config::Config& config) {
  std::vector<std::string> warnings;
  if (auto key = KeyPermissionsWarning(config.tls_key_file)) warnings.push_back(std::move(*key));
  const X509* certificate = SSL_CTX_get0_certificate(context);
  const std::string file = "tls_cert_file '" + config.tls_cert_file + "'";
  if (X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0) {
    warnings.push_back(file + ": the certificate is not valid before " +
                       Summarize(certificate).not_before);
  }
  const bool rsa = EVP_PKEY_get_base_id(SSL_CTX_get0_privatekey(context)) == EVP_PKEY_RSA;
  if (config.tls_legacy_ciphers && !rsa) {
    warnings.push_back(
        "tls_legacy_ciphers is on but the server key is not RSA: AES256-SHA "
        "(TLS_RSA_WITH_AES_256_CBC_SHA) needs an RSA key, so clients limited to it still fail");
  }
  return warnings;
}

// The certificates tls_cert_file put in the context: the leaf, then the chain it sends.
std::vector<CertificateSummary> ServerChain(SSL_CTX* context) {
  std::vector<CertificateSummary> chain{Summarize(SSL_CTX_get0_certificate(context))};
  STACK_OF(X509)* extra = nullptr;
  SSL_CTX_get0_chain_certs(context, &extra);
  for (int i = 0; i < sk_X509_num(extra); ++i) chain.push_back(Summarize(sk_X509_value(extra, i)));
  return chain;
}

// "in 12 days", "in 1 day", "within a day".
std::string TimeLeft(std::int64_t days) {
  if (days == 0) return "within a day";
  return "in " + std::to_string(days) + (days == 1 ? " day" : " days");
}

// The server's own certificate, tls_cert_file's first.
std::optional<std::string> LeafExpiry(const std::string& file, const CertificateSummary& leaf,
                                      std::int64_t now_unix) {
  const std::int64_t days = DaysUntil(leaf.not_after_unix, now_unix);
  if (leaf.not_after_unix <= now_unix) {
    return file + ": the certificate expired on " + leaf.not_after +
           "; UCM will refuse the connection";
  }
  if (days >= kExpiryNoticeDays) return std::nullopt;
  return file + ": the certificate expires on " + leaf.not_after + ", " + TimeLeft(days) +
         "; renew it and add the new one to UCM's CallManager-trust before then "
         "(docs/ucm-setup.md, Renewing certificates)";
}

// An intermediate (or root) that tls_cert_file sends after the leaf: UCM checks it too, and it
// may expire first. `index` counts from 0 in the file.
std::optional<std::string> ChainExpiry(const std::string& file, std::size_t index,
                                       const CertificateSummary& ca, std::int64_t now_unix) {
  const std::int64_t days = DaysUntil(ca.not_after_unix, now_unix);
  const std::string name = file + ": certificate #" + std::to_string(index + 1) + " \"" +
                           ca.subject + "\" of the chain callgate sends";
  if (ca.not_after_unix <= now_unix) {
    return name + " expired on " + ca.not_after + "; UCM will refuse the connection";
  }
  if (days >= kExpiryNoticeDays) return std::nullopt;
  return name + " expires on " + ca.not_after + ", " + TimeLeft(days) +
         "; put its CA's renewed certificate in tls_cert_file before then and reload, or UCM "
         "will refuse the connection (docs/ucm-setup.md, Renewing certificates)";
}

// UCM refuses a server certificate that has expired, or one whose chain holds one: serving it
// would refuse every connection. The first such certificate of what tls_cert_file sends.
Status CheckChainNotExpired(const config::Config& config,
                            const std::vector<CertificateSummary>& chain, std::int64_t now_unix) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (chain[i].not_after_unix > now_unix) continue;
    const std::string which = i == 0 ? "the certificate"
                                     : "certificate #" + std::to_string(i + 1) + " \"" +
                                           chain[i].subject + "\" of the chain callgate sends";
    return FileProblem(config, "tls_cert_file", config.tls_cert_file,
                       which + " expired on " + chain[i].not_after +
                           ", and UCM refuses an expired certificate: renew it "
                           "(docs/ucm-setup.md, Renewing certificates)");
  }
  return OkStatus();
}

Status CheckFilesNamed(const config::Config& config) {
  if (config.tls_cert_file.empty()) {
    return config::KeyError(config, "tls_cert_file", "is not set (tls_key_file is)");
  }
  if (config.tls_key_file.empty()) {
    return config::KeyError(config, "tls_key_file", "is not set (tls_cert_file is)");
  }
  return OkStatus();
}

// A context with the protocol settings and the server's certificate chain and key, which has not
// expired; no trust store yet.
Result<SslCtxPtr> ServerContext(const config::Config& config) {
  if (Status named = CheckFilesNamed(config); !named) return named.error();
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) return OpenSslFailure("SSL_CTX_new failed");
  SSL_CTX_set_default_passwd_cb(context.get(), RefusePassphrase);
  if (Status s = ConfigureProtocol(context.get(), config.tls_legacy_ciphers); !s) return s.error();
  if (Status s = UseCertificateChain(context.get(), config); !s) return s.error();
  if (Status s = UsePrivateKey(context.get(), config); !s) return s.error();
  const std::vector<CertificateSummary> chain = ServerChain(context.get());
  if (Status s = CheckChainNotExpired(config, chain, UnixNow()); !s) return s.error();
  return context;
}

}  // namespace

TlsContext::TlsContext(SSL_CTX* context, bool requires_client_certificate,
                       std::string certificate_file, std::vector<CertificateSummary> server_chain,
                       std::vector<Trusted> trust_store, std::vector<std::string> warnings)
    : context_(context),
      requires_client_certificate_(requires_client_certificate),
      certificate_file_(std::move(certificate_file)),
      server_chain_(std::move(server_chain)),
      trust_store_(std::move(trust_store)),
      warnings_(std::move(warnings)) {}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const config::Config& config) {
  auto ca_files = CaFiles::Load(config);
  if (ca_files) return BuildTlsContext(config, *ca_files);
  // A problem with the server's own files comes first, as the other overload reports it:
  // callgate check lists the clusters' ca_files apart (PeerAuthorizer::ClusterErrors).
  if (auto server = ServerContext(config); !server) return server.error();
  return ca_files.error();
}

Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const config::Config& config,
                                                          const CaFiles& ca_files) {
  auto context = ServerContext(config);
  if (!context) return context.error();
  auto trusted = LoadClientTrust(context->get(), config, ca_files);
  if (!trusted) return trusted.error();
  const bool requires_client_certificate = !trusted->empty();
  if (requires_client_certificate) RequireClientCertificates(context->get());
  std::vector<CertificateSummary> server = ServerChain(context->get());
  std::vector<std::string> warnings = Warnings(context->get(), config);
  for (const CaFile& file : ca_files.files()) {
    warnings.insert(warnings.end(), file.warnings.begin(), file.warnings.end());
  }
  // new, not make_shared: the constructor is private to this factory.
  auto built = std::shared_ptr<TlsContext>(
      new TlsContext(context->release(), requires_client_certificate, config.tls_cert_file,
                     std::move(server), std::move(trusted).value(), std::move(warnings)));
  std::vector<std::string> expiry = built->ExpiryWarnings(UnixNow());
  built->warnings_.insert(built->warnings_.begin(), expiry.begin(), expiry.end());
  return std::shared_ptr<const TlsContext>(std::move(built));
}

std::int64_t TlsContext::server_chain_not_after_unix() const {
  return std::min_element(server_chain_.begin(), server_chain_.end(),
                          [](const CertificateSummary& a, const CertificateSummary& b) {
                            return a.not_after_unix < b.not_after_unix;
                          })
      ->not_after_unix;
}

std::vector<std::string> TlsContext::ExpiryWarnings(std::int64_t now_unix) const {
  std::vector<std::string> warnings;
  const std::string file = "tls_cert_file '" + certificate_file_ + "'";
  if (std::optional<std::string> leaf = LeafExpiry(file, server_chain_.front(), now_unix)) {
    warnings.push_back(std::move(*leaf));
  }
  for (std::size_t i = 1; i < server_chain_.size(); ++i) {
    if (auto warning = ChainExpiry(file, i, server_chain_[i], now_unix)) {
      warnings.push_back(std::move(*warning));
    }
  }
  for (const Trusted& trusted : trust_store_) {
    const CertificateSummary& ca = trusted.certificate;
    const std::int64_t ca_days = DaysUntil(ca.not_after_unix, now_unix);
    const std::string name = CaFileText(trusted) + ": certificate \"" + ca.subject + "\"";
    if (ca.not_after_unix <= now_unix) {
      warnings.push_back(name + " expired on " + ca.not_after +
                         "; client certificates that chain to it are refused");
    } else if (ca_days < kExpiryNoticeDays) {
      warnings.push_back(name + " expires on " + ca.not_after + ", " + TimeLeft(ca_days) +
                         "; client certificates that chain to it will be refused from then on");
    }
  }
  return warnings;
}

}  // namespace callgate::security
