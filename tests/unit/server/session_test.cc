#include "server/session.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace callgate::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The responses in what a client read.
std::size_t CountResponses(const std::string& replies) {
  std::size_t responses = 0;
  for (std::size_t at = replies.find("HTTP/1.1 "); at != std::string::npos;
       at = replies.find("HTTP/1.1 ", at + 1)) {
    ++responses;
  }
  return responses;
}

// One session over a loopback connection, run on this thread; the test is the client.
class SessionTest : public ::testing::Test {
 protected:
  SessionTest() : masker_(false) {
    logs_.app = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
    logs_.masker = &masker_;
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    client_.connect(acceptor_.local_endpoint());
    stream_.emplace(acceptor_.accept());
    slot_.close = [this] { stream_->close(); };
    slot_.cancel = [this] { stream_->cancel(); };
    registry_.Add(&slot_);
  }

  // Sends `request` and waits until the server's end of the connection has it to read.
  void ClientSends(const std::string& request) {
    asio::write(client_, asio::buffer(request));
    stream_->socket().wait(tcp::socket::wait_read);
  }

  void StartSession() {
    asio::co_spawn(ioc_, ServeHttp(*stream_, peer_, env_, slot_),
                   [this](const std::exception_ptr&) { session_ended_ = true; });
  }

  // The session, then the close as the server does it.
  void StartSessionThatLingers() {
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
          co_await ServeHttp(*stream_, peer_, env_, slot_);
          co_await LingeringClose(stream_->socket(), slot_);
        },
        [this](const std::exception_ptr&) { session_ended_ = true; });
  }

  // Everything the session sent, once it has ended (ServeHttp leaves the closing to its caller).
  std::string ClientReadsToTheEnd() {
    stream_->close();
    std::string received;
    boost::system::error_code ec;
    asio::read(client_, asio::dynamic_buffer(received), ec);
    EXPECT_EQ(ec, asio::error::eof);
    return received;
  }

  std::ostringstream log_;
  security::PiiMasker masker_;
  Logs logs_;
  Metrics metrics_;
  SnapshotStore store_{std::make_shared<engine::Snapshot>()};
  Router router_{RouterOptions{}, store_, metrics_, logs_};
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> security_generation_{0};
  bool session_ended_ = false;
  int reauthorized_ = 0;
  bool still_allowed_ = true;  // what reauthorize answers
  SessionEnv env_{SessionLimits{},
                  router_,
                  logs_,
                  metrics_,
                  stopping_,
                  security_generation_,
                  [this](PeerContext& peer) {
                    ++reauthorized_;
                    peer.security_generation = security_generation_.load();
                    return still_allowed_;
                  }};
  PeerContext peer_{.identity = {}, .address = "127.0.0.1"};

  asio::io_context ioc_{1};
  tcp::acceptor acceptor_{ioc_};
  tcp::socket client_{ioc_};
  std::optional<PlainStream> stream_;
  ConnectionSlot slot_;
  ConnectionRegistry registry_;
};

