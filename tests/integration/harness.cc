#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <variant>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace callgate::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "callgate-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file.string();
}

std::string CallgateBinary() { return CALLGATE_BINARY; }
std::string SourcePath(const std::string& relative) {
  return std::string(CALLGATE_SOURCE_DIR) + "/" + relative;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

namespace {

// fork+exec with stdout and stderr on one pipe; returns {pid, read end}.
// `max_open_files`, when not 0, is the child's RLIMIT_NOFILE (soft and hard).
std::pair<pid_t, int> Spawn(const std::vector<std::string>& argv, rlim_t max_open_files = 0) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {-1, -1};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    const rlimit files{max_open_files, max_open_files};
    if (max_open_files != 0 && setrlimit(RLIMIT_NOFILE, &files) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv) {
  auto [pid, fd] = Spawn(argv);
  std::string output;
  char chunk[4096];
  for (ssize_t n; (n = read(fd, chunk, sizeof chunk)) > 0;) output.append(chunk, n);
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return {ExitCode(status), output};
}

std::unique_ptr<CallgateProcess> CallgateProcess::Start(const TempDir& dir,
                                                        const std::string& config_yaml,
                                                        const std::vector<std::string>& extra_args,
                                                        unsigned max_open_files) {
  auto process = Launch(dir, config_yaml, extra_args, max_open_files);
  return process->AwaitReady() ? std::move(process) : nullptr;
}

std::unique_ptr<CallgateProcess> CallgateProcess::Launch(const TempDir& dir,
                                                         const std::string& config_yaml,
                                                         const std::vector<std::string>& extra_args,
                                                         unsigned max_open_files) {
  const std::string config = dir.Write("callgate.yaml", config_yaml);
  std::vector<std::string> argv{CallgateBinary(), "--config", config};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::unique_ptr<CallgateProcess> process(new CallgateProcess);
  std::tie(process->pid_, process->out_fd_) = Spawn(argv, max_open_files);
  process->reader_ = std::thread([p = process.get()] { p->ReadLoop(); });
  return process;
}

bool CallgateProcess::AwaitReady() {
  if (!WaitForOutput("callgate ready", 0, std::chrono::seconds(60))) {
    ADD_FAILURE() << "callgate did not become ready; output:\n" << output();
    return false;
  }
  static const std::regex kListening(R"(listening on (\S+) \((\w+)\))");
  const std::string text = output();
  for (std::sregex_iterator it(text.begin(), text.end(), kListening), end; it != end; ++it) {
    urls_[(*it)[2]] = (*it)[1];
  }
  return true;
}

CallgateProcess::~CallgateProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) close(out_fd_);
}

void CallgateProcess::ReadLoop() {
  char chunk[4096];
  for (ssize_t n; (n = read(out_fd_, chunk, sizeof chunk)) > 0;) {
    std::lock_guard lock(mutex_);
    output_.append(chunk, n);
    changed_.notify_all();
  }
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

bool CallgateProcess::WaitForOutput(const std::string& text, std::size_t from,
                                    std::chrono::seconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    return output_.find(text, std::min(from, output_.size())) != std::string::npos || closed_;
  }) && output_.find(text, std::min(from, output_.size())) != std::string::npos;
}

std::string CallgateProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

std::string CallgateProcess::url(const std::string& listener) const {
  auto it = urls_.find(listener);
  return it == urls_.end() ? "" : it->second;
}

std::uint16_t CallgateProcess::port(const std::string& listener) const {
  const std::string u = url(listener);
  return u.empty() ? 0 : static_cast<std::uint16_t>(std::stoi(u.substr(u.rfind(':') + 1)));
}

void CallgateProcess::Signal(int signal) const { kill(pid_, signal); }

int CallgateProcess::Stop(std::chrono::seconds timeout, int meanwhile) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto poll = std::chrono::milliseconds(meanwhile != 0 ? 1 : 10);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    if (meanwhile != 0) kill(pid_, meanwhile);  // the child is not reaped yet: pid_ is still it
    std::unique_lock lock(mutex_);              // wake on output, or after `poll` to poll the child
    changed_.wait_for(lock, poll);
  }
  pid_ = -1;
  return ExitCode(status);
}

// Every read and write after the connect gives up after this long, so that a server that never
// answers or never closes fails its test at once instead of hanging it until ctest's timeout.
constexpr std::chrono::seconds kIoTimeout{30};

class HttpClient::Impl {
 public:
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl_ctx;
  std::variant<std::monostate, beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;

