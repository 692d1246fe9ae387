// TlsContext: the server's OpenSSL SSL_CTX, configured once from the configuration and never
// changed after (the server wraps native() in boost::asio::ssl::context; this layer stays
// OpenSSL-only). Share as std::shared_ptr<const TlsContext>; SSL objects created from native()
// may be used from any thread, as OpenSSL allows for a context that is no longer modified.
//
// What BuildTlsContext sets up (curri.md §4.1, README "mTLS Setup Guide"):
// * TLS 1.2 and 1.3 only. TLS 1.2 ciphers: ECDHE with AES-GCM or ChaCha20-Poly1305, ECDSA and RSA
//   certificates; with tls_legacy_ciphers also AES256-SHA (TLS_RSA_WITH_AES_256_CBC_SHA, what old
//   UCM releases offer; it needs an RSA server key). TLS 1.3: OpenSSL's default suites. The
//   server's cipher order wins. Security level 2 (RSA keys of 2048 bits or more; no SHA-1
//   signatures).
// * No session resumption (no tickets, no session cache: a verified client chain is not kept
//   across resumption, and UCM keeps its connections open anyway), no compression, no
//   renegotiation.
// * Server certificate chain from tls_cert_file (leaf first, then intermediates), private key
//   (RSA or ECDSA, unencrypted PEM) from tls_key_file; they must match.
// * When a cluster has a ca_file: the client must present a certificate that chains to a root
//   CA in the union of all ca_files (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT); these
//   CAs are also announced in the CertificateRequest. Intermediates come from the client or from
//   the ca_files; the chain always ends at a self-signed root (no partial chains), so the trust
//   anchor does not depend on what other clusters list. A self-signed client certificate that
//   is in a ca_file is trusted even when another trusted certificate has the same subject and
//   comes first (trusted_leaf.h; a renewed UCM CallManager.pem beside the old one). Expired or
//   untrusted client certificates fail the handshake, and ClientCertificateRefusal
//   (handshake_failure.h) says why and which certificate. Which cluster trusts which root is
//   the PeerAuthorizer's job (kTrustAnchor).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "security/ca_file.h"
#include "security/certificates.h"

namespace callgate::security {

// How long before a certificate expires ExpiryWarnings() starts warning.
inline constexpr std::int64_t kExpiryNoticeDays = 30;

class TlsContext {
 public:
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Owned by this object. A wrapper that frees the context it is given (asio's ssl::context)
  // must be handed a reference of its own (SSL_CTX_up_ref).
  SSL_CTX* native() const { return context_; }
  bool requires_client_certificate() const { return requires_client_certificate_; }
  // The leaf of tls_cert_file, for the start-up log.
  const CertificateSummary& server_certificate() const { return server_chain_.front(); }
  // Every certificate of tls_cert_file, which the server sends: the leaf first, then the
  // intermediates (and the root, when the file has it) in file order. Never empty.
  const std::vector<CertificateSummary>& server_chain() const { return server_chain_; }
  // The earliest notAfter of server_chain(), in seconds since 1970: when UCM stops accepting
  // the chain, which may be before the leaf expires (/health's tls_certificate_days_left).
  std::int64_t server_chain_not_after_unix() const;
  // A certificate of the trust store and where it came from: the first ca_file that holds it,
  // and every cluster whose ca_file does.
  struct Trusted {
    CertificateSummary certificate;
    std::string ca_file;
    std::vector<std::string> clusters;
  };
  // The client CAs (union of all ca_files, duplicates removed, in the order of the clusters),
  // for DEBUG logging at start-up and the expiry warnings.
  const std::vector<Trusted>& trust_store() const { return trust_store_; }
  // Things that work but probably not as intended, for WARNING lines at start-up: tls_key_file
  // is readable or writable by its group or other users (a read or write bit of its mode past
  // the owner's, as in 640 or 644); the server certificate is not yet valid; tls_legacy_ciphers
  // is on with a non-RSA key (so AES256-SHA can never be negotiated); and ExpiryWarnings() at the
  // time the context was built.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // One warning for each certificate this context relies on, each certificate of the server's
  // chain (server_chain()) and of the ca_files, that has expired or expires within
  // kExpiryNoticeDays of
  // `now_unix` (seconds since 1970), with its date, the days left and the file (and for a
  // ca_file, the clusters) to fix. The server checks daily too, since a process can run for
  // longer than a certificate lives.
  std::vector<std::string> ExpiryWarnings(std::int64_t now_unix) const;

 private:
  friend Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const config::Config& config,
                                                                   const CaFiles& ca_files);
  // Takes ownership of `context` (one reference).
  TlsContext(SSL_CTX* context, bool requires_client_certificate, std::string certificate_file,
             std::vector<CertificateSummary> server_chain, std::vector<Trusted> trust_store,
             std::vector<std::string> warnings);

  SSL_CTX* context_;
  bool requires_client_certificate_;
  std::string certificate_file_;  // tls_cert_file, for the warnings
  std::vector<CertificateSummary> server_chain_;
  std::vector<Trusted> trust_store_;
  std::vector<std::string> warnings_;
};

// Reads tls_cert_file, tls_key_file and every cluster's ca_file. Errors: either TLS file unset;
// a file missing or unreadable (with the system's reason), or that changed while it was read
// (ChangedWhileRead, common/file_stream.h); no certificate in tls_cert_file; a key that is not an
// unencrypted PEM private key (there is no passphrase prompt); a key that does not match the
// certificate; a certificate in tls_cert_file that has expired (UCM would refuse every
// connection). Each error names the configuration key and the file. The trust store is every
// certificate of `ca_files`, loaded from the same `config`. Reads files; call it off the I/O
// threads.
Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const config::Config& config,
                                                          const CaFiles& ca_files);
// The same, loading the ca_files itself (CaFiles::Load, whose errors it returns: a leaf, no
// root, no certificate).
Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const config::Config& config);

}  // namespace callgate::security
