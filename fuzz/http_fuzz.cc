// Fuzzes the HTTP session (server/session.cc) as the server runs it: the input arrives on a
// loopback connection, whose client then closes its sending side and reads all that comes back;
// the server serves it with ServeHttp and ends it with LingeringClose. The limits are small, so
// that inputs reach them. Aborts when:
// - what came back is not whole HTTP/1.x responses one after another (100 Continue between
//   them allowed), or it ended in a reset rather than the end of the stream;
// - a response came after one that said "Connection: close";
// - the access log and the responses disagree: one line per final response, with its status and
//   body size, none marked undelivered;
// - a response to HEAD carried a body;
// - the counters disagree: every final response is a routed request or the one connection-ending
//   error (400, 413, 414, 431, 505), which comes last.
#include <spdlog/sinks/ostream_sink.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>

#include "directory/csv_loader.h"
#include "server/session.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using callgate::server::Metrics;

// Names the broken invariant by its line.
void Check(bool condition, int line = __builtin_LINE()) {
  if (condition) return;
  std::fprintf(stderr, "http_fuzz.cc:%d: invariant broken\n", line);
  std::abort();
}

// One access.log line as the checks need it.
struct AccessLine {
  bool head = false;
  bool refused_line = false;  // "-": refused before its request line was parsed
  unsigned status = 0;
  std::size_t body_bytes = 0;
};

// `127.0.0.1 "HEAD /curri HTTP/1.1" 200 0 12us` (or `... "-" 400 ...`). The request line's closing
// quote is the last `" ` of the line: what a client sent is escaped, and holds no space.
// A line whose response did not reach the client ends in " undelivered: ...".
AccessLine ParseAccessLine(std::string_view line) {
  AccessLine parsed;
  const std::size_t end = line.rfind("\" ");
  Check(end != std::string_view::npos);
  std::istringstream rest{std::string(line.substr(end + 2))};
  std::string micros;
  std::string more;
  rest >> parsed.status >> parsed.body_bytes >> micros;
  Check(!rest.fail() && micros.ends_with("us") && !(rest >> more));
  // A refused request line logs as "-", HEAD or not: its error has a body unless it was a HEAD
  // (CheckResponses checks what it can of that against the input).
  parsed.refused_line = line.starts_with("127.0.0.1 \"-\" ");
  parsed.head =
      line.starts_with("127.0.0.1 \"HEAD ") || (parsed.refused_line && parsed.body_bytes == 0);
  return parsed;
}

std::vector<AccessLine> AccessLines(const std::string& log) {
  std::vector<AccessLine> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(ParseAccessLine(line));
  return lines;
}

bool EndsConnection(unsigned status) {
  return status == 400 || status == 413 || status == 414 || status == 431 || status == 505;
}

// Parses `wire` as the responses the access log lists, in order; `input` is what the client sent.
void CheckResponses(std::string_view wire, const std::vector<AccessLine>& lines,
                    const Metrics& metrics, std::string_view input) {
  std::size_t next = 0;  // the access line of the next final response
  bool closed = false;
  while (!wire.empty()) {
    Check(!closed);
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.skip(next < lines.size() && lines[next].head);
    beast::error_code ec;
    const std::size_t used = parser.put(asio::buffer(wire.data(), wire.size()), ec);
    Check(!ec && parser.is_done());
    wire.remove_prefix(used);
    const auto& response = parser.get();
    // 100 Continue has no line, and may be the last thing sent: the client may end its body early.
    if (response.result() == http::status::continue_) continue;
    Check(next < lines.size());
    Check(response.result_int() == lines[next].status);
    Check(response.body().size() == lines[next].body_bytes);
    Check(!lines[next].head || response.body().empty());
    // An error without content for a refused request line: only a HEAD's. Where the refused
    // request starts in the input is not known here (after a body, after a bare CR), only that
    // the input must hold one.
    Check(!lines[next].refused_line || !lines[next].head ||
          input.find("HEAD ") != std::string_view::npos);
    Check(!EndsConnection(lines[next].status) || !response.keep_alive());
    closed = !response.keep_alive();
    ++next;
  }
  Check(next == lines.size());
  std::size_t errors = 0;
  for (const AccessLine& line : lines) errors += EndsConnection(line.status) ? 1 : 0;
  Check(errors <= 1 && (errors == 0 || EndsConnection(lines.back().status)));
  Check(metrics.requests.load() + errors == lines.size());
  Check(metrics.bad_requests.load() + metrics.body_too_large.load() +
            metrics.header_too_large.load() ==
        errors);
}

