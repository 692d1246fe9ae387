// The server over plain HTTP: CURRI answers, routing, limits, timeouts, keep-alive, shutdown.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "support/notify_socket.h"

namespace callgate::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kDirectory =
    "phone_number,display_name,match_type\n"
    "+14085550101,Ada Lovelace,exact\n"
    "+14085550102,\"Tom & Jerry's <Deli>\",exact\n"
    "+1408,San Jose,prefix\n"
    "+1408555,San Jose Downtown,prefix\n"
    "5000,Reception,exact\n";

std::string Config(const TempDir& dir, const std::string& extra = "") {
  return "insecure_mode: true\n"
         "listen_host: 127.0.0.1\n"
         "listen_port: 0\n"
         "admin_listen: \"127.0.0.1:0\"\n"
         "csv_file_path: " +
         dir.Write("directory.csv", kDirectory) + "\n" + extra;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(const std::string& extra = "") {
    server_ = CallgateProcess::Start(dir_, Config(dir_, extra));
    ASSERT_NE(server_, nullptr);
  }
  std::unique_ptr<HttpClient> Connect() {
    auto client = HttpClient::Connect(server_->port());
    EXPECT_NE(client, nullptr);
    return client;
  }
  std::string CurriName(const std::string& calling) {
    auto response = Connect()->Post("/curri", CurriBody({{"callingnumber", calling}}));
    return response ? response->body() : "<no response>";
  }
  // A POST with a 4 KiB header field, over the max_header_bytes: 2048 of the tests that use it.
  std::optional<HttpResponse> PostWithOversizedHeader() {
    HttpRequest request{http::verb::post, "/curri", 11};
    request.set("X-Padding", std::string(4096, 'p'));
    return Connect()->Send(request);
  }
  // Serves a directory that is a FIFO: start-up reads it (written once), then a SIGHUP starts a
  // reload that waits for a writer that never comes (as a network file system that does not
  // answer would hold it). Returns the output's size before the SIGHUP.
  std::size_t StartWithAStuckReload(int shutdown_timeout_seconds) {
    const std::string fifo = (dir_.path() / "directory.fifo").string();
    EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] {
      const int fd = open(fifo.c_str(), O_WRONLY);
      const std::string csv = "phone_number,display_name\n+14085550101,Ada Lovelace\n";
      if (fd >= 0 && write(fd, csv.data(), csv.size()) >= 0) close(fd);
    });
    server_ = CallgateProcess::Start(
        dir_,
        "insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n"
        "shutdown_timeout_seconds: " +
            std::to_string(shutdown_timeout_seconds) + "\ncsv_file_path: " + fifo + "\n");
    writer.join();
    if (server_ == nullptr) return 0;
    const std::size_t mark = server_->output().size();
    server_->Signal(SIGHUP);
    EXPECT_TRUE(server_->WaitForOutput("SIGHUP: reloading", mark));
    return mark;
  }

  TempDir dir_;
  std::unique_ptr<CallgateProcess> server_;
};

TEST_F(ServerTest, AnswersNamesByteForByteLikeThePythonService) {
  StartServer();
  struct Case {
    std::string calling;
    std::optional<std::string> escaped_name;
  };
  const std::vector<Case> cases = {
      {"+14085550101", "Ada Lovelace"},
      {"+14085550199", "San Jose Downtown"},  // longest prefix
      {"+14089999999", "San Jose"},
      {"+12125550100", std::nullopt},
      {"+1 (408) 555-0101", "Ada Lovelace"},
      {"tel:+1-408-555-0101", "Ada Lovelace"},
      {"+1408/555/0101", "Ada Lovelace"},  // the Python service falls back to a prefix here
      {" +1.408.555.0101\t", "Ada Lovelace"},
      {"+14085550102", "Tom &amp;amp; Jerry&amp;apos;s &amp;lt;Deli&amp;gt;"},
      {"anonymous", std::nullopt},
      {"5000", "Reception"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CurriName(c.calling), ExpectedCurriResponse(c.escaped_name)) << c.calling;
  }
}

// The curl command start-up prints gets a name back when pasted, also from a server on every
// address (0.0.0.0 is no address to connect to: the command says 127.0.0.1).
TEST_F(ServerTest, TheCurlCommandPrintedAtStartUpGetsANameBack) {
  std::string config = Config(dir_);
  config.replace(config.find("listen_host: 127.0.0.1"), 22, "listen_host: 0.0.0.0");
  server_ = CallgateProcess::Start(dir_, config);
  ASSERT_NE(server_, nullptr);
  const std::string output = server_->output();
  const std::size_t at = output.find("Try it: ");
  ASSERT_NE(at, std::string::npos) << output;
  const std::string command =
      output.substr(at + 8, output.find('\n', at) - at - 8) + " --noproxy '*' --max-time 20";
  EXPECT_THAT(command,
              HasSubstr("curl -s http://127.0.0.1:" + std::to_string(server_->port()) + "/curri "));
  const CommandResult pasted = RunCommand({"/bin/sh", "-c", command});
  EXPECT_EQ(pasted.exit_code, 0) << command;
  EXPECT_EQ(pasted.output, ExpectedCurriResponse("Ada Lovelace")) << command;
}

TEST_F(ServerTest, CurriResponseHeadersAndFallbackToTransformedNumber) {
  StartServer();
  auto client = Connect();
  auto response =
      client->Post("/curri?api_key=ignored", CurriBody({{"callingnumber", "  "},
                                                        {"transformedcgpn", "+14085550101"},
                                                        {"callednumber", "5000"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ((*response)[http::field::content_type], "text/xml; charset=\"utf-8\"");
  EXPECT_TRUE(response->keep_alive());
  EXPECT_EQ(response->body(), ExpectedCurriResponse("Ada Lovelace"));
}

TEST_F(ServerTest, UnusableBodiesGetThePlainContinueNeverAnError) {
  StartServer();
  const std::vector<std::string> bodies = {
      "",
      "not xml at all",
      "<Request><Subject>",
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x \"+14085550101\">]><Request><Attribute "
      "AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>&x;</AttributeValue>"
      "</Attribute></Request>",
      CurriBody({{"callednumber", "5000"}}),
      "callingnumber=%2B14085550101",  // form-encoded: read raw, not a CURRI document
  };
  auto client = Connect();
  for (const auto& body : bodies) {
    auto response = client->Post("/curri", body);
    ASSERT_TRUE(response) << body;
    EXPECT_EQ(response->result(), http::status::ok) << body;
    EXPECT_EQ(response->body(), ExpectedCurriResponse(std::nullopt)) << body;
  }
}

TEST_F(ServerTest, HeadIsAKeepAliveProbeOnAnyPath) {
  StartServer();
  auto client = Connect();
  for (const std::string path : {"/curri", "/", "/anything/else"}) {
    auto response = client->Head(path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->result(), http::status::ok) << path;
    EXPECT_TRUE(response->body().empty());
    EXPECT_TRUE(response->keep_alive());
    EXPECT_EQ((*response)[http::field::connection], "keep-alive") << "said, not only implied";
  }
  auto after = client->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
  ASSERT_TRUE(after) << "the connection must stay open after HEAD";
  EXPECT_EQ(after->body(), ExpectedCurriResponse("Ada Lovelace"));
}

TEST_F(ServerTest, HealthReportsEntryCountsOnBothListeners) {
  StartServer();
  for (const std::string listener : {"main", "admin"}) {
    auto client = HttpClient::Connect(server_->port(listener));
    ASSERT_NE(client, nullptr);
    auto response = client->Get("/health");
    ASSERT_TRUE(response) << listener;
    EXPECT_EQ(response->result(), http::status::ok);
    EXPECT_EQ((*response)[http::field::content_type], "application/json");
    EXPECT_NE(response->body().find("\"status\":\"healthy\""), std::string::npos);
    EXPECT_NE(response->body().find("\"exact_entries\":3"), std::string::npos) << response->body();
    EXPECT_NE(response->body().find("\"prefix_entries\":2"), std::string::npos);
    EXPECT_EQ(response->body().find("tls_certificate_days_left"), std::string::npos)
        << "plain HTTP has no certificate";
  }
}

TEST_F(ServerTest, HealthCountsConnections) {
  StartServer();
  const std::uint16_t admin = server_->port("admin");
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(first->Head("/curri"));
  ASSERT_TRUE(second->Head("/curri"));
  // Two on the main listener and the admin connection that asks (each ask is a new connection).
  EXPECT_EQ(AwaitHealthCounter(admin, "connections_open", 3), 3U);
  EXPECT_EQ(AwaitHealthCounter(admin, "connections_accepted", 4), 4U);
  first.reset();
  second.reset();
  std::optional<std::uint64_t> open;
  for (int i = 0; i < 500 && open != 1U; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    open = AwaitHealthCounter(admin, "connections_open", 0);  // its value now
  }
  EXPECT_EQ(open, 1U) << "closed connections are no longer counted as open";
  EXPECT_GE(AwaitHealthCounter(admin, "connections_accepted", 5), 5U);
}

// Out of file descriptors, a connection the server cannot take is closed at once (with its spare
// descriptor), not left queued without an answer while the client waits out its timeout. The
// server said at start-up that its limit was short, and serves again once descriptors are free.
TEST_F(ServerTest, OutOfDescriptorsNewConnectionsAreClosedNotLeftWaiting) {
#ifdef CALLGATE_SANITIZED
  GTEST_SKIP() << "the sanitizer runtime needs descriptors of its own (UBSan's vptr check opens "
                  "a pipe to probe memory), so it reports false errors in a process that has "
                  "none left";
#endif
  constexpr unsigned kOpenFiles = 48;  // about 20 are in use at rest, with two workers
  server_ = CallgateProcess::Start(dir_, Config(dir_, "worker_threads: 2\nmax_connections: 100\n"),
                                   {}, kOpenFiles);
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->output(), HasSubstr("callgate may open only 48 files"));
  std::vector<std::unique_ptr<HttpClient>> served;
  std::uint64_t closed = 0;
  for (unsigned i = 0; i < kOpenFiles; ++i) {
    auto client = Connect();  // the kernel completes the connection either way
    ASSERT_NE(client, nullptr);
    if (client->Head("/curri")) {
      served.push_back(std::move(client));
      continue;
    }
    // Closed, not timed out: without the spare descriptor the request waits unanswered.
    ASSERT_THAT(client->last_error(), AnyOf(HasSubstr("end of stream"), HasSubstr("reset")));
    ++closed;
  }
  EXPECT_GE(served.size(), 10U);
  EXPECT_GE(closed, 10U);
  ASSERT_TRUE(
      server_->WaitForOutput("Too many open files (the limit is 48): closing new "
                             "connections"))
      << server_->output();
  served.clear();
  std::optional<HttpResponse> again;
  for (int i = 0; i < 100 && !again; ++i) {  // until the server has closed its ends
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    again = Connect()->Head("/curri");
  }
  ASSERT_TRUE(again) << "served again once descriptors are free";
  EXPECT_GE(AwaitHealthCounter(server_->port("admin"), "connections_rejected", closed), closed);
}

TEST_F(ServerTest, WrongMethodsAndUnknownPaths) {
  StartServer("curri_paths: [\"/curri\", \"/pdp/AuthorizationEndPoint\"]\n");
  auto client = Connect();
  struct Case {
    http::verb method;
    std::string target;
    http::status status;
    std::string allow;
  };
  const std::vector<Case> cases = {
      {http::verb::get, "/curri", http::status::method_not_allowed, "POST, HEAD"},
      {http::verb::put, "/curri", http::status::method_not_allowed, "POST, HEAD"},
      {http::verb::delete_, "/pdp/AuthorizationEndPoint", http::status::method_not_allowed,
       "POST, HEAD"},
      {http::verb::post, "/health", http::status::method_not_allowed, "GET, HEAD"},
      {http::verb::post, "/nope", http::status::not_found, ""},
      {http::verb::get, "/", http::status::not_found, ""},
      {http::verb::post, "/pdp/AuthorizationEndPoint", http::status::ok, ""},
  };
  for (const auto& c : cases) {
    auto response = client->Send(HttpRequest{c.method, c.target, 11});
    ASSERT_TRUE(response) << c.target;
    EXPECT_EQ(response->result(), c.status) << c.target;
    EXPECT_EQ(std::string((*response)[http::field::allow]), c.allow) << c.target;
  }
}

TEST_F(ServerTest, AdminListenerServesOnlyHealth) {
  StartServer();
  auto admin = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(admin, nullptr);
  auto response = admin->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::not_found);
}

TEST_F(ServerTest, OversizedBodiesGet413AndTheConnectionCloses) {
  StartServer("max_body_bytes: 1024\n");
  {
    auto client = Connect();
    auto response = client->Post("/curri", std::string(2000, 'x'));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result(), http::status::payload_too_large);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_FALSE(client->Head("/curri")) << "the connection must be closed after a 413";
  }
  {
    // Chunked bodies are counted too: four 400-byte chunks.
    auto client = Connect();
    std::string raw = "POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) raw += "190\r\n" + std::string(400, 'y') + "\r\n";
    raw += "0\r\n\r\n";
    ASSERT_TRUE(client->WriteRaw(raw));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply;
  }
  {
    // So is their framing, up to max_header_bytes (8 KiB) in all: 20 one-byte chunks, each with
    // a 1000-byte extension.
    auto client = Connect();
    std::string raw = "POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) raw += "1;e=" + std::string(1000, 'e') + "\r\ny\r\n";
    raw += "0\r\n\r\n";
    client->WriteRaw(raw);  // the server may close before it has read all of it
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0U) << reply;
  }
  {
    // A chunked body within the limit is answered normally.
    auto client = Connect();
    const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
    char size[16];
    snprintf(size, sizeof size, "%zx", body.size());
    ASSERT_TRUE(
        client->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Connection: close\r\n\r\n" +
                         std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n"));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos) << reply;
  }
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "body_too_large", 3), 3U);
}

