#include "connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>
#include <type_traits>

namespace callgate::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

// Errors come back as values (a tuple), never as exceptions.
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxResponseBody = 1 << 20;
constexpr std::size_t kReadBufferBytes = 16 * 1024;
constexpr auto kConnectBackoff = std::chrono::milliseconds(10);
constexpr auto kShutdownTimeout = std::chrono::seconds(1);

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// kUnsent: an open-loop request given up before it was sent (see Connection::Run).
enum class Outcome { kOk, kBadStatus, kConnectError, kIoError, kTimeout, kUnsent };

// What one request did.
struct Exchange {
  Outcome outcome = Outcome::kOk;
  std::size_t bytes_in = 0;
  std::size_t bytes_out = 0;
  bool connected = false;  // a new connection was opened for it
};

Outcome Classify(const beast::error_code& ec, Outcome otherwise) {
  return ec == beast::error::timeout ? Outcome::kTimeout : otherwise;
}

bool IsIpLiteral(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

// Parses a response keeping only what a load client needs (status, keep-alive): no header
// field or body is stored, so reading a response allocates nothing.
class ResponseParser : public http::basic_parser<false> {
 public:
  int status() const { return status_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(http::field, beast::string_view, beast::string_view,
                     beast::error_code&) override {}
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, beast::error_code&) override {}
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  int status_ = 0;
};

template <class Stream>
class Connection {
 public:
  Connection(const LoadContext& load, int id, RunStats& stats, asio::any_io_executor executor)
      : load_(load),
        stats_(stats),
        executor_(std::move(executor)),
        timer_(executor_),
        next_request_(static_cast<std::size_t>(id)),
        timeout_(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double>(load.options->timeout_seconds))),
        servername_(load.options->servername.empty() ? load.target->host
                                                     : load.options->servername) {}

  asio::awaitable<void> Run() {
    while (std::optional<Ticket> ticket = load_.scheduler->Next()) {
      // Open loop: a request still unsent --timeout after its scheduled time (a stalled server
      // held every connection that long) has failed. Sent now, it would hold a connection for
      // another timeout: the backlog would be worked off one timeout per connection at a time,
      // long after the last scheduled request. Given up, the run ends a timeout or two after it.
      if (load_.scheduler->open_loop() && Clock::now() - ticket->scheduled > timeout_) {
        Record(*ticket, Exchange{.outcome = Outcome::kUnsent});
        continue;
      }
      if (co_await WaitUntil(ticket->scheduled) && ticket->measured) {
        stats_.client_lag.Record(Clock::now() - ticket->scheduled);
      }
      const Exchange exchange = co_await Send();
      Record(*ticket, exchange);
      if (exchange.outcome == Outcome::kConnectError)
        co_await WaitUntil(Clock::now() + kConnectBackoff);
    }
    co_await Close();
  }

 private:
  // True when it had to wait (the time was still ahead).
  asio::awaitable<bool> WaitUntil(Clock::time_point when) {
    if (when <= Clock::now()) co_return false;
    timer_.expires_at(when);
    co_await timer_.async_wait(kAwait);
    co_return true;
  }

  asio::awaitable<Exchange> Send() {
    Exchange exchange;
    if (!stream_) {
      const beast::error_code ec = co_await Connect();
      if (ec) co_return Drop(exchange, Classify(ec, Outcome::kConnectError));
      exchange.connected = true;
    }
    const std::string& request = (*load_.requests)[next_request_++ % load_.requests->size()];
    beast::get_lowest_layer(*stream_).expires_after(timeout_);
    auto [write_ec, written] = co_await asio::async_write(*stream_, asio::buffer(request), kAwait);
    exchange.bytes_out = written;
    if (write_ec) co_return Drop(exchange, Classify(write_ec, Outcome::kIoError));
    co_return co_await Receive(request, exchange);
  }

  asio::awaitable<Exchange> Receive(const std::string& request, Exchange exchange) {
    ResponseParser parser;
    parser.body_limit(kMaxResponseBody);
    if (request.starts_with("HEAD ")) parser.skip(true);
    beast::get_lowest_layer(*stream_).expires_after(timeout_);
    auto [read_ec, read] = co_await http::async_read(*stream_, buffer_, parser, kAwait);
    exchange.bytes_in = read;
    if (read_ec) co_return Drop(exchange, Classify(read_ec, Outcome::kIoError));
    const bool expected = parser.status() == load_.options->expect_status;
    exchange.outcome = expected ? Outcome::kOk : Outcome::kBadStatus;
    // The server is closing (Connection: close), or every request has its own connection.
    if (!parser.keep_alive() || load_.options->handshakes) stream_.reset();
    co_return exchange;
  }

  Exchange Drop(Exchange exchange, Outcome outcome) {
    stream_.reset();
    exchange.outcome = outcome;
    return exchange;
  }

  asio::awaitable<beast::error_code> Connect() {
    buffer_.clear();
    // Beast sizes each read by the buffer's free capacity: with the default (512 bytes) a
    // ~700-byte response would take two recvmsg calls.
    buffer_.reserve(kReadBufferBytes);
    if constexpr (kIsTls<Stream>) {
      stream_.emplace(executor_, *load_.tls);
    } else {
      stream_.emplace(executor_);
    }
    auto& tcp = beast::get_lowest_layer(*stream_);
    tcp.expires_after(timeout_);
    auto [ec, endpoint] = co_await tcp.async_connect(load_.target->endpoints, kAwait);
    if (ec) co_return ec;
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if constexpr (kIsTls<Stream>) ec = co_await Handshake();
    co_return ec;
  }

  asio::awaitable<beast::error_code> Handshake() {
    beast::error_code ec;
    SSL* native = stream_->native_handle();
    // SNI carries host names only, never an address (RFC 6066 §3).
    // SSL_set_tlsext_host_name is a macro with a C cast; this is its expansion.
    if (!IsIpLiteral(servername_) &&
        SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(servername_.c_str())) != 1) {
      co_return beast::error_code(static_cast<int>(::ERR_get_error()),
                                  asio::error::get_ssl_category());
    }
    if (!load_.options->cacert_file.empty()) {
      stream_->set_verify_callback(ssl::host_name_verification(servername_), ec);
      if (ec) co_return ec;
    }
    beast::get_lowest_layer(*stream_).expires_after(timeout_);
    auto [handshake_ec] = co_await stream_->async_handshake(ssl::stream_base::client, kAwait);
    co_return handshake_ec;
  }

  // A clean end after the run (close_notify for TLS), so servers do not log truncations.
  asio::awaitable<void> Close() {
    if (!stream_) co_return;
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(*stream_).expires_after(kShutdownTimeout);
      co_await stream_->async_shutdown(kAwait);
    }
    stream_.reset();
  }

  void Record(const Ticket& ticket, const Exchange& exchange) {
    if (!ticket.measured) return;
    const Clock::time_point now = Clock::now();
    stats_.bytes_in += exchange.bytes_in;
    stats_.bytes_out += exchange.bytes_out;
    stats_.connections += exchange.connected ? 1 : 0;
    stats_.last_completion = std::max(stats_.last_completion, now);
    switch (exchange.outcome) {
      case Outcome::kOk:
        ++stats_.ok;
        break;
      case Outcome::kBadStatus:
        ++stats_.bad_status;
        break;
      case Outcome::kConnectError:
        ++stats_.connect_errors;
        return;
      case Outcome::kIoError:
        ++stats_.io_errors;
        return;
      case Outcome::kTimeout:
        ++stats_.timeouts;
        return;
      case Outcome::kUnsent:
        ++stats_.unsent;
        return;
    }
    stats_.latency.Record(now - ticket.scheduled);
  }

  const LoadContext& load_;
  RunStats& stats_;
  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
  std::size_t next_request_;
  std::chrono::nanoseconds timeout_;
  std::string servername_;
};

}  // namespace

asio::awaitable<void> RunConnection(const LoadContext& load, int id, RunStats& stats) {
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  if (load.tls != nullptr) {
    Connection<TlsStream> connection(load, id, stats, executor);
    co_await connection.Run();
  } else {
    Connection<PlainStream> connection(load, id, stats, executor);
    co_await connection.Run();
  }
}

}  // namespace callgate::loadgen