// What lives for the whole run: the listening socket, the loggers, the directory.
struct Fixture {
  Fixture() {
    app->set_pattern("%v");
    access->set_pattern("%v");
    app->set_level(spdlog::level::debug);
    access->set_level(spdlog::level::info);
    logs.app = app;
    logs.access = access;
    logs.masker = &masker;
    auto loaded = callgate::directory::ParseDirectoryCsv(
        "phone_number,display_name,match_type\n+14085550101,Ada Lovelace,exact\n+1408,Prefix,"
        "prefix\n",
        "fuzz.csv");
    Check(static_cast<bool>(loaded));
    auto snapshot = std::make_shared<callgate::engine::Snapshot>();
    snapshot->directory = std::move(loaded->directory);
    store = std::make_unique<callgate::server::SnapshotStore>(std::move(snapshot));
  }

  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::ostringstream app_text;
  std::ostringstream access_text;
  std::shared_ptr<spdlog::logger> app = std::make_shared<spdlog::logger>(
      "app", std::make_shared<spdlog::sinks::ostream_sink_st>(app_text));
  std::shared_ptr<spdlog::logger> access = std::make_shared<spdlog::logger>(
      "access", std::make_shared<spdlog::sinks::ostream_sink_st>(access_text));
  callgate::security::PiiMasker masker{false};
  callgate::server::Logs logs;
  std::unique_ptr<callgate::server::SnapshotStore> store;
  const std::atomic<bool> stopping{false};
  const std::atomic<std::uint64_t> security_generation{0};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  fixture.app_text.str("");
  fixture.access_text.str("");
  Metrics metrics;
  const callgate::server::Router router({}, *fixture.store, metrics, fixture.logs);
  const callgate::server::SessionEnv env{
      .limits = {.max_body_bytes = 2048,
                 .max_header_bytes = 512,
                 .read_timeout = std::chrono::seconds(10),
                 .idle_timeout = std::chrono::seconds(10)},
      .router = router,
      .logs = fixture.logs,
      .metrics = metrics,
      .stopping = fixture.stopping,
      .security_generation = fixture.security_generation,
      .reauthorize = [](callgate::server::PeerContext&) { return true; }};

  // Connected and accepted through the io_context, which retries what a signal interrupts: a
  // blocking connect(2) or accept(2) fails with EINTR when libFuzzer's timers fire.
  tcp::socket client(fixture.ioc);
  std::optional<callgate::server::PlainStream> stream;
  callgate::server::PeerContext peer{.identity = {}, .address = "127.0.0.1"};
  // A third of the inputs (chosen by length, so that an input always runs the same way) come
  // from a peer no cluster allows, whose requests are answered at their header.
  if (size % 3 == 0) peer.auth = callgate::security::AuthDecision{.allowed = false};
  callgate::server::ConnectionSlot slot;
  slot.close = [&stream] { stream->close(); };
  slot.cancel = [&stream] { stream->cancel(); };

  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string received;
  beast::error_code read_error;
  client.async_connect(fixture.acceptor.local_endpoint(), [&](beast::error_code connected) {
    Check(!connected);
    asio::async_write(client, asio::buffer(input), [&client](beast::error_code ec, std::size_t) {
      Check(!ec);  // the server reads everything before it closes
      client.shutdown(tcp::socket::shutdown_send);
    });
    asio::async_read(client, asio::dynamic_buffer(received),
                     [&read_error](beast::error_code ec, std::size_t) { read_error = ec; });
  });
  asio::co_spawn(
      fixture.ioc,
      [&]() -> asio::awaitable<void> {
        stream.emplace(co_await fixture.acceptor.async_accept(asio::use_awaitable));
        co_await callgate::server::ServeHttp(*stream, peer, env, slot);
        co_await callgate::server::LingeringClose(stream->socket(), slot);
        stream->close();
      },
      [](const std::exception_ptr& error) { Check(!error); });
  fixture.ioc.restart();
  fixture.ioc.run();

  Check(read_error == asio::error::eof);
  CheckResponses(received, AccessLines(fixture.access_text.str()), metrics, input);
  return 0;
}