// RFC 9112 §9.6: requests pipelined past one that says "Connection: close" are read and dropped
// before the close. A close with them unread made the system reset the connection, and the reset
// destroyed the responses the client had not read yet: 34 of these 501 arrived.
TEST_F(ServerTest, RequestsPipelinedPastACloseDoNotCostTheResponsesBeforeIt) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->WriteRaw(PipelinedPastAClose(500, 500)));
  // Read only once the server has come to the close.
  ASSERT_EQ(AwaitHealthCounter(server_->port("admin"), "curri_requests", 1), 1U);
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(Occurrences(reply, "HTTP/1.1 200 OK\r\n"), 501U) << client->last_error();
}

// Any client can send a request that gets 400 as often as it likes: the warning is logged once
// per 10 s and the rest are counted, in /health and in the next warning.
TEST_F(ServerTest, BadRequestsAreWarnedAboutOncePerIntervalAndAllCounted) {
  StartServer();
  for (int i = 0; i < 3; ++i) {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("NOT HTTP\r\n\r\n"));
    EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0U);
  }
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "bad_requests", 3), 3U);
  // The lines reach the test through a pipe reader, which may be behind the counter.
  ASSERT_TRUE(server_->WaitForOutput("Closing connection from 127.0.0.1: Bad Request", 0))
      << server_->output();
  const std::string output = server_->output();
  EXPECT_EQ(Occurrences(output, "Closing connection from"), 1U) << output;
}

// A request line over max_header_bytes is a target too long (414), whether its end arrived or
// not, and without content for a HEAD, though the method was never parsed; HTTP/2 without the
// upgrade (a client's connection preface) is a version callgate does not speak (505), whether its
// line end arrived or not; HTTP/1.2 is malformed to the parser (400), and so is another fault
// in a line that names HTTP/2 (400).
TEST_F(ServerTest, ALongRequestLineGets414AndAnotherMajorVersion505) {
  StartServer("max_header_bytes: 2048\n");
  const std::string target = "/curri?" + std::string(3000, 'q');
  struct Case {
    std::string bytes;
    std::string status_line;
  };
  const Case cases[] = {
      {"HEAD " + target + " HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 414 URI Too Long\r\n"},
      {"HEAD " + target, "HTTP/1.1 414 URI Too Long\r\n"},
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
      {"GET /health HTTP/3\r\nHost: x\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
      {"PRI * HTTP/2.0", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},  // no line end yet
      {"GET /health HTTP/1.2\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},
      {"G@T / HTTP/2.0\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},             // the method is bad
      {"GET / HTTP/1.1\rX: HTTP/2\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n"},  // a bare CR
  };
  for (const Case& c : cases) {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw(c.bytes));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind(c.status_line, 0), 0U) << c.bytes.substr(0, 40) << ": " << reply;
    if (c.bytes.starts_with("HEAD ")) {
      EXPECT_TRUE(reply.ends_with("\r\n\r\n")) << "a HEAD gets no content: " << reply;
    }
  }
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "header_too_large", 2), 2U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "bad_requests", 6), 6U);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  StartServer("max_header_bytes: 2048\n");
  auto response = PostWithOversizedHeader();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "header_too_large", 1), 1U);
}

// The limit is the whole header block, however it arrives: Beast alone measures the request
// line and the fields apart when they arrive in one piece, and let nearly twice the limit pass.
TEST_F(ServerTest, TheHeaderLimitIsTheWholeBlockInOneWriteOrTwo) {
  StartServer("max_header_bytes: 2048\n");
  const std::string line = "HEAD /curri?" + std::string(1500, 'q') + " HTTP/1.1\r\n";
  const std::string fields = "Host: x\r\nX-Filler: " + std::string(1500, 'f') + "\r\n\r\n";
  for (const bool split : {false, true}) {
    auto client = Connect();
    if (split) {
      ASSERT_TRUE(client->WriteRaw(line));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ASSERT_TRUE(client->WriteRaw(fields));
    } else {
      ASSERT_TRUE(client->WriteRaw(line + fields));
    }
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0U) << "split: " << split << ": " << reply;
  }
  auto fits = Connect();  // 1.9 KiB in all, in one write: served
  ASSERT_TRUE(fits->WriteRaw("HEAD /curri?" + std::string(900, 'q') +
                             " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Filler: " +
                             std::string(900, 'f') + "\r\n\r\n"));
  EXPECT_EQ(fits->ReadUntilClosed().rfind("HTTP/1.1 200 ", 0), 0U);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  StartServer();
  auto client = Connect();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  // Raw bytes: Beast's client would take the interim 100 response for the response.
  ASSERT_TRUE(
      client->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(client->WriteRaw(body));
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(reply.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", 0), 0U) << reply;
  EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos);
}

TEST_F(ServerTest, AnHttp10ExpectationIsIgnored) {
  StartServer();
  auto client = Connect();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  ASSERT_TRUE(client->WriteRaw("POST /curri HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body));
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(reply.rfind("HTTP/1.0 200 OK\r\n", 0), 0U) << reply;  // no interim response
}

// RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked gives the body no trusted
// length. Served anyway, the body would be read as a second request (smuggling).
TEST_F(ServerTest, ATransferEncodingOtherThanChunkedIsRefused) {
  StartServer();
  const std::string smuggled = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (const std::string coding : {"gzip", "chunked, gzip", "identity", ""}) {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                 "\r\n\r\n" + smuggled));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0U) << coding << ": " << reply;
    EXPECT_EQ(reply.find("HTTP/1.1", 1), std::string::npos) << coding << ": one response only";
  }
  // Beast reads `gzip, chunked` as chunked, and callgate decodes no gzip: it would parse the
  // compressed bytes as XML. Refused before the (well-formed) chunked body is read.
  for (const std::string coding : {"gzip, chunked", "gzip\r\nTransfer-Encoding: chunked"}) {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                 "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0U) << coding << ": " << reply;
  }
  auto client = Connect();  // with Content-Length too
  ASSERT_TRUE(
      client->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                       "gzip\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"));
  EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 400", 0), 0U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "bad_requests", 7), 7U);
  EXPECT_TRUE(server_->WaitForOutput("Bad Request (bad Transfer-Encoding)"));  // says why
}

