#include "security/certificate_refusal.h"

#include <openssl/x509_vfy.h>

#include <exception>
#include <memory>

#include "security/certificates.h"

namespace callgate::security {
namespace {

void FreeRefusal(void* /*parent*/, void* refusal, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                 long /*argl*/, void* /*argp*/) {
  delete static_cast<CertificateRefusal*>(refusal);
}

// The SSL ex_data slot of the record; asio uses the application data slot (index 0) itself.
int RefusalIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeRefusal);
  return index;
}

std::unique_ptr<CertificateRefusal> Describe(X509_STORE_CTX* store) {
  auto refusal = std::make_unique<CertificateRefusal>();
  refusal->reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  if (const X509* client = X509_STORE_CTX_get0_cert(store)) {
    refusal->common_name = CommonName(client);
    refusal->issuer = Summarize(client).issuer;
  }
  refusal->depth = X509_STORE_CTX_get_error_depth(store);
  const X509* at_depth = X509_STORE_CTX_get_current_cert(store);
  if (refusal->depth > 0 && at_depth != nullptr) {
    refusal->subject_at_depth = Summarize(at_depth).subject;
  }
  return refusal;
}

// OpenSSL's verify callback: keeps OpenSSL's verdict and records its error (verification stops
// at the first one, since the callback does not override it).
int RecordRefusal(int preverified, X509_STORE_CTX* store) noexcept {
  if (preverified == 1) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr || RefusalIndex() < 0 || SSL_get_ex_data(ssl, RefusalIndex()) != nullptr) {
    return 0;
  }
  try {
    std::unique_ptr<CertificateRefusal> refusal = Describe(store);
    if (SSL_set_ex_data(ssl, RefusalIndex(), refusal.get()) == 1) {
      static_cast<void>(refusal.release());  // the SSL owns it now: FreeRefusal deletes it
    }
  } catch (const std::exception&) {  // bad_alloc: the handshake fails anyway, without details
  }
  return 0;
}

}  // namespace

void VerifyClientsAndRecordRefusals(SSL_CTX* context, int mode) {
  RefusalIndex();  // allocated before any handshake, not in the middle of one
  SSL_CTX_set_verify(context, mode, RecordRefusal);
}

std::optional<CertificateRefusal> ClientCertificateRefusal(const SSL* ssl) {
  if (RefusalIndex() < 0) return std::nullopt;
  const auto* refusal =
      static_cast<const CertificateRefusal*>(SSL_get_ex_data(ssl, RefusalIndex()));
  if (refusal == nullptr) return std::nullopt;
  return *refusal;
}

std::string DescribeRefusal(const CertificateRefusal& refusal, const PiiMasker& masker) {
  std::string line = refusal.reason + ": ";
  if (refusal.depth > 0)
    line += "CA certificate \"" + refusal.subject_at_depth + "\" in the chain of ";
  line += refusal.common_name.empty() ? "client certificate without CN"
                                      : "client certificate CN " + masker.Mask(refusal.common_name);
  return line + ", issuer \"" + refusal.issuer + "\"";
}

}  // namespace callgate::security
