// Why a TLS handshake refused the client's certificate. OpenSSL keeps a refused certificate
// nowhere (the peer certificate is set only once the chain verifies), and SSL_get_verify_result
// gives only the error code, so the log line of a failed handshake could not say which
// certificate UCM presented: for the most common setup mistake, a ca_file that is not the CA of
// UCM's certificates, the administrator saw only "certificate verify failed". A verify callback
// installed on the context records the first error and the certificate it concerns on the SSL.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>

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
};

// Installs the recording callback on `context` together with `mode` (SSL_CTX_set_verify). SSLs
// made from `context` must not be duplicated with SSL_dup (the record is not copied safely).
void VerifyClientsAndRecordRefusals(SSL_CTX* context, int mode);

// The refusal recorded during the handshake on `ssl`, if its client certificate was refused.
// Empty for a handshake that failed for another reason (no certificate, no common cipher suite,
// an old protocol version) or did not fail.
std::optional<CertificateRefusal> ClientCertificateRefusal(const SSL* ssl);

// For the log line: 'unable to get local issuer certificate: client certificate CN
// cucm-pub.example.com, issuer "O = Example, CN = Example Root CA"', and for an error higher up
// the chain 'certificate has expired: CA certificate "CN = Issuing CA" in the chain of client
// certificate CN ..., issuer "..."'. The CN is masked like other peer names (obfuscate_pii); the
// issuers are CAs, not peers, and are shown as they are.
std::string DescribeRefusal(const CertificateRefusal& refusal, const PiiMasker& masker);

}  // namespace callgate::security