// RFC 9112 §6.1: an HTTP/1.0 request with Transfer-Encoding has faulty framing: it is answered,
// and the connection is closed after it, so nothing pipelined behind it is read as a request.
TEST_F(ServerTest, AnHttp10RequestWithTransferEncodingClosesTheConnection) {
  StartServer();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  char size[16];
  snprintf(size, sizeof size, "%zx", body.size());
  const std::string chunked = std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
  const std::string next = "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n";
  auto client = Connect();
  ASSERT_TRUE(client->WriteRaw(
      "POST /curri HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked + next));
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(reply.rfind("HTTP/1.0 200 OK\r\n", 0), 0U) << reply;
  EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos) << reply;
  EXPECT_EQ(reply.find("keep-alive"), std::string::npos) << reply;
  EXPECT_EQ(Occurrences(reply, "HTTP/1."), 1U) << "the HEAD behind it is not answered: " << reply;

  auto kept = Connect();  // the same request without Transfer-Encoding keeps its connection
  ASSERT_TRUE(kept->WriteRaw("POST /curri HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n" + body + next +
                             "HEAD /curri HTTP/1.1\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(Occurrences(kept->ReadUntilClosed(), "HTTP/1."), 3U);
}

// RFC 9112 §2.2: empty lines before a request line are ignored, also between pipelined requests.
TEST_F(ServerTest, EmptyLinesBeforeARequestAreIgnored) {
  StartServer();
  auto client = Connect();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  const std::string post =
      "POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  ASSERT_TRUE(client->WriteRaw("\r\n" + post + "\r\n\r\n"));
  ASSERT_TRUE(client->WriteRaw("\n" + post.substr(0, 4)));  // the next request, split
  ASSERT_TRUE(
      client->WriteRaw(post.substr(4) + "\r\nHEAD / HTTP/1.1\r\nConnection: close\r\n\r\n"));
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(Occurrences(reply, ExpectedCurriResponse("Ada Lovelace")), 2U) << reply;
  EXPECT_EQ(reply.find("400"), std::string::npos) << reply;
}

// A raw CURRI POST; the session parses straight from its read buffer, so how the bytes are
// split across reads must not matter.
std::string RawCurriPost(const std::string& calling, bool close) {
  const std::string body = CurriBody({{"callingnumber", calling}});
  return "POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
         (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->WriteRaw(RawCurriPost("+14085550101", false) +
                               "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n" +
                               RawCurriPost("+14085550102", true)));
  const std::string reply = client->ReadUntilClosed();
  const auto ada = reply.find(ExpectedCurriResponse("Ada Lovelace"));
  const auto head = reply.find("HTTP/1.1 200 OK", ada);
  const auto deli =
      reply.find(ExpectedCurriResponse("Tom &amp;amp; Jerry&amp;apos;s &amp;lt;Deli&amp;gt;"));
  ASSERT_NE(ada, std::string::npos) << reply;
  ASSERT_NE(deli, std::string::npos) << reply;
  EXPECT_LT(head, deli) << "the HEAD answer comes between the two POST answers: " << reply;
}

TEST_F(ServerTest, ARequestSentInSmallPiecesIsAnswered) {
  StartServer();
  auto client = Connect();
  const std::string raw = RawCurriPost("+14085550101", true);
  for (std::size_t at = 0; at < raw.size(); at += 97) {
    ASSERT_TRUE(client->WriteRaw(raw.substr(at, 97)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK", 0), 0U) << reply;
  EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos) << reply;
}

TEST_F(ServerTest, BrokenFramingGets400OrACloseAndOthersAreStillServed) {
  StartServer();
  {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("NOT HTTP AT ALL\r\n\r\n"));
    EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 400", 0), 0U);
  }
  {
    // A request-target with a fragment, which no form of it has (RFC 9112 §3.2).
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("HEAD /curri#x HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0U) << reply;
  }
  {
    // A chunk-size line that never ends: refused once it outgrows the header limit.
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw(
        "POST /curri HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"));
    const std::string extension(64 * 1024, 'e');
    client->WriteRaw(extension);  // the server may close before it has read all of it
    EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 400", 0), 0U);
  }
  {
    // A client that hangs up half-way through a body gets nothing, and nothing else breaks.
    auto client = Connect();
    const std::string raw = RawCurriPost("+14085550101", false);
    ASSERT_TRUE(client->WriteRaw(raw.substr(0, raw.size() - 100)));
  }
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "bad_requests", 3), 3U)
      << "the three 400s; a client that hangs up is not a bad request";
}

TEST_F(ServerTest, AStalledRequestTimesOutWhileOthersAreServed) {
  StartServer("read_timeout_seconds: 1\n");
  auto stalled = Connect();
  ASSERT_TRUE(
      stalled->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n<Req"));
  auto stalled_headers = Connect();
  ASSERT_TRUE(stalled_headers->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nContent-"));
  // Asked for "100 Continue", got it, and then sent nothing.
  auto stalled_after_continue = Connect();
  ASSERT_TRUE(stalled_after_continue->WriteRaw(
      "POST /curri HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n"));
  // While both stall, other connections are answered.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  }
  // Then the server gives up on the stalled ones: they are closed without a response.
  EXPECT_EQ(stalled->ReadUntilClosed(), "");
  EXPECT_EQ(stalled_headers->ReadUntilClosed(), "");
  EXPECT_EQ(stalled_after_continue->ReadUntilClosed(), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(server_->WaitForOutput("read timeout"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "read_timeouts", 3), 3U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "write_timeouts", 0), 0U);
}

// A client that keeps sending requests but stops reading the responses is closed after
// read_timeout too: the server's writes block once the socket buffers are full, and a blocked
// write may not hold the connection for ever.
TEST_F(ServerTest, AClientThatStopsReadingItsResponsesIsClosedAfterTheReadTimeout) {
  const auto logs = dir_.path() / "logs";
  StartServer("read_timeout_seconds: 1\nlog_dir: " + logs.string() + "\n");
  auto client = Connect();
  // Far more than the socket buffers of both ends hold, in requests and in responses: the
  // server blocks writing a response, and then this write blocks too, until the server gives up
  // and closes the connection (which is then why this write fails).
  constexpr std::size_t kRequests = 400'000;
  const std::string request = "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string requests;
  requests.reserve(kRequests * request.size());
  for (std::size_t i = 0; i < kRequests; ++i) requests += request;
  EXPECT_FALSE(client->WriteRaw(requests)) << "the server read every request";
  const std::string error = client->last_error();
  EXPECT_TRUE(error.find("reset") != std::string::npos || error.find("pipe") != std::string::npos)
      << "not closed by the server: " << error;
  EXPECT_TRUE(server_->WaitForOutput("response not taken by the client within the read timeout"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "write_timeouts", 1), 1U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "read_timeouts", 0), 0U);
  // The responses the server did send are there to read, but not all of them.
  const std::string received = client->ReadUntilClosed();
  EXPECT_LT(received.size(), kRequests * std::string_view("HTTP/1.1 200 OK\r\n").size());
  // access.log says which response never reached the client, and only of that one.
  ASSERT_EQ(server_->Stop(), 0);
  const std::string access = ReadFile((logs / "access.log").string());
  const std::size_t at = access.find(" undelivered: not taken within the read timeout\n");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(access.rfind("undelivered"), at + 1) << "one such line";
  const std::size_t line = access.rfind('\n', at) + 1;
  EXPECT_NE(access.substr(line, at - line).find("\"HEAD /curri HTTP/1.1\" 200 0 "),
            std::string::npos)
      << access.substr(line, at - line);
}

// A log kept to errors still says that insecure_mode is on (the hourly reminder uses the same
// level: tests/unit/server/reminder_test.cc).
TEST_F(ServerTest, InsecureModeIsLoggedEvenWhenTheLogIsKeptToErrors) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_level: ERROR\nlog_dir: " + logs.string() + "\n");
  ASSERT_EQ(server_->Stop(), 0);
  EXPECT_THAT(ReadFile((logs / "app.log").string()),
              HasSubstr("[error] callgate: SECURITY WARNING: insecure_mode is on"));
}

TEST_F(ServerTest, AnIdleKeepAliveConnectionIsClosedQuietlyAfterIdleTimeout) {
  StartServer("idle_timeout_seconds: 1\n");
  auto idle = Connect();
  auto busy = Connect();
  ASSERT_TRUE(idle->Head("/curri"));
  ASSERT_TRUE(busy->Head("/curri"));
  // A connection used more often than the idle timeout stays open past it.
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(busy->Head("/curri")) << "request " << i << " on a connection never idle for 1 s";
  }
  EXPECT_EQ(idle->ReadUntilClosed(), "") << "closed without a response";
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "read_timeouts", 0), 0U)
      << "an idle connection is not a stalled request";

  // Empty lines are skipped before a request, but do not make the connection less idle.
  auto trickle = Connect();
  ASSERT_TRUE(trickle->Head("/curri"));
  bool closed = false;
  for (int i = 0; i < 8 && !closed; ++i) {  // 2.4 s: the timeout fires within 1.25 s
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    closed = !trickle->WriteRaw("\r\n");
  }
  EXPECT_TRUE(closed) << "closed at the idle timeout, though empty lines kept arriving";
}

TEST_F(ServerTest, OneKeepAliveConnectionServesOneHundredThousandRequests) {
  StartServer("log_level: WARNING\n");
  auto client = Connect();
  const std::string found = CurriBody({{"callingnumber", "+14085550101"}});
  const std::string expected = ExpectedCurriResponse("Ada Lovelace");
  int good = 0;
  for (int i = 0; i < 100000; ++i) {
    auto response = client->Post("/curri", found);
    if (!response) {
      ADD_FAILURE() << "request " << i << " failed: " << client->last_error();
      break;
    }
    good += response->result() == http::status::ok && response->body() == expected;
  }
  EXPECT_EQ(good, 100000);
}

// The CPUs this process (and so the server it starts) may run on.
std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// The CPU of every thread of `pid` that may run on one CPU only, sorted.
std::vector<int> SingleCpuThreads(pid_t pid) {
  std::vector<int> cpus;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    const std::string status = ReadFile((task.path() / "status").string());
    const std::string key = "Cpus_allowed_list:\t";
    const std::size_t at = status.find(key);
    if (at == std::string::npos) continue;
    const std::string list =
        status.substr(at + key.size(), status.find('\n', at) - at - key.size());
    if (list.find_first_not_of("0123456789") == std::string::npos) cpus.push_back(std::stoi(list));
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

// Runs the calling thread (and so the processes it starts) on `cpus` until destroyed.
class ScopedAffinity {
 public:
  explicit ScopedAffinity(const std::vector<int>& cpus) {
    CPU_ZERO(&saved_);
    sched_getaffinity(0, sizeof saved_, &saved_);
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu : cpus) CPU_SET(cpu, &set);
    ok_ = sched_setaffinity(0, sizeof set, &set) == 0;
  }
  ~ScopedAffinity() { sched_setaffinity(0, sizeof saved_, &saved_); }
  ScopedAffinity(const ScopedAffinity&) = delete;
  ScopedAffinity& operator=(const ScopedAffinity&) = delete;
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

TEST_F(ServerTest, WorkerThreadsDefaultToOnePerAllowedCpuAndAreAnnounced) {
  const std::vector<int> allowed = AllowedCpus();
  ASSERT_FALSE(allowed.empty());
  StartServer();
  const std::size_t threads = std::min<std::size_t>(256, allowed.size());
  EXPECT_TRUE(server_->WaitForOutput("callgate ready (" + std::to_string(threads) +
                                     (threads == 1 ? " worker thread)" : " worker threads)")))
      << server_->output();
  {
    // As under `taskset -c <one CPU>` or a one-CPU cgroup cpuset: one worker, whatever the
    // machine's core count.
    const ScopedAffinity one_cpu({allowed.front()});
    ASSERT_TRUE(one_cpu.ok());
    StartServer();
  }
  EXPECT_TRUE(server_->WaitForOutput("callgate ready (1 worker thread)")) << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  StartServer("worker_threads: 3\n");
  EXPECT_TRUE(server_->WaitForOutput("callgate ready (3 worker threads)")) << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
}

TEST_F(ServerTest, PinnedWorkerThreadsRunOnTheAllowedCpusInTurn) {
  const std::vector<int> allowed = AllowedCpus();
  ASSERT_FALSE(allowed.empty());
  StartServer("worker_threads: 3\npin_worker_threads: true\n");
  std::vector<int> expected;
  std::string list;
  for (std::size_t i = 0; i < 3; ++i) {
    expected.push_back(allowed[i % allowed.size()]);
    list += (i ? "," : "") + std::to_string(expected.back());
  }
  ASSERT_TRUE(
      server_->WaitForOutput("callgate ready (3 worker threads, pinned to CPUs " + list + ")"))
      << server_->output();
  if (allowed.size() > 1) {  // on one CPU every thread is "pinned" to it
    // "ready" is announced once the worker threads run on their CPUs.
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(SingleCpuThreads(server_->pid()), expected);
  }
  // Connections are spread over the pinned workers and every one is served.
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < 12; ++i) clients.push_back(Connect());
  for (auto& client : clients) {
    auto response = client->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), ExpectedCurriResponse("Ada Lovelace"));
  }
}

TEST_F(ServerTest, WorkerThreadsAreNotPinnedByDefault) {
  StartServer("worker_threads: 2\n");
  ASSERT_TRUE(server_->WaitForOutput("callgate ready (2 worker threads)")) << server_->output();
  ASSERT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));  // threads running
  if (AllowedCpus().size() > 1) {
    EXPECT_EQ(SingleCpuThreads(server_->pid()), std::vector<int>());
  }
}

