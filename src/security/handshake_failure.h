// Why a server-side TLS handshake failed, beyond OpenSSL's one-line reason, for the log line
// an administrator reads while connecting UCM:
// * A refused client certificate. OpenSSL keeps it nowhere (the peer certificate is set only
//   once the chain verifies) and SSL_get_verify_result gives only the error code, so the line
//   said "certificate verify failed" and nothing showed which certificate UCM presented, for
//   the most common setup mistake: a ca_file that is not the CA of UCM's certificates. A verify
//   callback installed on the context records the error and the certificate on the SSL.
// * No shared cipher suite. The suites the client offered are still on the SSL; old UCM releases
//   offer only AES256-SHA, which callgate accepts only when told to (tls_legacy_ciphers).
// * OpenSSL reasons that mislead: "tlsv1 alert unknown ca" is the client refusing callgate's
//   certificate; "http request" is plain HTTP sent to the TLS port.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <vector>

#include "security/pii_masker.h"

namespace callgate::security {

struct CertificateRefusal {
  // OpenSSL's verification error: "unable to get local issuer certificate", "certificate has
  // expired", "self-signed certificate", ...
  std::string reason;
  // The client's own certificate: its subject's last CN as CommonName() gives it (empty when
  // there is none) and its issuer as a one-line DN ("O = Example, CN = Example Root CA").
  std::string common_name;
  std::string issuer;
  // Which certificate of the chain the error is about: 0 is the client's own, 1 its issuer, and
  // so on up; with its subject as a one-line DN when depth > 0.
  int depth = 0;
  std::string subject_at_depth;
  // The client's certificate names itself as its issuer (self-signed): its issuer is then its
  // subject, personal data as much as its CN.
  bool self_issued = false;
  // Whether `issuer`, and `subject_at_depth`, is the subject of a certificate of the trust store
  // (a ca_file's): a name from the administrator's configuration. Any other name of the chain is
  // one the client chose (a "Personal CA" of its own, say).
  bool issuer_trusted = false;
  bool subject_at_depth_trusted = false;
};

// Installs the recording callback on `context` together with `mode` (SSL_CTX_set_verify). SSLs
// made from `context` must not be duplicated with SSL_dup (the record is not copied safely).
// The callback also accepts a self-signed client certificate that is byte for byte in the
// trust store but that OpenSSL did not find there (AcceptTrustedSelfSignedLeaf, trusted_leaf.h).
void VerifyClientsAndRecordRefusals(SSL_CTX* context, int mode);

// The refusal recorded during the handshake on `ssl`, if its client certificate was refused.
// Empty for a handshake that failed for another reason (no certificate, no common cipher suite,
// an old protocol version) or did not fail.
std::optional<CertificateRefusal> ClientCertificateRefusal(const SSL* ssl);

// For the log line: 'unable to get local issuer certificate: client certificate CN
// cucm-pub.example.com, issuer "O = Example, CN = Example Root CA"', and for an error higher up
// the chain 'certificate has expired: CA certificate "CN = Issuing CA" in the chain of client
// certificate CN ..., issuer "..."'. Under obfuscate_pii the CN is masked like other peer names,
// and so is every other name of the client's chain (the CA at the depth, the issuer) but those
// of the trust store's own certificates, which are shown as they are for diagnosis; the issuer of
// a self-issued certificate, its own subject, is left out.
std::string DescribeRefusal(const CertificateRefusal& refusal, const PiiMasker& masker);

// The cipher suites the client offered in its hello, by OpenSSL name ("AES256-SHA",
// "TLS_AES_128_GCM_SHA256"), in its order; suites this OpenSSL does not know are left out.
// Still available after a handshake that failed choosing a suite; empty when no hello was read.
std::vector<std::string> OfferedCipherSuites(const SSL* ssl);

// Whether no ClientHello was read on `ssl`: a handshake that failed so is a client that
// connected and closed (or went silent) without speaking TLS, such as a load balancer's TCP
// health check or a port scan.
bool NoClientHello(const SSL* ssl);

// What to add to the log line of a handshake on `ssl` that failed with `openssl_error` (the
// packed OpenSSL error, ERR_get_error(); 0 when the failure was not OpenSSL's): "; " and
// DescribeRefusal() for a refused client certificate; for "no shared cipher", "; the client
// offered: ..." (at most 12 names) and, when AES256-SHA is among them, what callgate needs to
// accept it; for "tlsv1 alert unknown ca" (the client refused callgate's certificate, though
// OpenSSL's words read as if callgate refused a CA) where to fix the client's trust; for "http
// request", that the client sent plain HTTP. Empty when there is nothing to add.
std::string ExplainHandshakeFailure(const SSL* ssl, unsigned long openssl_error,
                                    const PiiMasker& masker);

}  // namespace callgate::security
