// SecurityState: the TLS context and the peer authorizer in force, built together from the
// configuration and replaced together on reload. Connections pin the state current when they are
// accepted, so a reload never changes an open connection's certificate; its authorization is
// decided again under the new authorizer (Server::Impl::Reauthorize).
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "common/result.h"
#include "config/config.h"
#include "security/peer_authorizer.h"
#include "security/tls_context.h"

namespace callgate::server {

struct SecurityState {
  std::shared_ptr<const security::TlsContext> tls;      // null: the main listener is plain HTTP
  std::unique_ptr<boost::asio::ssl::context> asio_tls;  // wraps tls->native(); null when tls is
  std::shared_ptr<const security::PeerAuthorizer> authorizer;  // never null; may be disabled
};

// Reads the certificate, key and CA files named by `config`. Errors name the file.
Result<std::shared_ptr<const SecurityState>> BuildSecurityState(const config::Config& config);

}  // namespace callgate::server