// Every line of a log file, or a failure naming the file when one is cut short.
std::vector<std::string> LogLines(const std::filesystem::path& file) {
  const std::string text = ReadFile(file.string());
  EXPECT_TRUE(text.empty() || text.back() == '\n') << file << " ends mid-line";
  std::vector<std::string> lines;
  for (std::size_t at = 0, end; at < text.size(); at = end + 1) {
    end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
  }
  return lines;
}

TEST_F(ServerTest, LogFilesReceiveEveryLineWithinASecondAndRotate) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_dir: " + logs.string() + "\nlog_max_bytes: 2048\nlog_backup_count: 2\n");
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  // Buffered, but flushed every second: the line is there while the server runs.
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = ReadFile((logs / "app.log").string()).find("calling=+14085550101") != std::string::npos;
  }
  EXPECT_TRUE(seen) << "no decision line in app.log after 5 s";

  for (int i = 0; i < 100; ++i) CurriName("+14085550101");
  ASSERT_EQ(server_->Stop(), 0);
  int access_lines = 0;
  // spdlog names rotated files app.1.log (newest) ... app.N.log.
  for (const std::string name : {"app", "access"}) {
    for (const std::string suffix : {"", ".1", ".2"}) {
      const auto file = logs / (name + suffix + ".log");
      ASSERT_TRUE(std::filesystem::exists(file)) << file;
      EXPECT_LE(std::filesystem::file_size(file), 2048U) << file;
      for (const auto& line : LogLines(file)) {
        EXPECT_EQ(line.rfind("20", 0), 0U) << file << ": " << line;  // starts with the date
        access_lines +=
            name == "access" && line.find("\"POST /curri HTTP/1.1\" 200") != std::string::npos;
      }
    }
    EXPECT_FALSE(std::filesystem::exists(logs / (name + ".3.log"))) << "log_backup_count is 2";
  }
  EXPECT_GT(access_lines, 0);
}

// console_log_level keeps the decision lines, with their numbers and names, off the console (the
// journal under systemd) while app.log keeps them at log_level; the console still shows warnings,
// and says once that callgate is ready. Unset, the console has every line log_level lets through.
TEST_F(ServerTest, ConsoleLogLevelFiltersTheConsoleNotAppLog) {
  struct Case {
    std::string console_log_level;  // "": unset
    bool decisions_on_console;
  };
  for (const Case& c : {Case{"", true}, Case{"WARNING", false}}) {
    SCOPED_TRACE("console_log_level: " + c.console_log_level);
    const auto logs = dir_.path() / ("logs" + c.console_log_level);
    StartServer("log_level: INFO\nlog_dir: " + logs.string() + "\n" +
                (c.console_log_level.empty() ? "" : "console_log_level: " + c.console_log_level));
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
    auto other = Connect()->Post("/other", CurriBody({{"callingnumber", "+14085550101"}}));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->result(), http::status::not_found);
    // A warning flushes the console, with the decision line before it when that is there.
    ASSERT_TRUE(server_->WaitForOutput("not a CURRI path"));
    const std::string console = server_->output();
    EXPECT_EQ(console.find("calling=+14085550101") != std::string::npos, c.decisions_on_console)
        << console;
    EXPECT_THAT(console, HasSubstr("[warning] callgate: POST /other: not a CURRI path"));
    EXPECT_EQ(Occurrences(console, "callgate ready"), 1U) << console;
    ASSERT_EQ(server_->Stop(), 0);
    const std::string app_log = ReadFile((logs / "app.log").string());
    EXPECT_THAT(app_log, HasSubstr("calling=+14085550101"));
    EXPECT_THAT(app_log, HasSubstr("-> exact match: Ada Lovelace"));
    EXPECT_THAT(app_log, HasSubstr("[info] callgate: callgate ready"));
    EXPECT_THAT(app_log, HasSubstr("[warning] callgate: POST /other: not a CURRI path"));
  }
}

// A rotation that cannot reopen its file (here log_dir has become a file; also when out of
// descriptors) loses lines while it lasts, and the files come back once they can be written.
TEST_F(ServerTest, LogFilesComeBackAfterARotationThatFailed) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_dir: " + logs.string() + "\nlog_max_bytes: 2048\nlog_backup_count: 2\n");
  std::filesystem::remove_all(logs);
  dir_.Write("logs", "not a directory\n");
  for (int i = 0; i < 30; ++i) CurriName("+14085550101");  // several rotations' worth
  for (const char* file : {"app.log", "access.log"}) {
    EXPECT_TRUE(server_->WaitForOutput(std::string("cannot write ") + (logs / file).string()))
        << file;
  }
  const std::uint16_t admin = server_->port("admin");
  const std::uint64_t lost = std::stoull(HealthField(admin, "log_lines_lost"));
  EXPECT_GE(lost, 1U) << "/health counts the lines the files did not get";
  std::filesystem::remove(logs);
  const auto found_again = [&](const char* file, const char* text) {
    for (int i = 0; i < 50; ++i) {  // retried once a second, flushed once a second
      CurriName("+14085550102");
      if (std::filesystem::exists(logs / file) &&
          ReadFile((logs / file).string()).find(text) != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  EXPECT_TRUE(found_again("app.log", "calling=+14085550102"));
  EXPECT_TRUE(found_again("access.log", "\"POST /curri HTTP/1.1\" 200"));
  EXPECT_TRUE(
      server_->WaitForOutput("callgate: writing " + (logs / "app.log").string() + " again"));
  EXPECT_GE(std::stoull(HealthField(admin, "log_lines_lost")), lost) << "since start-up";
  EXPECT_EQ(server_->Stop(), 0);
}

// Under obfuscate_pii, access.log shows the paths and methods callgate knows, and masks the rest:
// they are whatever a client sent, a phone number as much as anything.
TEST_F(ServerTest, AccessLogMasksUnknownPathsAndMethodsUnderObfuscatePii) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_dir: " + logs.string() + "\nobfuscate_pii: true\n");
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  auto response = Connect()->Post("/curri/+14085550101", "");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result(), http::status::not_found);
  auto raw = Connect();
  ASSERT_TRUE(
      raw->WriteRaw("+14085550101 /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(raw->ReadUntilClosed(), HasSubstr("HTTP/1.1 501"));
  ASSERT_EQ(server_->Stop(), 0);
  const std::string access = ReadFile((logs / "access.log").string());
  EXPECT_THAT(access, HasSubstr("\"POST /curri HTTP/1.1\" 200 - "));  // no size: a name's length
  EXPECT_THAT(access, HasSubstr("\"POST {! "));
  EXPECT_THAT(access, HasSubstr(" /curri HTTP/1.1\" 501"));
  EXPECT_THAT(access, Not(HasSubstr("4085550101"))) << access;
  EXPECT_THAT(server_->output(), Not(HasSubstr("4085550101"))) << "nor the console";
}

// A refused request gets its access.log line too: with the request line once it was read, "-"
// for bytes that never made one.
TEST_F(ServerTest, RefusedRequestsAreInTheAccessLog) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_dir: " + logs.string() + "\nmax_body_bytes: 1024\nmax_header_bytes: 2048\n");
  {
    auto client = Connect();
    auto response = client->Post("/curri", std::string(2000, 'x'));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result(), http::status::payload_too_large);
  }
  {
    auto response = PostWithOversizedHeader();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result(), http::status::request_header_fields_too_large);
  }
  {
    auto client = Connect();
    ASSERT_TRUE(client->WriteRaw("NOT HTTP AT ALL\r\n\r\n"));
    EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 400", 0), 0U);
  }
  ASSERT_EQ(server_->Stop(), 0);
  const std::vector<std::string> lines = LogLines(logs / "access.log");
  ASSERT_EQ(lines.size(), 3U) << ReadFile((logs / "access.log").string());
  const std::string expected[] = {" 127.0.0.1 \"POST /curri HTTP/1.1\" 413 ",
                                  " 127.0.0.1 \"POST /curri HTTP/1.1\" 431 ",
                                  " 127.0.0.1 \"-\" 400 "};
  for (const std::string& line : expected) {  // in any order: two workers may write them
    EXPECT_EQ(
        std::count_if(lines.begin(), lines.end(),
                      [&](const std::string& l) { return l.find(line) != std::string::npos; }),
        1)
        << line;
  }
}

// The request line is the client's text: access.log escapes it, so its fields cannot be faked.
TEST_F(ServerTest, TheAccessLogEscapesTheRequestLine) {
  const auto logs = dir_.path() / "logs";
  StartServer("log_dir: " + logs.string() + "\n");
  {
    auto client = Connect();
    ASSERT_TRUE(
        client->WriteRaw("GET /x\"_200_514_1us_\xc2\x9b"
                         "31m HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_EQ(client->ReadUntilClosed().rfind("HTTP/1.1 404", 0), 0U);
  }
  ASSERT_EQ(server_->Stop(), 0);
  const std::vector<std::string> lines = LogLines(logs / "access.log");
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find(" \"GET /x\\\"_200_514_1us_\\xc2\\x9b31m HTTP/1.1\" 404 "),
            std::string::npos)
      << lines[0];
}

TEST_F(ServerTest, SigtermFinishesAndExitsZero) {
  StartServer();
  auto client = Connect();
  ASSERT_TRUE(client->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}})));
  EXPECT_EQ(server_->Stop(), 0) << server_->output();
  EXPECT_NE(server_->output().find("callgate stopped"), std::string::npos);
  EXPECT_FALSE(client->Head("/curri")) << "idle connections are closed on shutdown";
}

TEST_F(ServerTest, SigtermLetsARequestInFlightFinish) {
  // One I/O thread: once a later connection has been answered, the server has also read the
  // bytes that reached it earlier, so the first request is known to be in flight.
  StartServer("worker_threads: 1\n");
  auto busy = Connect();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  ASSERT_TRUE(busy->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n"));
  ASSERT_TRUE(Connect()->Head("/curri"));
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->WaitForOutput("shutting down", mark));
  ASSERT_TRUE(busy->WriteRaw(body));  // the rest of the request, after the stop began
  const std::string reply = busy->ReadUntilClosed();
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK", 0), 0U) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos);
  EXPECT_EQ(server_->Stop(), 0);
}

// Requests that reached the server before SIGTERM are answered, also on connections that looked
// idle when the stop began: the process is stopped while they arrive, so that the stop and the
// requests are seen at once when it resumes (before, most such connections were closed unread).
TEST_F(ServerTest, SigtermAnswersRequestsThatArrivedBeforeIt) {
  StartServer("");
  ExpectRequestsSentJustBeforeSigtermAnswered(
      *server_, [this] { return Connect(); }, 20);
  EXPECT_EQ(server_->Stop(), 0);
}

