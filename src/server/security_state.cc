#include "server/security_state.h"

#include <openssl/ssl.h>

namespace callgate::server {

Result<std::shared_ptr<const SecurityState>> BuildSecurityState(const config::Config& config) {
  // Each ca_file read once, for both: the authorizer and the trust store rely on one version.
  auto ca_files = security::CaFiles::Load(config);
  if (!ca_files) return ca_files.error();
  auto state = std::make_shared<SecurityState>();
  auto authorizer = security::PeerAuthorizer::Build(config, *ca_files);
  if (!authorizer) return authorizer.error();
  state->authorizer =
      std::make_shared<const security::PeerAuthorizer>(std::move(authorizer).value());
  if (config.tls_enabled()) {
    auto tls = security::BuildTlsContext(config, *ca_files);
    if (!tls) return tls.error();
    state->tls = std::move(tls).value();
    // asio's context frees the SSL_CTX it wraps: give it a reference of its own.
    SSL_CTX_up_ref(state->tls->native());
    state->asio_tls = std::make_unique<boost::asio::ssl::context>(state->tls->native());
  }
  return std::shared_ptr<const SecurityState>(std::move(state));
}

}  // namespace callgate::server
