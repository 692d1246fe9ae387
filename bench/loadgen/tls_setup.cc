#include "tls_setup.h"

#include <openssl/ssl.h>

namespace callgate::loadgen {
namespace {

namespace ssl = boost::asio::ssl;

bool Fail(std::string& error, const std::string& what, const std::string& file,
          const boost::system::error_code& ec) {
  error = "cannot load " + what + " '" + file + "': " + ec.message();
  return false;
}

bool SetVersions(ssl::context& context, const std::string& version) {
  SSL_CTX* native = context.native_handle();
  int min = TLS1_2_VERSION;
  int max = TLS1_3_VERSION;
  if (version == "1.2") max = TLS1_2_VERSION;
  if (version == "1.3") min = TLS1_3_VERSION;
  return SSL_CTX_set_min_proto_version(native, min) == 1 &&
         SSL_CTX_set_max_proto_version(native, max) == 1;
}

bool LoadFiles(ssl::context& context, const Options& options, std::string& error) {
  boost::system::error_code ec;
  if (!options.cert_file.empty()) {
    context.use_certificate_chain_file(options.cert_file, ec);
    if (ec) return Fail(error, "--cert", options.cert_file, ec);
    context.use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) return Fail(error, "--key", options.key_file, ec);
  }
  if (!options.cacert_file.empty()) {
    context.load_verify_file(options.cacert_file, ec);
    if (ec) return Fail(error, "--cacert", options.cacert_file, ec);
    context.set_verify_mode(ssl::verify_peer, ec);
  } else {
    context.set_verify_mode(ssl::verify_none, ec);
  }
  return true;
}

}  // namespace

std::unique_ptr<ssl::context> MakeTlsContext(const Options& options, std::string& error) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  if (!SetVersions(*context, options.tls_version)) {
    error = "cannot set TLS version " + options.tls_version;
    return nullptr;
  }
  SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_OFF);
  if (!LoadFiles(*context, options, error)) return nullptr;
  return context;
}

}  // namespace callgate::loadgen
