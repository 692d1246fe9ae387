// A client certificate that is byte for byte one of the trusted certificates (a ca_file's) is
// trusted, whatever else the trust store holds. OpenSSL looks a certificate's issuer up in the
// store by subject alone when there is no authorityKeyIdentifier to tell certificates apart, so
// of two self-signed certificates with the same subject (UCM's CallManager.pem before and after
// a renewal, both in the cluster's ca_file during the overlap) only the one listed first was
// found; the other failed with "self-signed certificate" though it is trusted.
#pragma once

#include <openssl/x509_vfy.h>

namespace callgate::security {

// For a verify callback that OpenSSL called with preverified == 0: true, after clearing the
// error (X509_V_OK), when the error is "self-signed certificate" (X509_V_ERR_DEPTH_ZERO_SELF_-
// SIGNED_CERT) at depth 0, the chain is the leaf alone and the store holds a certificate equal
// to it (X509_cmp). The callback then returns 1 and verification goes on, so validity dates
// and purpose are still checked. The verified chain stays the leaf alone: it is its own trust
// anchor, which the authorizer compares with each cluster's ca_file. False, with nothing
// changed, otherwise. Reads the store; thread-safe as OpenSSL's verification is.
bool AcceptTrustedSelfSignedLeaf(X509_STORE_CTX* store);

}  // namespace callgate::security
