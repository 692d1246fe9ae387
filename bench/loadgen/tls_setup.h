// The client TLS context: protocol versions, optional client certificate (mutual TLS), optional
// server verification. Built once and shared read-only by every connection of every thread.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "options.h"

namespace callgate::loadgen {

// Returns nullptr and sets `error` (naming the file) when a certificate, key or CA file cannot
// be loaded. No client-side session cache: every new connection is a full handshake.
std::unique_ptr<boost::asio::ssl::context> MakeTlsContext(const Options& options,
                                                          std::string& error);

}  // namespace callgate::loadgen
