#include "server/session.h"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include "server/http_date.h"
#include "server/request_line.h"

namespace callgate::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = std::size_t{16} * 1024;
using Clock = std::chrono::steady_clock;

// How a failed read ends the connection.
enum class ReadFailure {
  kClosed,
  kTimeout,
  kHeaderTooLarge,
  kRequestLineTooLong,
  kBodyTooLarge,
  kVersionNotSupported,
  kBadRequest
};

// The connection may take until `limit` from now for what comes next; the worker's deadline sweep
// closes it after that (connection_registry.h). The stream has no timeouts of its own: every read
// and write on it must come after a SetDeadline, and its result must go through Checked.
void SetDeadline(ConnectionSlot& slot, std::chrono::seconds limit) {
  slot.deadline = Clock::now() + limit;
}

// An operation's result as the session reports it: once the deadline sweep has closed the socket,
// the connection has timed out, even if this operation succeeded. (It can have: a read that
// completed just before the sweep ran resumes the session only after it.)
beast::error_code Checked(const beast::error_code& ec, const ConnectionSlot& slot) {
  return slot.timed_out ? beast::error::timeout : ec;
}

ReadFailure Classify(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return ReadFailure::kTimeout;
  if (ec == http::error::header_limit) return ReadFailure::kHeaderTooLarge;
  if (ec == http::error::body_limit) return ReadFailure::kBodyTooLarge;
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated ||
      ec == http::error::partial_message) {
    return ReadFailure::kClosed;
  }
  return ReadFailure::kBadRequest;
}

// A refusal (`error`) of a request whose request line the parser never took (`request` has no
// target), said more precisely from its first bytes, `unread`: Beast reports a request line too
// long as a header too large, and every version but 1.0 and 1.1 (a client that sent HTTP/2.0
// without the upgrade) as bad_version, which also stands for a malformed version or line end.
ReadFailure Refined(const beast::error_code& error, const Request& request, std::string_view unread,
                    std::size_t max_header_bytes) {
  const ReadFailure failure = Classify(error);
  if (!request.target().empty()) return failure;
  if (failure == ReadFailure::kHeaderTooLarge && RequestLineLongerThan(unread, max_header_bytes)) {
    return ReadFailure::kRequestLineTooLong;
  }
  if (error == http::error::bad_version) {
    const std::optional<int> major = RequestLineMajorVersion(unread);
    if (major && *major != 1) return ReadFailure::kVersionNotSupported;
  }
  return failure;
}

// RFC 9110 §10.1.1: an HTTP/1.0 request's expectation is ignored (its client would take the
// interim response for the response).
bool ExpectsContinue(const Request& header) {
  if (header.version() < 11) return false;
  auto it = header.find(http::field::expect);
  return it != header.end() && beast::iequals(it->value(), "100-continue");
}

// What ends an access.log line whose response did not reach the client (`write_error`, from
// Write()): nothing when it did.
std::string_view Undelivered(const beast::error_code& write_error) {
  if (!write_error) return "";
  return write_error == beast::error::timeout ? " undelivered: not taken within the read timeout"
                                              : " undelivered: connection closed";
}

// One access.log line per response: the request line, or "-" for a request refused before its
// request line was parsed (400, 414, 431, 505); marked when the response could not be written.
void LogAccess(const SessionEnv& env, const PeerContext& peer, const Request& request,
               const Response& response, Clock::time_point started,
               const beast::error_code& write_error) {
  if (!env.logs.access) return;
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
  const LoggedBodySize size = env.logs.BodySize(response.body().size());
  if (request.target().empty()) {
    LogEveryRequest(*env.logs.access, spdlog::level::info, FMT_COMPILE("{} \"-\" {} {} {}us{}"),
                    env.logs.Pii(peer.address), response.result_int(), size, micros,
                    Undelivered(write_error));
    return;
  }
  LogEveryRequest(*env.logs.access, spdlog::level::info,
                  FMT_COMPILE("{} \"{} {} HTTP/{}.{}\" {} {} {}us{}"), env.logs.Pii(peer.address),
                  env.router.MethodForLog(request),  // a token: no quote
                  env.router.PathForLog(PathOf(request.target()), '"'), request.version() / 10,
                  request.version() % 10, response.result_int(), size, micros,
                  Undelivered(write_error));
}

