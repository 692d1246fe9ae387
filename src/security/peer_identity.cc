#include "security/peer_identity.h"

#include <openssl/x509_vfy.h>

namespace callgate::security {
namespace {

// Per-cluster trust compares this chain: the one OpenSSL built from the trust store and
// verified, not the chain the client sent (which the client controls and may pad with any CA).
std::vector<std::string> VerifiedChain(const SSL* ssl) {
  std::vector<std::string> fingerprints;
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    fingerprints.push_back(Sha256Fingerprint(sk_X509_value(chain, i)));
  }
  return fingerprints;
}

}  // namespace

PeerIdentity IdentifyPeer(const IpAddress& address, const SSL* ssl) {
  PeerIdentity identity;
  identity.address = address;
  if (ssl == nullptr) return identity;
  const X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr) return identity;
  identity.has_certificate = true;
  identity.names = CertificateNames(certificate);
  identity.certificate = Summarize(certificate);
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    identity.verified_chain_sha256 = VerifiedChain(ssl);
    identity.chain_verified = !identity.verified_chain_sha256.empty();
    if (identity.chain_verified)
      identity.trust_anchor_sha256 = identity.verified_chain_sha256.back();
  }
  return identity;
}

}  // namespace callgate::security
