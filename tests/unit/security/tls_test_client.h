// RunHandshake: a real TLS handshake between a client SSL and a server SSL made from the
// server's SSL_CTX, over an in-memory BIO pair (no sockets, no threads). Header-only for the
// same reason as test_pki.h.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "security/certificates.h"
#include "test_pki.h"

namespace callgate::security::testing {

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;
struct SslCtxDeleter {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct ClientOptions {
  const Credential* credential = nullptr;  // the client certificate; null: none
  bool send_chain = true;                  // also send the credential's intermediates
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string ciphers;                         // TLS 1.2 cipher list; empty: OpenSSL's default
  int security_level = -1;                     // -1: OpenSSL's default
  const Credential* trusted_server = nullptr;  // verify the server against this; null: no check
};

struct HandshakeResult {
  bool server_ok = false;
  bool client_ok = false;
  std::string server_error;  // OpenSSL's reasons, when the server side failed
  SslPtr server;
  SslPtr client;
};

using Chain = std::vector<const Credential*>;

inline SslCtxPtr MakeClientContext(const ClientOptions& options) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (options.security_level >= 0)
    SSL_CTX_set_security_level(context.get(), options.security_level);
  SSL_CTX_set_min_proto_version(context.get(), options.min_version);
  SSL_CTX_set_max_proto_version(context.get(), options.max_version);
  if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(context.get(), options.ciphers.c_str());
  if (const Credential* credential = options.credential) {
    SSL_CTX_use_certificate(context.get(), credential->cert.get());
    SSL_CTX_use_PrivateKey(context.get(), credential->key.get());
    for (const Credential* link : options.send_chain ? credential->chain : Chain{}) {
      SSL_CTX_add1_chain_cert(context.get(), link->cert.get());
    }
  }
  if (options.trusted_server != nullptr) {
    X509_STORE_add_cert(SSL_CTX_get_cert_store(context.get()), options.trusted_server->cert.get());
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  }
  ERR_clear_error();
  return context;
}

// One step of one side. Returns true when that side is finished (succeeded or failed).
inline bool Step(SSL* ssl, bool& ok, std::string* error) {
  const int result = SSL_do_handshake(ssl);
  if (result == 1) {
    ok = true;
    return true;
  }
  const int reason = SSL_get_error(ssl, result);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return false;
  }
  const std::string errors = TakeOpenSslErrors();
  if (error != nullptr) *error = errors;
  return true;
}

// Both sides share one thread, so the error queue is read right after each side's step.
inline HandshakeResult RunHandshake(SSL_CTX* server_context, const ClientOptions& options) {
  HandshakeResult out;
  SslCtxPtr client_context = MakeClientContext(options);
  out.client.reset(SSL_new(client_context.get()));
  out.server.reset(SSL_new(server_context));
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(out.client.get(), client_bio, client_bio);
  SSL_set_bio(out.server.get(), server_bio, server_bio);
  SSL_set_connect_state(out.client.get());
  SSL_set_accept_state(out.server.get());
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < 32 && !(client_done && server_done); ++round) {
    if (!client_done) client_done = Step(out.client.get(), out.client_ok, nullptr);
    if (!server_done) server_done = Step(out.server.get(), out.server_ok, &out.server_error);
  }
  return out;
}

}  // namespace callgate::security::testing