TEST_F(ServerTest, SigtermClosesARequestStillStalledAfterShutdownTimeout) {
  // One I/O thread: once the later HEAD is answered, the stalled request is known to be read.
  StartServer("worker_threads: 1\nshutdown_timeout_seconds: 1\nread_timeout_seconds: 120\n");
  auto stalled = Connect();
  ASSERT_TRUE(
      stalled->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n<Req"));
  ASSERT_TRUE(Connect()->Head("/curri"));
  // Long before the read timeout: the shutdown timeout ends the wait.
  EXPECT_EQ(server_->Stop(std::chrono::seconds(60)), 0) << server_->output();
  EXPECT_NE(server_->output().find("closing 1 connection(s) still open after 1 s"),
            std::string::npos)
      << server_->output();
  EXPECT_EQ(stalled->ReadUntilClosed(), "");
}

// Ctrl-C twice: the second stop signal does not wait out shutdown_timeout_seconds.
TEST_F(ServerTest, ASecondSigtermClosesBusyConnectionsAtOnce) {
  StartServer("worker_threads: 1\nshutdown_timeout_seconds: 300\nread_timeout_seconds: 300\n");
  auto stalled = Connect();
  ASSERT_TRUE(
      stalled->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n<Req"));
  ASSERT_TRUE(Connect()->Head("/curri"));  // one I/O thread: the stalled request has been read
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->WaitForOutput("shutting down", mark)) << server_->output();
  EXPECT_EQ(server_->Stop(std::chrono::seconds(20)), 0) << server_->output();  // SIGTERM again
  // The stalled connection, and maybe the HEAD's, which may not have been seen closing yet.
  EXPECT_NE(server_->output().find("SIGTERM again: closing the "), std::string::npos)
      << server_->output();
  EXPECT_EQ(server_->output().find("still open after"), std::string::npos) << server_->output();
  EXPECT_EQ(stalled->ReadUntilClosed(), "");
}

TEST_F(ServerTest, ConnectionsBeyondMaxConnectionsAreClosedAtOnce) {
  StartServer("max_connections: 2\n");
  auto first = Connect();
  auto second = Connect();
  ASSERT_TRUE(first->Head("/curri"));
  ASSERT_TRUE(second->Head("/curri"));
  auto third = Connect();
  EXPECT_FALSE(third->Head("/curri")) << "a third connection is over the limit";
  EXPECT_TRUE(server_->WaitForOutput("max_connections (2) reached"));
  auto health = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(health, nullptr);
  const auto response = health->Get("/health");
  ASSERT_TRUE(response) << "the admin listener has connections of its own";
  EXPECT_EQ(response->result(), http::status::ok);
  first.reset();  // a slot frees up once the server has seen the close
  bool served = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!served && std::chrono::steady_clock::now() < deadline) {
    served = Connect()->Head("/curri").has_value();
  }
  EXPECT_TRUE(served);
  EXPECT_GE(AwaitHealthCounter(server_->port("admin"), "connections_rejected", 1), 1U);
}

TEST_F(ServerTest, TheAdminListenerHasSixteenConnectionsOfItsOwn) {
  StartServer("max_connections: 1\n");
  std::vector<std::unique_ptr<HttpClient>> admin;
  for (int i = 0; i < 16; ++i) {
    admin.push_back(HttpClient::Connect(server_->port("admin")));
    ASSERT_TRUE(admin.back()->Head("/health")) << "admin connection " << i + 1 << " of 16";
  }
  auto seventeenth = HttpClient::Connect(server_->port("admin"));
  EXPECT_FALSE(seventeenth->Head("/health")) << "over the admin listener's limit";
  EXPECT_TRUE(server_->WaitForOutput("the admin listener's 16 connections are all open"));
  EXPECT_TRUE(Connect()->Head("/curri")) << "UCM's connection is not counted with them";
}

// A client can repeat a refused connect at will: one warning per interval, with the count.
TEST_F(ServerTest, RefusedConnectionWarningsAreThrottled) {
  StartServer("max_connections: 1\n");
  auto held = Connect();
  ASSERT_TRUE(held->Head("/curri"));
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(Connect()->Head("/curri"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "connections_rejected", 20), 20U);
  // The line reaches the test through a pipe reader, which may be behind the counter.
  ASSERT_TRUE(server_->WaitForOutput("max_connections (1) reached")) << server_->output();
  EXPECT_EQ(Occurrences(server_->output(), "max_connections (1) reached"), 1U) << server_->output();
}

// Health checkers do not keep connections for hours like UCM: an idle admin connection is closed
// after read_timeout, so that sixteen silent sockets cannot keep /health out of reach.
TEST_F(ServerTest, IdleAdminConnectionsAreClosedAfterTheReadTimeout) {
  StartServer("read_timeout_seconds: 1\nidle_timeout_seconds: 3600\n");
  auto admin = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(admin->Head("/health"));
  EXPECT_EQ(admin->ReadUntilClosed(), "");  // fails after 30 s if the server keeps it open
  auto curri = Connect();
  ASSERT_TRUE(curri->Head("/curri"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "read_timeouts", 0), 0U);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(curri->Head("/curri")) << "a CURRI connection waits idle_timeout, not read_timeout";
}

TEST_F(ServerTest, SighupReloadsTheDirectoryAndABadFileKeepsTheOldOne) {
  StartServer();
  dir_.Write("directory.csv", "phone_number,display_name\n+14085550101,Ada King\n");
  std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark));
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 1), 1U);
  // Taken, but said: 1 entry in place of 5 is more often a mistake than not.
  EXPECT_THAT(server_->output().substr(mark),
              HasSubstr("fewer than half the entries of the one it replaced (1 against 5)"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 0), 0U);

  dir_.Write("directory.csv", "number,name\n+14085550101,Nobody\n");  // no required columns
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload failed", mark));
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 1), 1U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 1), 1U);

  // A file with its header only, as an editor leaves it halfway through writing, is refused
  // while the directory in service has entries.
  dir_.Write("directory.csv", "phone_number,display_name\n");
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("has no entries, and the directory in service has 1", mark))
      << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 2), 2U);
  EXPECT_THAT(server_->output().substr(mark), Not(HasSubstr("Reloaded TLS")))
      << "no TLS here to reload";

  // Rows that were all skipped: refused too, with the reason for each, before the refusal.
  dir_.Write("directory.csv", "phone_number,display_name\nabc,Nobody\n+1,\n");
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("every one of its 2 rows was skipped", mark))
      << server_->output();
  const std::string said = server_->output().substr(mark);
  const std::size_t invalid = said.find("directory.csv:2: skipped: invalid phone_number");
  const std::size_t empty = said.find("directory.csv:3: skipped: empty display_name");
  EXPECT_NE(invalid, std::string::npos) << said;
  EXPECT_NE(empty, std::string::npos) << said;
  EXPECT_LT(empty, said.find("every one of its 2 rows was skipped")) << said;
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 3), 3U);
}

// A failed reload keeps the old directory in service, so /health stays healthy, but says that the
// last reload failed until one works again.
TEST_F(ServerTest, HealthSaysWhetherTheLastReloadWorked) {
  StartServer();
  const std::uint16_t admin = server_->port("admin");
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "null") << "no reload yet";
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "null");
  EXPECT_EQ(HealthField(admin, "reload_running_seconds"), "0");

  dir_.Write("directory.csv", "number,name\n+14085550101,Nobody\n");  // no required columns
  server_->Signal(SIGHUP);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_failed", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "false");
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "true") << "the configuration file is fine";
  EXPECT_EQ(HealthField(admin, "status"), "\"healthy\"") << "the old directory serves";
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));

  dir_.Write("directory.csv", "phone_number,display_name\n+14085550101,Ada King\n");
  server_->Signal(SIGHUP);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "true");
  EXPECT_EQ(HealthField(admin, "reloads_failed"), "1");
  EXPECT_EQ(HealthField(admin, "reload_running_seconds"), "0");
}

// Started by systemd with Type=notify, callgate says when it serves (`systemctl start` returns
// then), when a reload starts and ends (with how it went, in `systemctl status`), and when it
// stops.
TEST_F(ServerTest, TellsSystemdWhenItServesReloadsAndStops) {
  const NotifySocket systemd((dir_.path() / "notify").string());
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", (dir_.path() / "notify").c_str(), 1);
  StartServer();
  ::unsetenv("NOTIFY_SOCKET");
  const std::uint16_t admin = server_->port("admin");
  const std::string entries = std::to_string(std::stoull(HealthField(admin, "exact_entries")) +
                                             std::stoull(HealthField(admin, "prefix_entries")));
  EXPECT_EQ(systemd.Receive(), "READY=1\nSTATUS=Serving " + entries + " directory entries");

  server_->Signal(SIGHUP);
  EXPECT_THAT(systemd.Receive().value_or("<none>"),
              StartsWith("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC="));
  EXPECT_EQ(systemd.Receive(),
            "READY=1\nSTATUS=Serving " + entries + " directory entries; last reload complete");

  dir_.Write("directory.csv", "number,name\n+14085550101,Nobody\n");  // no required columns
  server_->Signal(SIGHUP);
  EXPECT_THAT(systemd.Receive().value_or("<none>"), StartsWith("RELOADING=1\n"));
  EXPECT_EQ(systemd.Receive(),
            "READY=1\nSTATUS=Serving " + entries +
                " directory entries; last reload failed, the previous data stays in service (see "
                "the log)");

  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(systemd.Receive(), "STOPPING=1\nSTATUS=Stopping");
  EXPECT_THAT(server_->output(), Not(HasSubstr("cannot notify")));
}

// With the unit's WatchdogSec=, systemd gives callgate WATCHDOG_USEC and restarts it when no
// WATCHDOG=1 comes within that time: callgate says it every half of it, from the moment it
// serves until the stop begins (systemd does not watch a stop, and a WATCHDOG=1 would arm its
// watchdog again).
TEST_F(ServerTest, TellsSystemdsWatchdogThatItIsAlive) {
  const NotifySocket systemd((dir_.path() / "notify").string());
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", (dir_.path() / "notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "1000000", 1);
  StartServer();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_THAT(systemd.Receive().value_or("<none>"), StartsWith("READY=1\n"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(systemd.Receive(), "WATCHDOG=1") << i;
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(HealthField(server_->port("admin"), "worker_threads_stalled"), "0");
  EXPECT_EQ(server_->Stop(), 0);
  std::vector<std::string> messages;
  while (!systemd.Empty()) messages.push_back(systemd.Receive().value_or("<none>"));
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back(), "STOPPING=1\nSTATUS=Stopping") << "nothing after it";
  messages.pop_back();
  EXPECT_THAT(messages, Each(std::string("WATCHDOG=1")));
  EXPECT_THAT(server_->output(),
              HasSubstr("[info] callgate: systemd's watchdog: telling it every 500 ms that "
                        "callgate runs (WatchdogSec=1000 ms)"));
  EXPECT_THAT(server_->output(), Not(HasSubstr("Worker thread")));
}

// The thread of `pid` named `name` (callgate names its worker threads "worker-1", ...), or -1.
pid_t ThreadNamed(pid_t pid, const std::string& name) {
  const fs::path tasks = fs::path("/proc") / std::to_string(pid) / "task";
  std::error_code error;
  for (const auto& task : fs::directory_iterator(tasks, error)) {
    std::ifstream comm(task.path() / "comm");
    std::string line;
    if (std::getline(comm, line) && line == name) return std::stoi(task.path().filename());
  }
  return -1;
}

