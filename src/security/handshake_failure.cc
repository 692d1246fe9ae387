#include "security/handshake_failure.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <string_view>

#include "security/certificates.h"
#include "security/trusted_leaf.h"

namespace callgate::security {
namespace {

constexpr std::size_t kMaxSuitesShown = 12;
// TLS_RSA_WITH_AES_256_CBC_SHA, the suite old UCM releases offer (curri.md §4.1).
constexpr std::string_view kLegacySuite = "AES256-SHA";

void FreeRefusal(void* /*parent*/, void* refusal, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                 long /*argl*/, void* /*argp*/) {
  delete static_cast<CertificateRefusal*>(refusal);
}

// The SSL ex_data slot of the record; asio uses the application data slot (index 0) itself.
int RefusalIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeRefusal);
  return index;
}

// Whether a certificate of the trust store has `name` as its subject. By name, not by
// certificate: a name the trust store holds is the administrator's to read, whichever
// certificate of the client's chain carries it.
bool TrustStoreHas(X509_STORE_CTX* store, const X509_NAME* name) {
  const X509StackPtr found(X509_STORE_CTX_get1_certs(store, name));
  return sk_X509_num(found.get()) > 0;
}

std::unique_ptr<CertificateRefusal> Describe(X509_STORE_CTX* store) {
  auto refusal = std::make_unique<CertificateRefusal>();
  refusal->reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  if (const X509* client = X509_STORE_CTX_get0_cert(store)) {
    refusal->common_name = CommonName(client);
    refusal->issuer = Summarize(client).issuer;
    refusal->self_issued =
        X509_NAME_cmp(X509_get_issuer_name(client), X509_get_subject_name(client)) == 0;
    refusal->issuer_trusted = TrustStoreHas(store, X509_get_issuer_name(client));
  }
  refusal->depth = X509_STORE_CTX_get_error_depth(store);
  const X509* at_depth = X509_STORE_CTX_get_current_cert(store);
  if (refusal->depth > 0 && at_depth != nullptr) {
    refusal->subject_at_depth = Summarize(at_depth).subject;
    refusal->subject_at_depth_trusted = TrustStoreHas(store, X509_get_subject_name(at_depth));
  }
  return refusal;
}

// A name of the client's chain for the line: quoted as it is, or masked under obfuscate_pii
// unless the trust store has it (a CA of a ca_file, which the administrator needs to see).
std::string ChainName(const std::string& name, bool trusted, const PiiMasker& masker) {
  if (trusted || !masker.enabled()) return "\"" + name + "\"";
  return masker.Mask(name);
}

// OpenSSL's verify callback: keeps OpenSSL's verdict, except for a self-signed client
// certificate that is itself trusted (trusted_leaf.h), and records its error (verification
// stops at the first one it does not override).
int RecordRefusal(int preverified, X509_STORE_CTX* store) noexcept {
  if (preverified == 1 || AcceptTrustedSelfSignedLeaf(store)) return 1;
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

std::string DescribeOffer(const std::vector<std::string>& offered) {
  std::string line = "; the client offered: ";
  for (std::size_t i = 0; i < offered.size() && i < kMaxSuitesShown; ++i) {
    line += (i == 0 ? "" : ", ") + offered[i];
  }
  if (offered.size() > kMaxSuitesShown) {
    line += " and " + std::to_string(offered.size() - kMaxSuitesShown) + " more";
  }
  if (std::find(offered.begin(), offered.end(), kLegacySuite) != offered.end()) {
    line +=
        ". AES256-SHA, what old UCM releases offer, needs tls_legacy_ciphers: true and an RSA "
        "server key (docs/ucm-setup.md, Step 1)";
  }
  return line;
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
  if (refusal.depth > 0) {
    line += "CA certificate " +
            ChainName(refusal.subject_at_depth, refusal.subject_at_depth_trusted, masker) +
            " in the chain of ";
  }
  line += refusal.common_name.empty() ? "client certificate without CN"
                                      : "client certificate CN " + masker.Mask(refusal.common_name);
  if (refusal.self_issued && masker.enabled()) {
    return line +
           ", issued by itself (its issuer, its own subject, is left out under obfuscate_pii)";
  }
  return line + ", issuer " + ChainName(refusal.issuer, refusal.issuer_trusted, masker);
}

std::vector<std::string> OfferedCipherSuites(const SSL* ssl) {
  const STACK_OF(SSL_CIPHER)* offered = SSL_get_client_ciphers(ssl);
  const int count = sk_SSL_CIPHER_num(offered);  // -1 without a hello
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    names.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(offered, i)));
  }
  return names;
}

bool NoClientHello(const SSL* ssl) { return SSL_get_client_ciphers(ssl) == nullptr; }

std::string ExplainHandshakeFailure(const SSL* ssl, unsigned long openssl_error,
                                    const PiiMasker& masker) {
  if (const auto refusal = ClientCertificateRefusal(ssl)) {
    return "; " + DescribeRefusal(*refusal, masker);
  }
  if (ERR_GET_LIB(openssl_error) != ERR_LIB_SSL) return "";
  switch (ERR_GET_REASON(openssl_error)) {
    case SSL_R_NO_SHARED_CIPHER: {
      const std::vector<std::string> offered = OfferedCipherSuites(ssl);
      return offered.empty() ? "" : DescribeOffer(offered);
    }
    // The client's alert, which OpenSSL words as if callgate had refused a CA.
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      return "; the client does not trust callgate's certificate: check that UCM's "
             "CallManager-trust holds it, or the CA that issued it (docs/ucm-setup.md, Step 3)";
    case SSL_R_HTTP_REQUEST:
      return "; the client sent plain HTTP to this TLS listener: the PDP URL must start with "
             "https://";
    default:
      return "";
  }
}

}  // namespace callgate::security