TEST_F(SessionTest, ServesARequestThatIsAlreadyWaiting) {
  ClientSends("HEAD /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  StartSession();
  ioc_.run();
  EXPECT_EQ(ClientReadsToTheEnd().rfind("HTTP/1.1 200 OK\r\n", 0), 0U);
  EXPECT_EQ(metrics_.requests.load(), 1U);
  EXPECT_LT(slot_.deadline, ConnectionSlot::Clock::time_point::max()) << "the session set one";
}

// RFC 9110 §6.6.1: an origin server with a clock dates its responses, errors included.
TEST_F(SessionTest, EveryResponseSaysItsDate) {
  ClientSends("HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n");
  StartSession();
  ioc_.run();
  const std::string replies = ClientReadsToTheEnd();
  EXPECT_EQ(CountResponses(replies), 2U) << replies;
  std::size_t dated = 0;
  for (std::size_t at = replies.find("\r\nDate: "); at != std::string::npos;
       at = replies.find("\r\nDate: ", at + 1)) {
    EXPECT_EQ(replies.substr(at + 33, 6), " GMT\r\n") << replies.substr(at);  // IMF-fixdate
    ++dated;
  }
  EXPECT_EQ(dated, 2U) << replies;
}

// A read can complete just before the worker's deadline sweep closes its socket; the session
// resumes after the sweep, with the bytes it read. The connection has timed out all the same: it
// must not go on to serve them (before, it did, and then failed to write the response).
TEST_F(SessionTest, ARequestReadJustBeforeTheSweepClosedTheConnectionIsNotServed) {
  ClientSends("HEAD /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  StartSession();
  // Queued behind the session's start: the session's first read finds the request at once, and
  // its completion is queued behind this sweep, which closes every connection.
  asio::post(ioc_, [this] { registry_.CloseExpired(ConnectionSlot::Clock::time_point::max()); });
  ioc_.run();
  EXPECT_TRUE(slot_.timed_out);
  EXPECT_EQ(ClientReadsToTheEnd(), "");
  EXPECT_EQ(metrics_.requests.load(), 0U) << "the request was read, but never routed";
  EXPECT_EQ(metrics_.read_timeouts.load(), 0U) << "an idle connection, not a stalled request";
}

// A shutdown ends idle connections (ConnectionRegistry::CloseIdle), but one whose request is
// here already is not idle: the request came in before the stop, and is answered with
// Connection: close. First a request the session's read has taken, its completion queued
// behind the stop; then one that waits in the socket while the read has not run yet.
TEST_F(SessionTest, AShutdownAnswersARequestAlreadyReadBeforeItEndsTheConnection) {
  ClientSends("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  StartSession();
  asio::post(ioc_, [this] {
    stopping_ = true;
    registry_.CloseIdle();
  });
  ioc_.run();
  const std::string reply = ClientReadsToTheEnd();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
  EXPECT_EQ(metrics_.requests.load(), 1U);
}

TEST_F(SessionTest, AShutdownAnswersARequestWaitingInTheSocket) {
  StartSession();
  ioc_.poll();  // the session waits for its first request
  ASSERT_FALSE(session_ended_);
  ClientSends("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  stopping_ = true;
  registry_.CloseIdle();  // before the read's readiness is seen
  ioc_.run();
  const std::string reply = ClientReadsToTheEnd();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find("Connection: close\r\n"), std::string::npos) << reply;
}

// An idle connection with nothing to read is closed at once by a shutdown.
TEST_F(SessionTest, AShutdownClosesAnIdleConnectionAtOnce) {
  StartSession();
  ioc_.poll();
  stopping_ = true;
  registry_.CloseIdle();
  ioc_.run();
  EXPECT_TRUE(session_ended_);
  EXPECT_FALSE(stream_->socket().is_open()) << "closed, not left to linger";
  EXPECT_EQ(metrics_.requests.load(), 0U);
}

// A reload of the TLS files moves security_generation on: a peer authorized under an earlier
// state is authorized again before its next request is routed, once. A peer the new state
// refuses has that request answered (a call is waiting on it), and the connection closed.
TEST_F(SessionTest, APeerAuthorizedBeforeAReloadIsAuthorizedAgain) {
  peer_.auth = security::AuthDecision{.allowed = true, .cluster = "hq", .verdicts = {}};
  const std::string head = "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n";
  ClientSends(head);
  StartSession();
  ioc_.poll();  // the session answers the first request, then waits for the next
  EXPECT_EQ(reauthorized_, 0) << "nothing was reloaded";

  security_generation_ = 1;  // still allowed: the connection stays
  ClientSends(head);
  ioc_.poll();
  ClientSends(head);
  ioc_.poll();
  EXPECT_EQ(reauthorized_, 1) << "once per reload";

  security_generation_ = 2;  // refused now
  still_allowed_ = false;
  ClientSends(head);
  ioc_.poll();
  EXPECT_TRUE(session_ended_) << "the connection is to be closed";
  EXPECT_EQ(reauthorized_, 2);
  const std::string replies = ClientReadsToTheEnd();
  EXPECT_EQ(CountResponses(replies), 4U) << replies;
  EXPECT_EQ(replies.find("HTTP/1.1 403"), std::string::npos) << replies;
  EXPECT_NE(replies.rfind("Connection: close\r\n"), std::string::npos) << replies;
  EXPECT_EQ(metrics_.forbidden.load(), 0U);
}

// A client that pipelined requests past the one that says "Connection: close" gets every response
// up to that one, then the end of the stream: the server reads and drops the rest before it
// closes. Closing with them unread made the system reset the connection, and the reset destroyed
// responses the client had not read yet (here 336 of these 501 arrived).
TEST_F(SessionTest, AClientGetsEveryResponseUpToTheCloseWhateverItSentAfter) {
  const std::string head = "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string requests;
  for (int i = 0; i < 500; ++i) requests += head;
  requests += "HEAD /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (int i = 0; i < 500; ++i) requests += head;
  // A small receive window: most responses are still in the server's send queue when it closes.
  client_.set_option(tcp::socket::receive_buffer_size(4096));
  ClientSends(requests);
  client_.shutdown(tcp::socket::shutdown_send);
  StartSessionThatLingers();
  ioc_.run();
  EXPECT_TRUE(session_ended_);
  EXPECT_EQ(CountResponses(ClientReadsToTheEnd()), 501U);  // and the end of stream, not a reset
}

// A client that neither closes nor stops sending holds its connection only until the deadline.
TEST_F(SessionTest, TheCloseWaitsForTheClientOnlyUntilItsDeadline) {
  ClientSends("HEAD /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  env_.limits.read_timeout = std::chrono::seconds(1);  // the write's deadline: not the linger's
  const ConnectionSlot::Clock::time_point before = ConnectionSlot::Clock::now();
  StartSessionThatLingers();
  ioc_.poll();
  EXPECT_FALSE(session_ended_) << "waiting for the client's end of the stream";
  EXPECT_FALSE(slot_.busy) << "a shutdown need not wait for it";
  EXPECT_GE(slot_.deadline, before + kLingerTime);
  EXPECT_LE(slot_.deadline, ConnectionSlot::Clock::now() + kLingerTime);
  const ConnectionSlot::Clock::time_point deadline = slot_.deadline;
  asio::write(client_, asio::buffer(std::string(100000, 'x')));  // dropped
  ioc_.poll();
  EXPECT_FALSE(session_ended_);
  EXPECT_EQ(slot_.deadline, deadline) << "sending does not put the deadline off";
  EXPECT_EQ(registry_.CloseExpired(slot_.deadline), 1U);
  ioc_.run();
  EXPECT_TRUE(session_ended_);
  EXPECT_EQ(CountResponses(ClientReadsToTheEnd()), 1U);
}

// RFC 9110 §9.3.2: a response to HEAD has no content, the error that ends a connection
// included (its body was sent before: found by fuzz_http).
TEST_F(SessionTest, AHeadRequestThatEndsTheConnectionGetsAnErrorWithoutContent) {
  ClientSends("HEAD /curri HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  client_.shutdown(tcp::socket::shutdown_send);
  StartSessionThatLingers();
  ioc_.run();
  const std::string reply = ClientReadsToTheEnd();
  EXPECT_EQ(reply.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find("Content-Length: 32\r\n"), std::string::npos) << "as a GET would get";
  EXPECT_EQ(reply.substr(reply.size() - 4), "\r\n\r\n") << reply;
}

// access.log as a session writes it, with obfuscate_pii on or off.
class AccessLogTest : public SessionTest {
 protected:
  // The lines of a 404 ("Not Found\n", 10 bytes), then of a 400 for a request line the parser
  // refused.
  std::string LinesOf404And400(bool obfuscate) {
    const security::PiiMasker masker(obfuscate);
    logs_.masker = &masker;
    std::ostringstream access;
    logs_.access = std::make_shared<spdlog::logger>(
        "access", std::make_shared<spdlog::sinks::ostream_sink_st>(access));
    ClientSends("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP\r\n\r\n");
    client_.shutdown(tcp::socket::shutdown_send);
    StartSessionThatLingers();
    ioc_.run();
    logs_.access.reset();
    logs_.masker = &masker_;
    return access.str();
  }
};

TEST_F(AccessLogTest, EachLineGivesTheBodySize) {
  const std::string lines = LinesOf404And400(false);
  EXPECT_NE(lines.find("\"GET /nowhere HTTP/1.1\" 404 10 "), std::string::npos) << lines;
  EXPECT_NE(lines.find("\"-\" 400 "), std::string::npos) << lines;
  EXPECT_EQ(lines.find("\"-\" 400 - "), std::string::npos) << lines;
}

// The size of a CURRI answer gives away the length of the display name in it: under
// obfuscate_pii access.log writes "-" in its place, for every response.
TEST_F(AccessLogTest, UnderObfuscatePiiALineGivesNoBodySize) {
  const std::string lines = LinesOf404And400(true);
  EXPECT_NE(lines.find(" HTTP/1.1\" 404 - "), std::string::npos) << lines;  // the path masked
  EXPECT_NE(lines.find("\"-\" 400 - "), std::string::npos) << lines;
}

}  // namespace
}  // namespace callgate::server