// Beast's generic serializer walks a buffer-sequence state machine for every response: about
// 13,000 instructions for our ~600 bytes, a sixth of a whole request (callgrind). Our responses
// are small and complete, with Content-Length set by prepare_payload(), so they go out as one
// contiguous buffer in one write, which also spares the TLS stream a gather copy.
std::string Serialize(const Response& response) {
  std::string wire;
  wire.reserve(200 + response.body().size());
  wire += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  wire += std::to_string(response.result_int());
  wire += ' ';
  wire += std::string_view{response.reason()};
  wire += "\r\n";
  for (const auto& field : response) {
    wire += std::string_view{field.name_string()};
    wire += ": ";
    wire += std::string_view{field.value()};
    wire += "\r\n";
  }
  wire += "Date: ";
  wire += CurrentHttpDate();
  wire += "\r\n\r\n";
  wire += response.body();
  return wire;
}

// Writes `response`. A client gets read_timeout to take it: one that stops reading its responses
// (its receive window stays full) would otherwise hold the connection for ever.
template <class Stream>
asio::awaitable<beast::error_code> Write(Stream& stream, const SessionEnv& env,
                                         const PeerContext& peer, ConnectionSlot& slot,
                                         const Response& response) {
  SetDeadline(slot, env.limits.read_timeout);
  const std::string wire = Serialize(response);
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), kUse);
  const beast::error_code result = Checked(ec, slot);
  if (result == beast::error::timeout) {
    Metrics::Add(env.metrics.write_timeouts);
    env.logs.app->info(
        "Closed connection from {}: response not taken by the client within the read timeout",
        env.logs.Pii(peer.address));
  }
  co_return result;
}

// The connection-ending error responses (400, 413, 414, 431, 505). `request` holds what was
// read of the request (maybe not its version), `unread` the bytes not parsed: MakeResponse gives
// a HEAD no content, also one whose request line was refused before it was parsed.
Response ErrorResponse(http::status status, const Request& request, std::string_view unread) {
  Request asked;  // its method only: what MakeResponse takes from it is overridden below
  if (request.method() == http::verb::head ||
      (request.target().empty() && unread.starts_with("HEAD "))) {
    asked.method(http::verb::head);
  }
  Response response =
      MakeResponse(asked, status, std::string(http::obsolete_reason(status)) + "\n");
  response.version(11);
  response.keep_alive(false);
  return response;
}

// `request` holds what was read of the request's header before the failure, `unread` the bytes
// read and not parsed.
template <class Stream>
asio::awaitable<void> SendError(Stream& stream, const SessionEnv& env, const PeerContext& peer,
                                ConnectionSlot& slot, const beast::error_code& error,
                                const Request& request, std::string_view unread,
                                Clock::time_point started) {
  http::status status = http::status::bad_request;
  std::string why = error.message();
  switch (Refined(error, request, unread, env.limits.max_header_bytes)) {
    case ReadFailure::kClosed:
      co_return;
    case ReadFailure::kTimeout:
      Metrics::Add(env.metrics.read_timeouts);
      env.logs.app->info("Closed connection from {}: request not completed within the read timeout",
                         env.logs.Pii(peer.address));
      co_return;  // the deadline sweep already closed the socket
    case ReadFailure::kHeaderTooLarge:
      Metrics::Add(env.metrics.header_too_large);
      status = http::status::request_header_fields_too_large;
      break;
    case ReadFailure::kRequestLineTooLong:
      Metrics::Add(env.metrics.header_too_large);
      status = http::status::uri_too_long;
      why = "the request line alone is over max_header_bytes";
      break;
    case ReadFailure::kBodyTooLarge:
      Metrics::Add(env.metrics.body_too_large);
      status = http::status::payload_too_large;
      break;
    case ReadFailure::kVersionNotSupported:
      Metrics::Add(env.metrics.bad_requests);
      status = http::status::http_version_not_supported;
      why = "an HTTP version other than 1.x";
      break;
    case ReadFailure::kBadRequest:
      Metrics::Add(env.metrics.bad_requests);
      break;
  }
  if (auto held_back = env.refusal_log.Admit(Clock::now())) {
    env.logs.app->warn("Closing connection from {}: {} ({}){}", env.logs.Pii(peer.address),
                       std::string_view{http::obsolete_reason(status)}, why,
                       env.refusal_log.HeldBack(*held_back));
  }
  const Response response = ErrorResponse(status, request, unread);
  const beast::error_code written = co_await Write(stream, env, peer, slot, response);
  LogAccess(env, peer, request, response, started, written);
}

