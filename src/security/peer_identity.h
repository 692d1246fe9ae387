// PeerIdentity: who is on the other end of a connection, as far as authorization cares — the
// address, and for TLS the client certificate and whether OpenSSL verified its chain. Built once
// per connection after the handshake; a plain value, safe to copy and share.
#pragma once

#include <openssl/ssl.h>

#include <optional>
#include <string>
#include <vector>

#include "common/ip_network.h"
#include "security/certificates.h"

namespace callgate::security {

struct PeerIdentity {
  IpAddress address;
  bool has_certificate = false;  // the client presented a certificate
  bool chain_verified = false;   // ...and OpenSSL verified its chain against the trust store
  // Lower-cased subject CNs, DNS SANs and IP SANs (canonical text) of the client certificate;
  // see CertificateNames(). Filled whenever there is a certificate, verified or not: only the
  // authorizer decides what counts.
  std::vector<std::string> names;
  // Sha256Fingerprint() of each certificate of the chain OpenSSL built and verified, leaf
  // first, self-signed trust anchor last (a self-signed client certificate that is itself in
  // the trust store is a chain of one). Empty unless chain_verified. For logs and diagnosis;
  // authorization uses trust_anchor_sha256.
  std::vector<std::string> verified_chain_sha256;
  // verified_chain_sha256.back(): the trust anchor. Empty unless chain_verified.
  std::string trust_anchor_sha256;
  std::optional<CertificateSummary> certificate;  // the client certificate, for logs
};

// Reads the peer certificate and verification result of a completed server-side handshake.
// `ssl` == nullptr means plain HTTP: only the address is set. chain_verified requires a peer
// certificate, SSL_get_verify_result() == X509_V_OK and a non-empty verified chain (a session
// that never asked for a certificate reports X509_V_OK too, so the result alone proves
// nothing). Reads `ssl` only; call it on the connection's strand. Cost: one SHA-256 per
// certificate and a few allocations, once per connection.
PeerIdentity IdentifyPeer(const IpAddress& address, const SSL* ssl);

}  // namespace callgate::security