// The CPU time `pid` has used (user and system, all its threads), in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream stat(fs::path("/proc") / std::to_string(pid) / "stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t end_of_name = text.rfind(')');
  if (end_of_name == std::string::npos) return -1;
  std::istringstream fields(text.substr(end_of_name + 2));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // state is field 3; utime 14, stime 15
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// One thread of another process, stopped by ptrace as a debugger stops a thread, and let go
// however the test ends (a thread left traced would keep its process from being reaped).
class StoppedThread {
 public:
  explicit StoppedThread(pid_t thread) : thread_(thread) {
    if (::ptrace(PTRACE_SEIZE, thread_, nullptr, nullptr) != 0) {
      error_ = std::strerror(errno);
      return;
    }
    seized_ = true;
    int status = 0;
    if (::ptrace(PTRACE_INTERRUPT, thread_, nullptr, nullptr) != 0 ||
        ::waitpid(thread_, &status, __WALL) != thread_ || !WIFSTOPPED(status)) {
      error_ = "could not stop the thread";
    }
  }
  ~StoppedThread() { Resume(); }
  StoppedThread(const StoppedThread&) = delete;
  StoppedThread& operator=(const StoppedThread&) = delete;

  bool seized() const { return seized_; }
  const std::string& error() const { return error_; }  // "" once stopped
  bool Resume() {
    if (!seized_) return true;
    seized_ = false;
    return ::ptrace(PTRACE_DETACH, thread_, nullptr, nullptr) == 0;
  }

 private:
  pid_t thread_;
  bool seized_ = false;
  std::string error_;
};

// A worker thread that stops running (stopped alone, as a debugger stops one thread) holds up
// the calls of its connections: callgate logs it, gives new connections to the other worker,
// /health fails and counts it, and systemd's watchdog hears nothing until the worker runs again,
// so that systemd would restart callgate.
TEST_F(ServerTest, SaysWhenAWorkerThreadStallsAndLetsTheWatchdogRestartIt) {
  const NotifySocket systemd((dir_.path() / "notify").string());
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", (dir_.path() / "notify").c_str(), 1);
  // Every 400 ms: the 2 to 3 s until the stall is seen fill no more than half of the socket's
  // queue (net.unix.max_dgram_qlen, 10 by default).
  ::setenv("WATCHDOG_USEC", "800000", 1);
  StartServer("worker_threads: 2\n");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_THAT(systemd.Receive().value_or("<none>"), StartsWith("READY=1\n"));
  EXPECT_EQ(systemd.Receive(), "WATCHDOG=1");
  const pid_t worker = ThreadNamed(server_->pid(), "worker-2");
  ASSERT_GT(worker, 0) << "no thread named worker-2";
  StoppedThread stopped(worker);
  if (!stopped.seized()) GTEST_SKIP() << "ptrace is not allowed here: " << stopped.error();
  ASSERT_EQ(stopped.error(), "");

  EXPECT_TRUE(server_->WaitForOutput(
      " s: the calls on its connections wait (a log write to a file system that does not answer, "
      "or a fault in callgate); systemd's watchdog is no longer told that callgate is alive, and "
      "ends and restarts it within 0.8 s unless the thread recovers"))
      << server_->output();
  EXPECT_THAT(server_->output(), HasSubstr("[error] callgate: Worker thread 2 of 2 (worker-2, "
                                           "thread ID " +
                                           std::to_string(worker) + ") has been stuck for "));
  while (!systemd.Empty()) (void)systemd.Receive();  // a WATCHDOG=1 sent as the line was logged
  // Three of its periods without WATCHDOG=1: systemd would have acted by now. Meanwhile the
  // control thread waits for its next look, as an idle server does (no loop on a ping not due).
  const double cpu_before = CpuSeconds(server_->pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_LT(CpuSeconds(server_->pid()) - cpu_before, 0.3);
  EXPECT_TRUE(systemd.Empty()) << systemd.Receive().value_or("");
  // New connections go to the worker that runs: a call is answered, and /health fails.
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  auto admin = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(admin, nullptr);
  const auto health = admin->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result(), http::status::service_unavailable);
  EXPECT_THAT(health->body(), HasSubstr("{\"status\":\"unhealthy\","));
  EXPECT_THAT(health->body(), HasSubstr("\"worker_threads_stalled\":1,"));

  ASSERT_TRUE(stopped.Resume()) << std::strerror(errno);
  EXPECT_EQ(systemd.Receive(), "WATCHDOG=1");
  EXPECT_TRUE(
      server_->WaitForOutput("[warning] callgate: Worker thread 2 of 2 (worker-2, thread "
                             "ID " +
                             std::to_string(worker) + ") runs again after a "))
      << server_->output();
  EXPECT_EQ(HealthField(server_->port("admin"), "worker_threads_stalled"), "0");
  EXPECT_EQ(HealthField(server_->port("admin"), "worker_thread_stalls"), "1");
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(server_->Stop(), 0);
}

// WATCHDOG_PID names the process the watchdog watches: one that is not callgate (a wrapper that
// started it) is not pinged for; nor is one without $NOTIFY_SOCKET to tell. A WATCHDOG_USEC that
// is not a number is said at start-up.
TEST_F(ServerTest, LeavesAWatchdogForAnotherProcessAlone) {
  const NotifySocket systemd((dir_.path() / "notify").string());
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", (dir_.path() / "notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);
  ::setenv("WATCHDOG_PID", "1", 1);
  StartServer();
  ::unsetenv("WATCHDOG_PID");
  EXPECT_THAT(systemd.Receive().value_or("<none>"), StartsWith("READY=1\n"));
  // Ten of its periods: a watchdog taken for callgate's would have had its WATCHDOG=1 by now.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(systemd.Receive(), "STOPPING=1\nSTATUS=Stopping");
  EXPECT_TRUE(systemd.Empty());
  EXPECT_THAT(server_->output(), Not(HasSubstr("systemd's watchdog")));

  ::setenv("WATCHDOG_USEC", "10s", 1);
  StartServer();
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(server_->WaitForOutput(
      "WATCHDOG_USEC=10s is not a positive number of microseconds: systemd's watchdog is not told "
      "that callgate is alive"))
      << server_->output();
  EXPECT_EQ(server_->Stop(), 0);

  ::setenv("WATCHDOG_USEC", "200000", 1);
  StartServer();
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_THAT(server_->output(), Not(HasSubstr("systemd's watchdog"))) << "no NOTIFY_SOCKET";
}

// A notification systemd cannot get is logged (a start under Type=notify would time out), and
// calls are served all the same.
TEST_F(ServerTest, SaysWhenItCannotTellSystemd) {
  const std::string nobody = (dir_.path() / "no-systemd-here").string();
  ::setenv("NOTIFY_SOCKET", nobody.c_str(), 1);
  StartServer();
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(
      server_->WaitForOutput("[warning] callgate: cannot notify the service manager at "
                             "NOTIFY_SOCKET=" +
                             nobody + ": No such file or directory"))
      << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(server_->Stop(), 0);
}

// A configuration file that would stop the next start fails no reload (the directory and the
// certificates took effect), but /health says it until a reload finds the file fixed.
TEST_F(ServerTest, HealthSaysWhetherTheConfigurationFileWouldLetCallgateStart) {
  const std::string config = Config(dir_);
  StartServer();
  const std::uint16_t admin = server_->port("admin");
  dir_.Write("callgate.yaml", config + "listen_prot: 1\n");
  server_->Signal(SIGHUP);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "false") << server_->output();
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "true");
  EXPECT_EQ(HealthField(admin, "reloads_failed"), "0");

  dir_.Write("callgate.yaml", config + "max_connections: 10\n");  // loads: a restart would start
  server_->Signal(SIGHUP);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 2), 2U) << server_->output();
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "true") << server_->output();
}

// An error quotes the CSV's own text made log-safe once (\xe9 for a byte that is not UTF-8), and
// check, a refused start and a refused reload show the same text.
TEST_F(ServerTest, CheckStartUpAndReloadQuoteABadHeaderAlike) {
  const std::string bad_csv = dir_.Write("bad.csv", "phone_number,display_n\xE9me\n+1408,Ada\n");
  const std::string quoted = R"('display_n\xe9me')";
  const std::string bad_config =
      dir_.Write("bad.yaml", "insecure_mode: true\ncsv_file_path: " + bad_csv + "\n");
  const auto check = RunCommand({CallgateBinary(), "check", "--config", bad_config});
  EXPECT_THAT(check.output, HasSubstr(quoted)) << check.output;
  const auto start =
      RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", bad_config});
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_THAT(start.output, HasSubstr("refusing to start: "));
  EXPECT_THAT(start.output, HasSubstr(quoted)) << start.output;

  StartServer();
  std::filesystem::rename(bad_csv, dir_.path() / "directory.csv");
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload failed", mark)) << server_->output();
  ASSERT_TRUE(server_->WaitForOutput(quoted, mark)) << server_->output().substr(mark);
}

// What a SIGHUP logs, from the signal to the end of the reload it starts.
std::string ReloadOutput(const CallgateProcess& server) {
  const std::size_t mark = server.output().size();
  server.Signal(SIGHUP);
  EXPECT_TRUE(server.WaitForOutput("Reload complete", mark)) << server.output().substr(mark);
  return server.output().substr(mark);
}

// ca_bundle_path takes effect at a restart only, and one that names a file callgate reads would
// stop that restart: a reload says so, as for any file that would, keeps the configuration it
// runs with, and writes nothing there.
TEST_F(ServerTest, AReloadRefusesACaBundlePathThatIsAFileCallgateReads) {
  const std::string config = Config(dir_);
  StartServer();
  const std::uint16_t admin = server_->port("admin");
  const std::string csv = (dir_.path() / "directory.csv").string();
  dir_.Write("callgate.yaml", config + "ca_bundle_path: " + csv + "\n");
  const std::string reload = ReloadOutput(*server_);
  EXPECT_THAT(reload,
              HasSubstr("Reload: callgate would refuse to start with its configuration "
                        "file as it is now, and goes on with the configuration it "
                        "has in force; fix the file before the next restart (callgate "
                        "check tests it): " +
                        (dir_.path() / "callgate.yaml").string() + ":6: key 'ca_bundle_path': '" +
                        csv + "' is the file csv_file_path names (line 5): serve writes"))
      << reload;
  // The counters move just after "Reload complete".
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "false") << server_->output();
  EXPECT_EQ(ReadFile(csv), kDirectory);
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
}