// Drops the line ends in front of the next request: RFC 9112 §2.2 asks a server to ignore empty
// lines before a request line (some clients send one after a POST body). True when other bytes
// are left.
bool SkipEmptyLines(beast::flat_buffer& buffer) {
  const auto* bytes = static_cast<const char*>(buffer.data().data());
  std::size_t n = 0;
  while (n < buffer.size() && (bytes[n] == '\r' || bytes[n] == '\n')) ++n;
  buffer.consume(n);
  return buffer.size() > 0;
}

// How long a connection may wait for its next request. idle_timeout is for call managers, which
// keep their connections open for hours. The admin listener's health checkers and a peer no
// cluster allows get read_timeout: otherwise a few idle sockets would hold every slot there is.
std::chrono::seconds IdleTimeout(const PeerContext& peer, const SessionLimits& limits) {
  const bool denied = peer.auth && !peer.auth->allowed;
  return peer.listener == ListenerKind::kAdmin || denied ? limits.read_timeout
                                                         : limits.idle_timeout;
}

// Whether bytes wait unread in the connection's socket (FIONREAD).
template <class Stream>
bool HasInput(Stream& stream) {
  beast::error_code ec;
  return beast::get_lowest_layer(stream).socket().available(ec) > 0 && !ec;
}

// Waits for the first byte of the next request (the idle part of a keep-alive connection). The
// idle deadline is set once: empty lines do not extend it, or a client sending one every few
// seconds would hold its connection for ever.
template <class Stream>
asio::awaitable<bool> AwaitRequest(Stream& stream, beast::flat_buffer& buffer,
                                   const SessionEnv& env, const PeerContext& peer,
                                   ConnectionSlot& slot) {
  if (SkipEmptyLines(buffer)) co_return true;  // pipelined bytes already here
  slot.busy = false;
  SetDeadline(slot, IdleTimeout(peer, env.limits));
  do {
    // During a stop, bytes already here are read and answered (with Connection: close): a request
    // sent before the stop, or right after a keep-alive response the stop came too late to mark.
    if (env.stopping.load(std::memory_order_relaxed) && !HasInput(stream)) {
      slot.close();  // no lingering: nothing more is wanted from an idle connection
      co_return false;
    }
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUse);
    // A shutdown cancels an idle connection's read (ConnectionRegistry::CloseIdle): back to the
    // check above.
    if (ec == asio::error::operation_aborted && !slot.timed_out) continue;
    if (Checked(ec, slot)) co_return false;  // peer closed, or idle timeout
    buffer.commit(n);
  } while (!SkipEmptyLines(buffer));
  co_return true;
}

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked has no length a
// server can trust. Beast would fall back to Content-Length or an empty body, and the body's
// bytes would be read as the next request (request smuggling behind a proxy): refused. So is
// one that adds another coding to chunked (`gzip, chunked`): callgate decodes none, and would
// read the compressed bytes as XML.
bool HasUnframedTransferCoding(const http::request_parser<http::string_body>& parser) {
  const auto& fields = parser.get();
  if (!parser.chunked()) return fields.count(http::field::transfer_encoding) > 0;
  for (const auto& field : fields) {  // in order, other fields between: no find()/equal_range()
    if (field.name() != http::field::transfer_encoding) continue;
    for (const auto& coding : http::token_list{field.value()}) {
      if (!beast::iequals(coding, "chunked")) return true;
    }
  }
  return false;
}

