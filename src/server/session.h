// HTTP/1.1 sessions: the read -> route -> write loop on one connection, over plain TCP or TLS.
// A fresh parser per message; a body and a header limit on every read; an idle timeout while
// waiting for a request and a read timeout once it has started; keep-alive until the peer closes,
// a limit is hit, or the server stops.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "server/connection_registry.h"
#include "server/log_throttle.h"
#include "server/logs.h"
#include "server/metrics.h"
#include "server/router.h"

namespace callgate::server {

struct SessionLimits {
  std::uint64_t max_body_bytes = std::uint64_t{64} * 1024;
  std::uint32_t max_header_bytes = 8 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{3600};
};

// What every session shares; outlives all sessions.
struct SessionEnv {
  SessionLimits limits;
  const Router& router;
  const Logs& logs;
  Metrics& metrics;
  const std::atomic<bool>& stopping;
  // Moves on at each reload of the TLS files. A peer whose `auth` was decided under another
  // count is authorized again by `reauthorize` before its next request is routed; false means
  // that the connection ends after that request.
  const std::atomic<std::uint64_t>& security_generation;
  std::function<bool(PeerContext&)> reauthorize;
  // The warning for a request refused with 400, 413, 414, 431 or 505 (any client can send those
  // at will).
  mutable LogThrottle refusal_log{std::chrono::seconds(10)};
};

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Serves requests on `stream` until it is done. `slot` must stay registered with the worker's
// ConnectionRegistry while this runs, with `close` set: the session sets its deadlines there,
// and the worker's sweep enforces them (the stream's own timeouts are not used).
template <class Stream>
boost::asio::awaitable<void> ServeHttp(Stream& stream, PeerContext& peer, const SessionEnv& env,
                                       ConnectionSlot& slot);

// Ends a connection that the server closes (RFC 9112 §9.6): sends its FIN after what was written,
// then reads and discards what the client still sends, until the client closes its side too or
// kLingerTime has passed. Closing a socket with unread bytes makes the system reset the
// connection, and a reset destroys the responses the client has not read yet: those before the
// one that said "Connection: close" to a client that pipelined more, or a 413 to a client still
// sending its body. `slot` as for ServeHttp; the connection counts as idle meanwhile (a shutdown
// closes it at once). The caller closes the socket afterwards.
inline constexpr std::chrono::seconds kLingerTime{2};
boost::asio::awaitable<void> LingeringClose(boost::asio::ip::tcp::socket& socket,
                                            ConnectionSlot& slot);

extern template boost::asio::awaitable<void> ServeHttp<PlainStream>(PlainStream&, PeerContext&,
                                                                    const SessionEnv&,
                                                                    ConnectionSlot&);
extern template boost::asio::awaitable<void> ServeHttp<TlsStream>(TlsStream&, PeerContext&,
                                                                  const SessionEnv&,
                                                                  ConnectionSlot&);

}  // namespace callgate::server
