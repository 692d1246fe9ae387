// Integration-test harness: runs the real callgate binary on port 0 over loopback and talks to
// it with a small Beast client, over plain HTTP or TLS (optionally with a client certificate).
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace callgate::testing {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A directory removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// The callgate binary under test, its source tree and test data.
std::string CallgateBinary();
std::string SourcePath(const std::string& relative);
std::string ReadFile(const std::string& path);

// Runs a command, returns its exit code and its combined stdout+stderr.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv);

// A running `callgate --config FILE`. Start() returns once every listener logged its address.
class CallgateProcess {
 public:
  ~CallgateProcess();

  // Writes `config_yaml` into `dir` and starts the binary with it, with an open-file limit of
  // `max_open_files` when that is not 0. Fails the test (and returns nullptr) if the process
  // exits or logs no listening line within a generous deadline.
  static std::unique_ptr<CallgateProcess> Start(const TempDir& dir, const std::string& config_yaml,
                                                const std::vector<std::string>& extra_args = {},
                                                unsigned max_open_files = 0);
  // Start() in two steps, for tests that act while the server starts: Launch() returns as soon
  // as the process runs, AwaitReady() as Start() does (false, with a test failure, if it fails).
  static std::unique_ptr<CallgateProcess> Launch(const TempDir& dir, const std::string& config_yaml,
                                                 const std::vector<std::string>& extra_args = {},
                                                 unsigned max_open_files = 0);
  bool AwaitReady();

  // "main", "http", "admin" -> port / URL, from the listening lines.
  std::uint16_t port(const std::string& listener = "main") const;
  std::string url(const std::string& listener = "main") const;

  void Signal(int signal) const;
  // Sends SIGTERM and waits for the exit code (-1 if it did not exit within `timeout`). With
  // `meanwhile`, also sends that signal every millisecond until the process has exited.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(15), int meanwhile = 0);
  // Waits until the combined output contains `text` (after `from` bytes); false on timeout.
  bool WaitForOutput(const std::string& text, std::size_t from = 0,
                     std::chrono::seconds timeout = std::chrono::seconds(15)) const;
  std::string output() const;
  pid_t pid() const { return pid_; }

 private:
  CallgateProcess() = default;
  void ReadLoop();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::string output_;
  bool closed_ = false;
  std::map<std::string, std::string> urls_;
};

// TLS client options; empty paths mean "none".
struct TlsOptions {
  std::string ca_file;    // verify the server against this CA; empty: no verification
  std::string cert_file;  // client certificate (chain) and key
  std::string key_file;
  int min_version = 0;  // e.g. TLS1_2_VERSION; 0: library default
  int max_version = 0;
  std::string ciphers;  // TLS 1.2 cipher list; empty: default
};

// A blocking HTTP/1.1 client on one connection (keep-alive), plain or TLS.
class HttpClient {
 public:
  // Connects to `host`:`port`, binding the local end to `local_address` when set, and does the
  // TLS handshake when `tls` is set. Returns nullptr on failure, with the reason in *error.
  static std::unique_ptr<HttpClient> Connect(std::uint16_t port, std::optional<TlsOptions> tls = {},
                                             const std::string& host = "127.0.0.1",
                                             const std::string& local_address = "",
                                             std::string* error = nullptr);
  ~HttpClient();

  // Every read and write below gives up after 30 s (the connection is then closed).

  // Sends a request and reads the response. Returns nullopt if the connection failed, closed or
  // timed out, with the reason in last_error().
  std::optional<HttpResponse> Send(HttpRequest request);
  std::optional<HttpResponse> Post(const std::string& target, const std::string& body);
  std::optional<HttpResponse> Get(const std::string& target);
  std::optional<HttpResponse> Head(const std::string& target);

  // Raw bytes, for requests Beast would not write (stalled bodies, huge chunks).
  bool WriteRaw(const std::string& bytes);
  // Reads until the server closes; returns what arrived. If the server has not closed within
  // 30 s, the running test fails.
  std::string ReadUntilClosed();

  std::string last_error() const { return last_error_; }
  std::string tls_version() const;         // "TLSv1.3", ...
  std::string server_common_name() const;  // CN of the server's certificate ("" if plain)

  class Impl;

 private:
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string last_error_;
};

// /health's field `name` as the JSON text of its value ("12", "true", "null", "\"healthy\""), asked
// once on plain-HTTP `port`; empty if /health did not answer or has no such field.
std::string HealthField(std::uint16_t port, const std::string& name);

// /health's counter `name` (asked on plain-HTTP `port`, e.g. the admin listener) once it has
// reached `at_least`, or the last value seen within 10 s: counters move just after a response
// is sent or a log line is written, so a test polls.
std::optional<std::uint64_t> AwaitHealthCounter(std::uint16_t port, const std::string& name,
                                                std::uint64_t at_least);

// How many times `what` occurs in `text` (overlaps counted): responses in a reply, a warning in a
// log.
std::size_t Occurrences(const std::string& text, const std::string& what);

// `before` HEAD requests, a CURRI POST that says "Connection: close", then `after` more HEADs:
// requests pipelined past a close.
std::string PipelinedPastAClose(int before, int after);

// A CURRI request body with the given attributes (AttributeId suffix -> value), e.g.
// {{"callingnumber", "+14085550101"}}.
std::string CurriBody(const std::vector<std::pair<std::string, std::string>>& attributes);

// The exact response body callgate (and the Python service) sends for `name` (nullopt: none).
std::string ExpectedCurriResponse(const std::optional<std::string>& escaped_name);

// Requests that reach `server` just before its SIGTERM are answered: opens `count` connections
// with `connect` and has each served once (keep-alive, then idle), stops the process (SIGSTOP),
// sends a CURRI request for +14085550101 (Ada Lovelace in the test directory) on each, then
// SIGTERM and SIGCONT, so that the stop and the requests are seen at once. Expects each
// connection to get its 200 with the name before it closes: with Connection: close, or, for one
// served before the stop was seen, with keep-alive and a close while it is idle.
void ExpectRequestsSentJustBeforeSigtermAnswered(
    const CallgateProcess& server, const std::function<std::unique_ptr<HttpClient>()>& connect,
    int count);

}  // namespace callgate::testing