// RFC 9112 §6.1: HTTP/1.0 has no transfer codings, so a 1.0 message with Transfer-Encoding has
// faulty framing (an intermediary may have read it by Content-Length or up to the close). The
// request is answered, and the connection closed after it.
bool Http10WithTransferEncoding(const Request& request) {
  return request.version() < 11 && request.count(http::field::transfer_encoding) > 0;
}

// Whether a request from `peer` is answered without its body: a peer no cluster allows gets 403
// and its connection closed (Router::Forbidden), or /health from loopback, so its body need not be
// read, nor asked for with "100 Continue". Only a decision made under the TLS files in force
// counts: an older one is made again first (ServeHttp).
bool AnsweredWithoutBody(const PeerContext& peer, const SessionEnv& env) {
  return peer.auth && !peer.auth->allowed &&
         peer.security_generation == env.security_generation.load(std::memory_order_acquire);
}

// Feeds buffered bytes to `parser` and reads more until the message is complete. Beast's own
// async_read_header/async_read do the same, but each also posts its completion when the bytes
// were already here (the usual case: AwaitRequest's read holds the whole request), two trips
// through the scheduler per request. The parser enforces the header and body limits itself.
// It stops once after the header, where a client that asked for it gets "100 Continue", or, for
// a request AnsweredWithoutBody, stops there with `body_unread` set.
template <class Stream>
asio::awaitable<beast::error_code> ParseMessage(Stream& stream, beast::flat_buffer& buffer,
                                                http::request_parser<http::string_body>& parser,
                                                const SessionEnv& env, const PeerContext& peer,
                                                ConnectionSlot& slot, bool& body_unread) {
  bool header_seen = false;
  std::size_t header_bytes = 0;  // taken by the parser until the header was done
  std::size_t body_bytes = 0;    // taken since: the body as sent, chunk framing included
  for (;;) {
    beast::error_code ec;
    if (buffer.size() > 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      (header_seen ? body_bytes : header_bytes) += used;
      if (ec && ec != http::error::need_more) co_return ec;
      // body_limit counts only the chunks' data. Their framing (sizes, extensions, trailer
      // fields) is held to the header's limit in all: one line at a time, it could be megabytes.
      if (body_bytes - parser.get().body().size() > env.limits.max_header_bytes) {
        co_return http::error::body_limit;
      }
    }
    if (!header_seen && parser.is_header_done()) {
      header_seen = true;
      // Beast applies header_limit to the request line and to the fields apart when both are
      // buffered, so nearly twice the limit could pass: the whole block is measured here.
      if (header_bytes > env.limits.max_header_bytes) co_return http::error::header_limit;
      if (HasUnframedTransferCoding(parser)) co_return http::error::bad_transfer_encoding;
      // RFC 9112 §3.2: no form of request-target has a fragment (`/curri#x`); Beast lets '#' by.
      if (parser.get().target().find('#') != std::string_view::npos) {
        co_return http::error::bad_target;
      }
      if (parser.is_done()) co_return beast::error_code{};
      if (AnsweredWithoutBody(peer, env)) {
        body_unread = true;
        co_return beast::error_code{};
      }
      parser.eager(true);  // from here on, take every body byte that is already buffered
      if (ExpectsContinue(parser.get())) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(kContinue), kUse);
        if (auto write_error = Checked(wec, slot)) co_return write_error;
      }
      continue;
    }
    if (parser.is_done()) co_return beast::error_code{};
    // What the parser left unconsumed is a partial header (under header_limit) or a partial
    // chunk header: more than that is a peer that never ends a line.
    if (buffer.size() > env.limits.max_header_bytes + kReadChunk) co_return http::error::bad_chunk;
    auto [rec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kUse);
    buffer.commit(n);
    const beast::error_code read_error = Checked(rec, slot);
    if (read_error == asio::error::eof && parser.got_some()) {
      beast::error_code eof;
      parser.put_eof(eof);  // a request cannot end at EOF: this reports partial_message
      co_return eof;
    }
    if (read_error) co_return read_error;
  }
}