  template <class F>
  auto Visit(F&& f) {
    if (auto* plain = std::get_if<beast::tcp_stream>(&stream)) return f(*plain);
    return f(std::get<beast::ssl_stream<beast::tcp_stream>>(stream));
  }

  // Runs the asynchronous operation that `start(stream, handler)` begins until it completes or
  // kIoTimeout passes (then *ec is beast::error::timeout and the connection is closed).
  // Returns the bytes it transferred.
  template <class Start>
  std::size_t Run(Start&& start, beast::error_code* ec) {
    return Visit([&](auto& s) {
      auto& socket = beast::get_lowest_layer(s);
      socket.expires_after(kIoTimeout);
      std::size_t transferred = 0;
      start(s, [&](beast::error_code e, std::size_t n) {
        *ec = e;
        transferred = n;
      });
      ioc.restart();
      ioc.run();
      socket.expires_never();
      return transferred;
    });
  }
};

namespace {

asio::ssl::context MakeClientContext(const TlsOptions& options) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(native, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(native, options.max_version);
  if (options.min_version != 0 && options.min_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(native, 0);  // let the client offer old protocols at all
  }
  if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(native, options.ciphers.c_str());
  if (!options.ca_file.empty()) {
    ctx.load_verify_file(options.ca_file);
    ctx.set_verify_mode(asio::ssl::verify_peer);
  }
  if (!options.cert_file.empty()) {
    ctx.use_certificate_chain_file(options.cert_file);
    ctx.use_private_key_file(options.key_file, asio::ssl::context::pem);
  }
  return ctx;
}

}  // namespace

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient> HttpClient::Connect(std::uint16_t port, std::optional<TlsOptions> tls,
                                                const std::string& host,
                                                const std::string& local_address,
                                                std::string* error) {
  auto impl = std::make_unique<Impl>();
  try {
    tcp::socket socket(impl->ioc);
    const auto address = asio::ip::make_address(host);
    socket.open(address.is_v6() ? tcp::v6() : tcp::v4());
    if (!local_address.empty())
      socket.bind(tcp::endpoint(asio::ip::make_address(local_address), 0));
    socket.connect(tcp::endpoint(address, port));
    if (!tls) {
      impl->stream.emplace<beast::tcp_stream>(std::move(socket));
    } else {
      impl->ssl_ctx.emplace(MakeClientContext(*tls));
      auto& stream = impl->stream.emplace<beast::ssl_stream<beast::tcp_stream>>(std::move(socket),
                                                                                *impl->ssl_ctx);
      SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
      stream.handshake(asio::ssl::stream_base::client);
    }
  } catch (const std::exception& e) {
    if (error != nullptr) *error = e.what();
    return nullptr;
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

std::optional<HttpResponse> HttpClient::Send(HttpRequest request) {
  request.version(11);
  if (request.find(http::field::host) == request.end()) request.set(http::field::host, "localhost");
  request.prepare_payload();
  beast::error_code ec;
  impl_->Run([&](auto& stream, auto done) { http::async_write(stream, request, done); }, &ec);
  if (ec) {
    last_error_ = ec.message();
    return std::nullopt;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  if (request.method() == http::verb::head) parser.skip(true);
  impl_->Run(
      [&](auto& stream, auto done) { http::async_read(stream, impl_->buffer, parser, done); }, &ec);
  if (ec) {
    last_error_ = ec.message();
    return std::nullopt;
  }
  return parser.release();
}

std::optional<HttpResponse> HttpClient::Post(const std::string& target, const std::string& body) {
  HttpRequest request{http::verb::post, target, 11};
  request.set(http::field::content_type, "text/xml; charset=ISO-8859-1");
  request.body() = body;
  return Send(std::move(request));
}

std::optional<HttpResponse> HttpClient::Get(const std::string& target) {
  return Send(HttpRequest{http::verb::get, target, 11});
}

std::optional<HttpResponse> HttpClient::Head(const std::string& target) {
  return Send(HttpRequest{http::verb::head, target, 11});
}

bool HttpClient::WriteRaw(const std::string& bytes) {
  beast::error_code ec;
  impl_->Run([&](auto& stream, auto done) { asio::async_write(stream, asio::buffer(bytes), done); },
             &ec);
  if (ec) last_error_ = ec.message();
  return !ec;
}

std::string HttpClient::ReadUntilClosed() {
  std::string data(static_cast<const char*>(impl_->buffer.data().data()), impl_->buffer.size());
  impl_->buffer.consume(impl_->buffer.size());
  char chunk[4096];
  for (;;) {
    beast::error_code ec;
    const std::size_t n = impl_->Run(
        [&](auto& stream, auto done) { stream.async_read_some(asio::buffer(chunk), done); }, &ec);
    data.append(chunk, n);
    if (ec == beast::error::timeout) {
      last_error_ = ec.message();
      ADD_FAILURE() << "the server did not close the connection within " << kIoTimeout.count()
                    << " s; it sent: " << data;
    }
    if (ec) return data;
  }
}

std::string HttpClient::tls_version() const {
  if (auto* tls = std::get_if<beast::ssl_stream<beast::tcp_stream>>(&impl_->stream)) {
    return SSL_get_version(tls->native_handle());
  }
  return "";
}

std::string HttpClient::server_common_name() const {
  auto* tls = std::get_if<beast::ssl_stream<beast::tcp_stream>>(&impl_->stream);
  if (tls == nullptr) return "";
  X509* cert = SSL_get1_peer_certificate(tls->native_handle());
  if (cert == nullptr) return "";
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return cn;
}

std::string HealthField(std::uint16_t port, const std::string& name) {
  auto client = HttpClient::Connect(port);
  auto response = client ? client->Get("/health") : std::nullopt;
  if (!response) return "";
  const std::string key = "\"" + name + "\":";
  const std::size_t at = response->body().find(key);
  if (at == std::string::npos) return "";
  const std::size_t from = at + key.size();
  return response->body().substr(from, response->body().find_first_of(",}", from) - from);
}

std::optional<std::uint64_t> AwaitHealthCounter(std::uint16_t port, const std::string& name,
                                                std::uint64_t at_least) {
  std::optional<std::uint64_t> value;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    if (const std::string field = HealthField(port, name); !field.empty()) {
      value = std::stoull(field);
    }
    if (value && *value >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return value;
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

std::string PipelinedPastAClose(int before, int after) {
  const std::string head = "HEAD /curri HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  std::string raw;
  for (int i = 0; i < before; ++i) raw += head;
  raw += "POST /curri HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
  for (int i = 0; i < after; ++i) raw += head;
  return raw;
}

std::string CurriBody(const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Request xmlns=\"urn:oasis:names:tc:xacml:2.0:context:schema:os\">\n"
      "  <Subject "
      "SubjectCategory=\"urn:oasis:names:tc:xacml:1.0:subject-category:access-subject\">\n";
  for (const auto& [id, value] : attributes) {
    body += "    <Attribute AttributeId=\"urn:Cisco:uc:1.0:" + id +
            "\"\n               DataType=\"http://www.w3.org/2001/XMLSchema#string\">\n"
            "      <AttributeValue>" +
            value + "</AttributeValue>\n    </Attribute>\n";
  }
  body += "  </Subject>\n</Request>\n";
  return body;
}

std::string ExpectedCurriResponse(const std::optional<std::string>& escaped_name) {
  const std::string modify =
      escaped_name ? "&lt;modify callingname=\"" + *escaped_name + "\"/&gt;" : "";
  return "<?xml encoding=\"UTF-8\" version=\"1.0\"?><Response><Result><Decision>Permit</Decision>"
         "<Status></Status><Obligations><Obligation FulfillOn=\"Permit\" "
         "ObligationId=\"urn:cisco:xacml:policy-attribute\"><AttributeAssignment "
         "AttributeId=\"Policy:simplecontinue\"><AttributeValue "
         "DataType=\"http://www.w3.org/2001/XMLSchema#string\">&lt;cixml ver=\"1.0\"&gt;&lt;"
         "continue&gt;" +
         modify +
         "&lt;/continue&gt;&lt;/cixml&gt;</AttributeValue>"
         "</AttributeAssignment></Obligation></Obligations></Result></Response>";
}

void ExpectRequestsSentJustBeforeSigtermAnswered(
    const CallgateProcess& server, const std::function<std::unique_ptr<HttpClient>()>& connect,
    int count) {
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  const std::string request =
      "POST /curri HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < count; ++i) {
    clients.push_back(connect());
    if (!clients.back() || !clients.back()->Post("/curri", body)) {
      ADD_FAILURE() << "connection " << i << " was not served";
      return;
    }
  }
  server.Signal(SIGSTOP);
  for (auto& client : clients) EXPECT_TRUE(client->WriteRaw(request)) << client->last_error();
  server.Signal(SIGTERM);
  server.Signal(SIGCONT);
  for (auto& client : clients) {
    const std::string reply = client->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK", 0), 0U) << reply;
    EXPECT_NE(reply.find(ExpectedCurriResponse("Ada Lovelace")), std::string::npos) << reply;
  }
}

}  // namespace callgate::testing
