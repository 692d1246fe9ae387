#include "security/trusted_leaf.h"

#include <openssl/x509.h>

#include "security/certificates.h"

namespace callgate::security {
namespace {

// Every certificate of the store with the leaf's subject: the duplicates OpenSSL's issuer
// lookup stops at the first of.
bool InStore(X509_STORE_CTX* store, const X509* leaf) {
  X509StackPtr same_subject(X509_STORE_CTX_get1_certs(store, X509_get_subject_name(leaf)));
  for (int i = 0; i < sk_X509_num(same_subject.get()); ++i) {
    if (X509_cmp(sk_X509_value(same_subject.get(), i), leaf) == 0) return true;
  }
  return false;
}

}  // namespace

// Only this error: it is the one OpenSSL reports for a self-signed leaf it did not find in the
// store (found: a chain of one, no error). A longer chain would end at some other certificate,
// which would then be the trust anchor the authorizer compares, so it is never accepted here.
bool AcceptTrustedSelfSignedLeaf(X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error(store) != X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
      X509_STORE_CTX_get_error_depth(store) != 0 ||
      sk_X509_num(X509_STORE_CTX_get0_chain(store)) != 1) {
    return false;
  }
  const X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (leaf == nullptr || !InStore(store, leaf)) return false;
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return true;
}

}  // namespace callgate::security