// Reads one whole request. Returns the error that ends the connection, if any; `request` then
// holds as much of the header as was read (the request line once it was complete).
// `body_unread`: as for ParseMessage.
template <class Stream>
asio::awaitable<beast::error_code> ReadRequest(Stream& stream, beast::flat_buffer& buffer,
                                               const SessionEnv& env, const PeerContext& peer,
                                               ConnectionSlot& slot, Request& request,
                                               bool& body_unread) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(env.limits.max_header_bytes);
  parser.body_limit(env.limits.max_body_bytes);
  SetDeadline(slot, env.limits.read_timeout);
  if (auto ec = co_await ParseMessage(stream, buffer, parser, env, peer, slot, body_unread)) {
    request.base() = parser.get().base();  // what was read of the header, for the access log
    co_return ec;
  }
  request = parser.release();
  co_return beast::error_code{};
}

}  // namespace

template <class Stream>
asio::awaitable<void> ServeHttp(Stream& stream, PeerContext& peer, const SessionEnv& env,
                                ConnectionSlot& slot) {
  beast::flat_buffer buffer;
  while (co_await AwaitRequest(stream, buffer, env, peer, slot)) {
    slot.busy = true;
    const Clock::time_point started = Clock::now();
    Request request;
    bool body_unread = false;
    if (auto error = co_await ReadRequest(stream, buffer, env, peer, slot, request, body_unread)) {
      const std::string_view unread{static_cast<const char*>(buffer.data().data()), buffer.size()};
      co_await SendError(stream, env, peer, slot, error, request, unread, started);
      co_return;
    }
    // A request answered without its body keeps the refusal it was read under: authorized again
    // now, after a reload, it could be routed as if its body were empty.
    const bool still_allowed =
        !peer.auth || body_unread ||
        peer.security_generation == env.security_generation.load(std::memory_order_acquire) ||
        env.reauthorize(peer);
    Response response = env.router.Handle(request, peer);
    const bool keep_alive = response.keep_alive() && still_allowed && !body_unread &&
                            !env.stopping.load(std::memory_order_relaxed) &&
                            !Http10WithTransferEncoding(request);
    SetKeepAlive(response, keep_alive);
    const beast::error_code ec = co_await Write(stream, env, peer, slot, response);
    LogAccess(env, peer, request, response, started, ec);
    if (ec || !keep_alive) co_return;
  }
}

asio::awaitable<void> LingeringClose(asio::ip::tcp::socket& socket, ConnectionSlot& slot) {
  if (slot.timed_out || !socket.is_open()) co_return;
  beast::error_code ec;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;  // the peer is gone
  slot.busy = false;
  SetDeadline(slot, kLingerTime);
  // What is read is dropped: one buffer per thread will do, and keeps the frame small.
  static thread_local std::array<char, kReadChunk> discard;
  for (;;) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(discard), kUse);
    if (rec) co_return;  // the client's FIN, a reset, or the sweep at the deadline
  }
}

template asio::awaitable<void> ServeHttp<PlainStream>(PlainStream&, PeerContext&, const SessionEnv&,
                                                      ConnectionSlot&);
template asio::awaitable<void> ServeHttp<TlsStream>(TlsStream&, PeerContext&, const SessionEnv&,
                                                    ConnectionSlot&);

}  // namespace callgate::server