// A SIGHUP reads the file again (with the environment of the start: LOG_LEVEL here) to put its
// clusters and TLS keys in force and to say which other keys wait for a restart, or that the
// file would stop one. The directory is reloaded all the same, from the file the configuration
// in force names.
TEST_F(ServerTest, SighupSaysWhatTheConfigurationFileWouldChangeAtTheNextStart) {
  const std::string config = Config(dir_, "shutdown_timeout_seconds: 3\n");
  setenv("LOG_LEVEL", "DEBUG", 1);  // inherited by the server, over the file's INFO
  server_ = CallgateProcess::Start(dir_, config);
  unsetenv("LOG_LEVEL");
  ASSERT_NE(server_, nullptr);
  const std::string config_file = (dir_.path() / "callgate.yaml").string();

  // Unchanged (a comment added, a key set to its default, lines moved): nothing extra.
  dir_.Write("callgate.yaml", "# edited\nread_timeout_seconds: 10\n" + config);
  std::string reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, Not(HasSubstr("Reload: "))) << reload;

  dir_.Write("directory.csv", "phone_number,display_name\n+14085550101,Ada King\n");
  std::string edited = config + "max_connections: 10\n";
  edited.replace(edited.find("listen_port: 0"), 14, "flask_port: 1");  // named as now written
  dir_.Write("callgate.yaml", edited);
  reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("[warning] callgate: Reload: " + config_file +
                                " changes flask_port, max_connections: this takes effect at the "
                                "next restart; they are read only at start-up"))
      << reload;
  EXPECT_THAT(reload, HasSubstr("Phone directory"));
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));

  dir_.Write("directory.csv", "phone_number,display_name\n+14085550101,Ada Byron\n");
  dir_.Write("callgate.yaml", config + "listen_prot: 1\nworker_thread: 2\n");
  reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("[error] callgate: Reload: callgate would refuse to start with "
                                "its configuration file as it is now, and goes on with the "
                                "configuration it has in force"))
      << reload;
  EXPECT_THAT(reload, HasSubstr(config_file + ":7: key 'listen_prot': unknown key; did you mean "
                                              "'listen_port'? (and 1 more error(s): callgate "
                                              "check lists them)"));
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Byron"));

  // A file that loads, but that a start would refuse as insecure, is said to be refused too.
  dir_.Write("callgate.yaml", config.substr(config.find('\n') + 1));  // without insecure_mode
  reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("would refuse to start")) << reload;
  EXPECT_THAT(reload, HasSubstr("insecure_mode")) << reload;
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 4), 4U);

  // Clusters where there were none would make /health answer loopback alone, which is set at
  // start-up: they wait for a restart, and the log says why.
  dir_.Write("callgate.yaml", config + "clusters:\n  pbx:\n    allowed_ips: [127.0.0.2]\n");
  reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("changes clusters: this takes effect at the next restart; a "
                                "reload puts clusters and the TLS keys in force, but not when "
                                "clusters are defined where there were none"))
      << reload;
  EXPECT_THAT(reload, Not(HasSubstr("now in force")));
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Byron")) << "from 127.0.0.1";
}

// log_level goes into force at a reload, without a restart (which would close UCM's connections):
// DEBUG shows what UCM sends, and going back to WARNING drops the INFO line of each call. The
// line that says so shows either way.
TEST_F(ServerTest, AReloadPutsAnEditedLogLevelInForce) {
  const std::string config = Config(dir_);
  StartServer();
  const std::string config_file = (dir_.path() / "callgate.yaml").string();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  ASSERT_TRUE(server_->WaitForOutput("curri calling=+14085550101"));
  EXPECT_THAT(server_->output(), Not(HasSubstr("Parsed XACML attribute")));

  dir_.Write("callgate.yaml", config + "log_level: DEBUG\n");
  std::string reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("[info] callgate: Reload: log_level of " + config_file +
                                " now in force: DEBUG"))
      << reload;
  std::size_t mark = server_->output().size();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_TRUE(server_->WaitForOutput(
      "[debug] callgate: Parsed XACML attribute: urn:Cisco:uc:1.0:callingnumber = +14085550101",
      mark))
      << server_->output().substr(mark);

  dir_.Write("callgate.yaml", config + "log_level: WARNING\n");
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("now in force: WARNING", mark))
      << server_->output().substr(mark);
  ASSERT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 2), 2U);
  mark = server_->output().size();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  // A WARNING, after the call's line would have been written.
  dir_.Write("callgate.yaml", config + "log_level: WARNING\nmax_connections: 10\n");
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("changes max_connections", mark))
      << server_->output().substr(mark);
  EXPECT_THAT(server_->output().substr(mark), Not(HasSubstr("[info]")));
}

// Under obfuscate_pii a reason that may quote a value from the file (an address here) is left
// out: the file, the line and the key say where to look.
TEST_F(ServerTest, UnderObfuscatePiiAConfigurationErrorAtAReloadQuotesNoValue) {
  const std::string config = Config(dir_, "obfuscate_pii: true\n");
  StartServer("obfuscate_pii: true\n");
  dir_.Write("callgate.yaml", config + "clusters:\n  pbx:\n    allowed_ips: [10.9.8.300]\n");
  const std::string reload = ReloadOutput(*server_);
  EXPECT_THAT(reload, HasSubstr("callgate.yaml:9: key 'clusters.pbx.allowed_ips': the reason is "
                                "left out under obfuscate_pii; callgate check shows it"))
      << reload;
  EXPECT_THAT(reload, Not(HasSubstr("10.9.8")));
}

// A directory of `rows` exact entries, +12001000000 upwards, all named "Name": big enough that
// loading it takes a while.
std::string LargeDirectory(int rows) {
  std::string csv = "phone_number,display_name\n";
  for (int i = 0; i < rows; ++i) csv += "+1200" + std::to_string(1'000'000 + i) + ",Name\n";
  return csv;
}

// Writes to the end of an open file, a row a write every 200 µs (`first` before them), from its
// construction to its destruction: an export writing the directory slowly, in place.
class SlowExport {
 public:
  SlowExport(int fd, std::string first) : thread_([this, fd, first] { Write(fd, first); }) {}
  ~SlowExport() {
    stop_ = true;
    thread_.join();
  }
  SlowExport(const SlowExport&) = delete;
  SlowExport& operator=(const SlowExport&) = delete;

 private:
  void Write(int fd, const std::string& first) {
    if (write(fd, first.data(), first.size()) < 0) return;
    for (int row = 0; !stop_; ++row) {
      const std::string text = "+1300" + std::to_string(1'000'000 + row) + ",Exported\n";
      if (write(fd, text.data(), text.size()) < 0) return;
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // pace, not synchronisation
    }
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// /health's last_reload_ok once a reload has finished ("true" or "false"), polled for up to 15 s.
std::string AwaitReloadVerdict(std::uint16_t admin) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  std::string verdict;
  do {
    verdict = HealthField(admin, "last_reload_ok");
    if (verdict == "true" || verdict == "false") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return verdict;
}

// The start of a directory an export is writing: `rows` rows of +1200..., then a row cut in the
// middle. Big enough that reading it lasts tens of milliseconds, while the export adds to it.
std::string ExportSoFar(int rows) {
  std::string csv = "phone_number,display_name\n+14085550101,Ada King\n";
  for (int i = 0; i < rows; ++i) csv += "+1200" + std::to_string(1'000'000 + i) + ",Name\n";
  return csv + "+14085550104,Tom & Je";
}

// A SIGHUP while an export rewrites the directory in place: the reload reads a file that grows
// under it (what it has so far would parse, its last row cut in the middle). The reload fails,
// the directory in service stays, and the error says what to do; a SIGHUP once the file is
// written loads all of it.
TEST_F(ServerTest, AReloadOfADirectoryBeingWrittenKeepsTheOneInService) {
  StartServer();
  const std::uint16_t admin = server_->port("admin");
  const std::string csv = (dir_.path() / "directory.csv").string();
  const int fd = open(csv.c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  const std::string so_far = ExportSoFar(200'000);
  ASSERT_EQ(write(fd, so_far.data(), so_far.size()), static_cast<ssize_t>(so_far.size()));
  const std::size_t mark = server_->output().size();
  std::string verdict;
  {
    const SlowExport export_going_on(fd, "rry\n");
    server_->Signal(SIGHUP);
    verdict = AwaitReloadVerdict(admin);
  }
  EXPECT_EQ(verdict, "false") << server_->output().substr(mark);
  EXPECT_EQ(HealthField(admin, "exact_entries"), "3");
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(CurriName("+14085550104"), ExpectedCurriResponse("San Jose Downtown"));
  const std::string said = server_->output().substr(mark);
  EXPECT_THAT(said,
              HasSubstr("Reload failed, the previous phone directory stays in service: " +
                        (dir_.path() / "callgate.yaml").string() + ":5: key 'csv_file_path': '" +
                        csv + "': changed while it was read (its size went from "))
      << said;
  EXPECT_THAT(said, HasSubstr("Write the new file beside it and rename it into place, which "
                              "replaces it in one step. Send SIGHUP again once the new file is "
                              "written"));
  EXPECT_THAT(said, Not(HasSubstr("Reload complete")));

  close(fd);  // the export has finished
  server_->Signal(SIGHUP);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output().substr(mark);
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
  EXPECT_EQ(CurriName("+14085550104"), ExpectedCurriResponse("Tom &amp;amp; Jerry"));
  EXPECT_EQ(CurriName("+13001000000"), ExpectedCurriResponse("Exported"));
}

// At start-up there is no directory to keep: a directory being written stops the start, and
// check, which loads it the same way, says so too.
TEST_F(ServerTest, ADirectoryBeingWrittenStopsAStartAndFailsCheck) {
  const std::string csv = (dir_.path() / "directory.csv").string();
  const std::string config = dir_.Write("callgate.yaml",
                                        "insecure_mode: true\nlisten_host: 127.0.0.1\n"
                                        "listen_port: 0\nadmin_listen: \"\"\ncsv_file_path: " +
                                            csv + "\n");
  const int fd = open(csv.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  const std::string so_far = ExportSoFar(200'000);
  ASSERT_EQ(write(fd, so_far.data(), so_far.size()), static_cast<ssize_t>(so_far.size()));
  const std::string changed = config + ":5: key 'csv_file_path': '" + csv +
                              "': changed while it was read (its size went from ";
  {
    const SlowExport export_going_on(fd, "rry\n");
    const auto check = RunCommand({CallgateBinary(), "check", "--config", config});
    EXPECT_EQ(check.exit_code, 1) << check.output;
    EXPECT_THAT(check.output, HasSubstr("directory: " + changed)) << check.output;
    EXPECT_THAT(check.output, HasSubstr("Run this command again once the new file is written"));
    const auto start = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
    EXPECT_EQ(start.exit_code, 1) << start.output;
    EXPECT_THAT(start.output, HasSubstr("refusing to start: " + changed)) << start.output;
    EXPECT_THAT(start.output, HasSubstr("At start-up there is no directory in service to keep: "
                                        "start callgate again once the new file is written"));
  }
  close(fd);
}

// SIGHUP's default action ends a process. systemd sends it for `systemctl reload` as soon as
// the unit has started, possibly while the directory still loads, and a reload can race a stop.
TEST_F(ServerTest, SighupWhileStartingReloadsOnceServingAndWhileStoppingIsIgnored) {
  const std::string config = Config(dir_);
  dir_.Write("directory.csv", LargeDirectory(500'000));
  server_ = CallgateProcess::Launch(dir_, config);
  // Logged before the directory is read, which takes a good part of a second.
  ASSERT_TRUE(server_->WaitForOutput("insecure_mode is on")) << server_->output();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->AwaitReady());
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(CurriName("+12001000005"), ExpectedCurriResponse("Name"));
  // Freeing half a million entries after the server has stopped leaves time for many signals.
  EXPECT_EQ(server_->Stop(std::chrono::seconds(15), SIGHUP), 0) << server_->output();
}

// A stop signal sent again and again until callgate is gone (a script, an impatient operator)
// hurries the stop, and one that comes as the process tears down (freeing the directory, after
// the server's own handler is gone) does not end it: the exit is still a clean one, 0, not 143.
TEST_F(ServerTest, SigtermsUntilTheProcessIsGoneStillEndItWithZero) {
  const std::string config = Config(dir_);
  dir_.Write("directory.csv", LargeDirectory(2'000'000));
  server_ = CallgateProcess::Launch(dir_, config);
  ASSERT_TRUE(server_->AwaitReady()) << server_->output();
  EXPECT_EQ(server_->Stop(std::chrono::seconds(15), SIGTERM), 0) << server_->output();
}

// Two SIGHUPs held while callgate starts are taken one after the other once it serves. Each line
// says what its SIGHUP makes: "SIGHUP: reloading" a reload; "will follow it" one more after the
// reload that runs; "about to start" none, a reload not yet begun carries it out.
TEST_F(ServerTest, TwoSighupsHeldWhileStartingSayTheReloadsTheyMake) {
  const std::string config = Config(dir_);
  dir_.Write("directory.csv", LargeDirectory(500'000));
  server_ = CallgateProcess::Launch(dir_, config);
  ASSERT_TRUE(server_->WaitForOutput("insecure_mode is on")) << server_->output();
  server_->Signal(SIGHUP);
  // Two signals sent at once may be one for the kernel, until the first is taken.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->AwaitReady());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Occurrences(server_->output(), "SIGHUP: ") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string said = server_->output();
  ASSERT_EQ(Occurrences(said, "SIGHUP: "), 2U) << said;
  const std::uint64_t reloads =
      Occurrences(said, "SIGHUP: reloading") + Occurrences(said, "this reload will follow it");
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", reloads), reloads) << said;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a reload no line said
  EXPECT_EQ(HealthField(server_->port("admin"), "reloads_ok"), std::to_string(reloads));
}

// A reload reading a file that never ends (a FIFO no one writes; a network file system that
// does not answer) cannot hold up a stop for longer than shutdown_timeout_seconds.
TEST_F(ServerTest, AStuckReloadDoesNotHoldUpAStop) {
  StartWithAStuckReload(1);
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_EQ(server_->Stop(std::chrono::seconds(10)), 0);
  EXPECT_THAT(server_->output(), HasSubstr("A reload has not finished within "
                                           "shutdown_timeout_seconds (1 s): exiting without"));
  EXPECT_THAT(server_->output(), HasSubstr("callgate stopped")) << "as on every other stop";
}

// A stop that waits for a stuck reload says so, and a second stop signal ends the wait (as it
// ends the wait for requests in progress) instead of being ignored until the timeout.
TEST_F(ServerTest, ASecondStopSignalEndsTheWaitForAStuckReload) {
  const std::size_t mark = StartWithAStuckReload(300);
  ASSERT_NE(server_, nullptr);
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->WaitForOutput(
      "shutdown: waiting up to 300 s (shutdown_timeout_seconds) for the reload in progress", mark));
  EXPECT_EQ(server_->Stop(std::chrono::seconds(20)), 0) << server_->output();
  EXPECT_THAT(server_->output(), HasSubstr("SIGTERM again: not waiting for the reload"));
  EXPECT_THAT(server_->output(), Not(HasSubstr("A reload has not finished")));
}

// The write end of the FIFO at `path`, opened once a reader is there (within 10 s; -1 if none
// came): the reader is then held in its first read until something is written.
int OpenOnceReaderWaits(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK);  // ENXIO while no reader
    if (fd >= 0) return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// A SIGHUP while a reload is still running (here one held reading a FIFO) is not merged into it
// silently: the warning says how long it has run and what may hold it. Pipes as csv_file_path
// stay supported: once written, both reloads complete.
TEST_F(ServerTest, ASighupWhileAReloadIsStillRunningSaysSo) {
  StartServer("shutdown_timeout_seconds: 1\n");
  const std::string csv = (dir_.path() / "directory.csv").string();
  std::filesystem::remove(csv);
  ASSERT_EQ(mkfifo(csv.c_str(), 0600), 0);
  std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("SIGHUP: reloading", mark)) << server_->output();
  const int writer = OpenOnceReaderWaits(csv);
  ASSERT_GE(writer, 0) << "the reload never opened the FIFO";

  // Seconds into the reload: said at INFO, without the reasons a stuck one would have.
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  EXPECT_TRUE(server_->WaitForOutput("s ago is still running; this reload will follow it", mark))
      << server_->output().substr(mark);
  EXPECT_THAT(server_->output().substr(mark), HasSubstr("[info] callgate: SIGHUP: the reload "
                                                        "started "));
  EXPECT_THAT(server_->output().substr(mark), Not(HasSubstr("SIGHUP: reloading")));

  // The reload that follows reads a regular file again; the one held reads the FIFO's content.
  std::filesystem::rename(dir_.Write("directory.new", kDirectory), csv);
  const std::string content = "phone_number,display_name\n+14085550101,Ada King\n";
  EXPECT_EQ(write(writer, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(writer);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 2), 2U) << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
}

// Whether a thread of process `pid` waits, within 10 s, in an open() of a FIFO for a writer.
bool AwaitOpeningAFifo(pid_t pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
      if (ReadFile((task.path() / "wchan").string()) == "wait_for_partner") return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// A SIGHUP interrupts a wait in open(). One sent while callgate starts, here while it waits to
// open a FIFO csv_file_path, is held as any other (it failed the start: "Interrupted system
// call"), and carried out once callgate serves.
TEST_F(ServerTest, ASighupWhileStartingOpensAFifoIsHeld) {
  const std::string config = Config(dir_);
  const std::string csv = (dir_.path() / "directory.csv").string();
  std::filesystem::remove(csv);
  ASSERT_EQ(mkfifo(csv.c_str(), 0600), 0);
  server_ = CallgateProcess::Launch(dir_, config);
  ASSERT_TRUE(AwaitOpeningAFifo(server_->pid())) << server_->output();
  server_->Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int load = 0; load < 2; ++load) {  // the start, then the reload
    const int writer = OpenOnceReaderWaits(csv);
    ASSERT_GE(writer, 0) << server_->output();
    ASSERT_EQ(write(writer, kDirectory, strlen(kDirectory)),
              static_cast<ssize_t>(strlen(kDirectory)));
    close(writer);
    if (load == 0) {
      ASSERT_TRUE(server_->AwaitReady());
    }
  }
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada Lovelace"));
}

// A reload held reading a FIFO shows in /health as it runs: a monitor can tell a reload that
// hangs from one that never came.
TEST_F(ServerTest, AReloadStillRunningShowsInHealth) {
  StartServer("shutdown_timeout_seconds: 1\n");
  const std::uint16_t admin = server_->port("admin");
  const std::string csv = (dir_.path() / "directory.csv").string();
  std::filesystem::remove(csv);
  ASSERT_EQ(mkfifo(csv.c_str(), 0600), 0);
  server_->Signal(SIGHUP);
  const int writer = OpenOnceReaderWaits(csv);
  ASSERT_GE(writer, 0) << "the reload never opened the FIFO";
  EXPECT_GE(AwaitHealthCounter(admin, "reload_running_seconds", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "null") << "none has finished";

  const std::string content = "phone_number,display_name\n+14085550101,Ada King\n";
  EXPECT_EQ(write(writer, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(writer);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output();
  EXPECT_EQ(HealthField(admin, "reload_running_seconds"), "0");
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "true");
  EXPECT_EQ(CurriName("+14085550101"), ExpectedCurriResponse("Ada King"));
}

// A reload held reading a FIFO is warned about once it has run 30 s, without waiting for another
// SIGHUP to find it, and only once; a SIGHUP after that time is a warning too, with the reasons.
// A reload that ends in time is not warned about. (The test waits the 30 s: a shorter time for
// tests would be a hook in the binary.)
TEST_F(ServerTest, AStuckReloadIsWarnedAboutOnce) {
  StartServer("shutdown_timeout_seconds: 1\n");
  const std::uint16_t admin = server_->port("admin");
  const std::string warning = "[warning] callgate: Reload: the reload started ";
  server_->Signal(SIGHUP);  // reads a regular file: ends in time
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U) << server_->output();

  const std::string csv = (dir_.path() / "directory.csv").string();
  std::filesystem::remove(csv);
  ASSERT_EQ(mkfifo(csv.c_str(), 0600), 0);
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  const int writer = OpenOnceReaderWaits(csv);
  ASSERT_GE(writer, 0) << "the reload never opened the FIFO";
  ASSERT_TRUE(server_->WaitForOutput(warning, mark, std::chrono::seconds(45))) << server_->output();
  EXPECT_THAT(server_->output().substr(mark),
              HasSubstr(" s ago is still running (a file it reads may be a FIFO without a writer, "
                        "or on a network file system that does not answer); it ends once the "
                        "file answers"));
  // Looked for every second: by the time the reload has run 33 s, a second warning would be out.
  EXPECT_GE(AwaitHealthCounter(admin, "reload_running_seconds", 33), 33U);
  EXPECT_EQ(Occurrences(server_->output(), warning), 1U) << server_->output();
  server_->Signal(SIGHUP);
  EXPECT_TRUE(server_->WaitForOutput("[warning] callgate: SIGHUP: the reload started 3",
                                     mark))  // 33 s or more
      << server_->output().substr(mark);

  // The reload that SIGHUP asked for follows the held one, and reads a regular file again.
  std::filesystem::rename(dir_.Write("directory.new", kDirectory), csv);
  const std::string content = "phone_number,display_name\n+14085550101,Ada King\n";
  EXPECT_EQ(write(writer, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(writer);
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_ok", 3), 3U) << server_->output();
  EXPECT_EQ(Occurrences(server_->output(), warning), 1U) << server_->output();
}

// Resident memory of `pid` in bytes (VmRSS).
std::size_t ResidentBytes(pid_t pid) {
  const std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  const std::size_t at = status.find("VmRSS:");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + 6)) * 1024;
}

// A directory replaced by a reload is freed once no request uses it; none may be kept for good
// (a directory of tens of millions of entries takes hundreds of megabytes).
TEST_F(ServerTest, ReloadsFreeTheDirectoriesTheyReplace) {
  const std::string csv = LargeDirectory(1'000'000);
  const std::string config = Config(dir_);
  dir_.Write("directory.csv", csv);
#ifdef CALLGATE_SANITIZED
  // AddressSanitizer keeps freed memory in a quarantine (256 MB) to catch uses after free, so the
  // server's resident memory grows by some 5 MB a reload whatever callgate frees. Off for this
  // server only.
  const char* asan_options = std::getenv("ASAN_OPTIONS");  // NOLINT(concurrency-mt-unsafe)
  const std::optional<std::string> saved =
      asan_options != nullptr ? std::optional<std::string>(asan_options) : std::nullopt;
  setenv("ASAN_OPTIONS", (saved ? *saved + ":" : "").append("quarantine_size_mb=0").c_str(), 1);
#endif
  server_ = CallgateProcess::Start(dir_, config);
#ifdef CALLGATE_SANITIZED
  if (saved) {
    setenv("ASAN_OPTIONS", saved->c_str(), 1);
  } else {
    unsetenv("ASAN_OPTIONS");
  }
#endif
  ASSERT_NE(server_, nullptr);
  const std::size_t loaded = ResidentBytes(server_->pid());
  for (int reload = 0; reload < 3; ++reload) {
    const std::size_t mark = server_->output().size();
    server_->Signal(SIGHUP);
    ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output();
    ASSERT_NE(server_->output().find("1000000 exact", mark), std::string::npos);
  }
  // One directory of 1,000,000 entries takes more than the CSV's 18 MB.
  EXPECT_LT(ResidentBytes(server_->pid()), loaded + csv.size() / 2)
      << "loaded: " << loaded << " bytes";
  EXPECT_EQ(CurriName("+12001000005"), ExpectedCurriResponse("Name"));
}

}  // namespace
}  // namespace callgate::testing
