#include "server/server.h"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <system_error>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/ip_network.h"
#include "common/strings.h"
#include "security/handshake_failure.h"
#include "server/connection_registry.h"
#include "server/descriptors.h"
#include "server/log_throttle.h"
#include "server/reload_thread.h"
#include "server/reminder.h"
#include "server/session.h"
#include "server/worker_choice.h"
#include "server/worker_watch.h"

namespace callgate::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

// One I/O thread: its own io_context and the connections it serves. The registry is declared
// before the io_context so that connection coroutines destroyed with the context can still
// unregister themselves.
struct Worker {
  ConnectionRegistry registry;
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread thread;
  int cpu = -1;  // pin_worker_threads: the CPU the thread runs on
  std::atomic<std::size_t> connections{0};
  std::size_t index = 0;  // in workers_, and in the WorkerWatch
};

// The CPUs this process may run on (its affinity mask: taskset, cgroup cpusets), in order.
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

// The CPU whose network stack received the connection's packets (SO_INCOMING_CPU), or -1.
int IncomingCpu(tcp::socket& socket) {
  int cpu = -1;
  socklen_t size = sizeof cpu;
  if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_INCOMING_CPU, &cpu, &size) != 0) return -1;
  return cpu;
}

// The admin listener's own connection limit, beside max_connections: health checks still get in
// when UCM's connections fill max_connections, and a runaway health checker cannot take
// connections from UCM.
constexpr int kAdminMaxConnections = 16;

// Connections open at once through the listeners that share it, and how many may be.
struct ConnectionBudget {
  int limit;
  std::atomic<int> open{0};
};

// How often a listener may log that it closed a connection as it accepted it.
constexpr std::chrono::seconds kRefusalLogInterval{10};

struct Listener {
  Listener(BoundListener bound, tcp::acceptor bound_acceptor, tcp bound_protocol,
           ConnectionBudget& connection_budget)
      : info(std::move(bound)),
        acceptor(std::move(bound_acceptor)),
        protocol(bound_protocol),
        budget(connection_budget) {}

  BoundListener info;
  tcp::acceptor acceptor;
  tcp protocol;  // of the sockets it accepts (IPv4 or IPv6)
  ConnectionBudget& budget;
  LogThrottle full_log{kRefusalLogInterval};          // connections over the budget
  LogThrottle not_allowed_log{kRefusalLogInterval};   // addresses no cluster allows
  LogThrottle accept_error_log{kRefusalLogInterval};  // accept() failures
};

// The configuration keys of one listener, for its errors: where its host and its port are set.
struct ListenerKeys {
  std::string_view host;
  std::string_view port;
};

struct ListenerSpec {
  const config::Endpoint& endpoint;
  std::string_view name;  // "main", "http", "admin"
  ListenerKeys keys;
  ListenerKind kind;
  bool plain_only;  // http_listen and admin_listen serve plain HTTP even when TLS is configured
};

// Whether binding `b` would fail with "Address already in use" once `a` is bound: the same port
// (not 0, which picks a free one) on the same address, or on any address of a family a wildcard
// covers (on Linux [::] also takes IPv4, unless net.ipv6.bindv6only is set).
bool Overlap(const tcp::endpoint& a, const tcp::endpoint& b) {
  if (a.port() == 0 || a.port() != b.port()) return false;
  const auto x = a.address();
  const auto y = b.address();
  if (x.is_v4() == y.is_v4()) return x == y || x.is_unspecified() || y.is_unspecified();
  return (x.is_v6() && x.is_unspecified()) || (y.is_v6() && y.is_unspecified());
}

// The listeners `config` enables, the main one first.
std::vector<ListenerSpec> ListenersOf(const config::Config& config) {
  std::vector<ListenerSpec> listeners{
      {config.listen, "main", {"listen_host", "listen_port"}, ListenerKind::kMain, false}};
  if (config.http_listen.enabled()) {
    listeners.push_back(
        {config.http_listen, "http", {"http_listen", "http_listen"}, ListenerKind::kMain, true});
  }
  if (config.admin_listen.enabled()) {
    listeners.push_back({config.admin_listen,
                         "admin",
                         {"admin_listen", "admin_listen"},
                         ListenerKind::kAdmin,
                         true});
  }
  return listeners;
}

// The error of a bind, with what it most likely means.
std::string WhyNotListening(const beast::error_code& ec) {
  if (ec == boost::system::errc::address_not_available) {
    return ec.message() + " (it is not an address of this machine)";
  }
  if (ec == boost::system::errc::permission_denied) {
    return ec.message() +
           " (a port below 1024 needs CAP_NET_BIND_SERVICE: in the systemd unit, "
           "AmbientCapabilities= and CapabilityBoundingSet=; or use a port from 1024 up)";
  }
  return ec.message();
}

// "127.0.0.1:5000", "[::1]:5000", "host:5000": as in a URL, so that an IPv6 port stands apart.
std::string HostPort(const config::Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", ipv6 ? "[" : "", endpoint.host, ipv6 ? "]" : "", endpoint.port);
}

// A peer's address, from its bytes (IPv4-mapped ones as IPv4): a round trip through text could
// fail on a link-local address's zone, an interface name, and end the connection unaccounted.
IpAddress AddressOf(const tcp::endpoint& remote) {
  const asio::ip::address address = remote.address();
  if (address.is_v4()) return *IpAddress::FromBytes(address.to_v4().to_bytes());
  return *IpAddress::FromBytes(address.to_v6().to_bytes());
}

// Where a listener listens, and the other addresses its host name resolves to, which it does not.
struct ResolvedListener {
  tcp::endpoint endpoint;
  std::vector<asio::ip::address> unused;
};

// The host itself when it is an address; 127.0.0.1 for localhost, whatever the resolver says
// (RFC 6761 §6.3: a hosts file that maps it elsewhere would put an admin listener, allowed on
// localhost as loopback, on that address); otherwise the first address the name resolves to.
Result<ResolvedListener> Resolve(const config::Config& config, const config::Endpoint& endpoint,
                                 ListenerKeys keys) {
  beast::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) return ResolvedListener{tcp::endpoint(address, endpoint.port), {}};
  if (EqualsIgnoreCase(endpoint.host, "localhost")) {
    return ResolvedListener{tcp::endpoint(asio::ip::address_v4::loopback(), endpoint.port), {}};
  }
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port),
                                  tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return config::KeyError(config, keys.host,
                            fmt::format("cannot resolve '{}': {}", endpoint.host, ec.message()));
  }
  ResolvedListener resolved{results.begin()->endpoint(), {}};
  for (const auto& result : results) {
    const asio::ip::address other = result.endpoint().address();
    if (other != resolved.endpoint.address() &&
        std::find(resolved.unused.begin(), resolved.unused.end(), other) == resolved.unused.end()) {
      resolved.unused.push_back(other);
    }
  }
  return resolved;
}

// What a listener whose host name has more addresses than the one it listens on says about the
// others, or "": a client that connects to one of them is refused.
std::string UnusedAddressesNote(const ListenerSpec& spec, const ResolvedListener& resolved) {
  if (resolved.unused.empty()) return "";
  std::vector<std::string> others;
  for (const auto& address : resolved.unused) others.push_back(address.to_string());
  return fmt::format(
      "'{}' resolves to {} as well as {}, and callgate listens on {} only: set the address to "
      "listen on ('::' for every address)",
      spec.endpoint.host, fmt::join(others, ", "), resolved.endpoint.address().to_string(),
      resolved.endpoint.address().to_string());
}

std::string UrlOf(bool tls, const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return fmt::format("{}://{}:{}", tls ? "https" : "http", host, endpoint.port());
}

// One per CPU the process may run on. More threads than CPUs serve no more requests on a
// machine of their own (measured: 1 and 2 threads on one dedicated core within 2%); they only
// take a larger share of the CPU from other busy processes on the same cores
// (docs/performance.md).
unsigned DefaultWorkerThreads() {
  std::size_t cpus = AllowedCpus().size();
  if (cpus == 0) cpus = std::thread::hardware_concurrency();
  return static_cast<unsigned>(std::clamp<std::size_t>(cpus, 1, 256));
}

// Decrements the open-connection gauges when a connection coroutine ends, however it ends.
struct OpenConnection {
  Metrics& metrics;
  Worker& worker;
  ConnectionBudget& budget;
  ~OpenConnection() {
    metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
    worker.connections.fetch_sub(1, std::memory_order_relaxed);
    budget.open.fetch_sub(1, std::memory_order_relaxed);
  }
};

// A connection's slot, in its worker's registry for as long as this lives. Declare it right after
// the stream that `close` closes: it then leaves the registry before that stream is destroyed,
// so that no sweep or shutdown can close a stream that is gone.
class RegisteredSlot {
 public:
  // `stream`: a PlainStream or the TcpStream under a TlsStream.
  RegisteredSlot(ConnectionRegistry& registry, beast::tcp_stream& stream) : registry_(registry) {
    slot_.close = [&stream] { stream.close(); };
    slot_.cancel = [&stream] { stream.cancel(); };
    handle_ = registry_.Add(&slot_);
  }
  ~RegisteredSlot() { registry_.Remove(handle_); }
  RegisteredSlot(const RegisteredSlot&) = delete;
  RegisteredSlot& operator=(const RegisteredSlot&) = delete;

  ConnectionSlot& slot() { return slot_; }

 private:
  ConnectionRegistry& registry_;
  ConnectionSlot slot_;
  ConnectionRegistry::Handle handle_;
};

// How often a worker checks its connections' deadlines: a read or idle timeout of N seconds
// closes the connection between N and N + 0.25 seconds after it started waiting.
constexpr auto kDeadlineSweep = std::chrono::milliseconds(250);

// Runs on the worker's thread until its io_context stops, and tells `watch` each time it runs.
asio::awaitable<void> SweepDeadlines(Worker& worker, WorkerWatch& watch) {
  watch.Started(worker.index, static_cast<long>(::gettid()));
  asio::steady_timer timer(worker.ioc);
  for (;;) {
    timer.expires_after(kDeadlineSweep);
    auto [ec] = co_await timer.async_wait(kUse);
    if (ec) co_return;
    const auto now = ConnectionRegistry::Clock::now();
    watch.Ran(worker.index, now);
    worker.registry.CloseExpired(now);
  }
}

// How often the control thread looks for a reload that has run past its warning time: the
// warning comes up to this much after it.
constexpr auto kStuckReloadCheck = std::chrono::seconds(1);

// The daily check: what ExpiryWarnings says now of the certificates in force, with the "TLS: "
// of the start-up warnings.
std::vector<std::string> CertificateExpiryWarnings(const SecurityState& state) {
  if (!state.tls) return {};
  std::vector<std::string> warnings = state.tls->ExpiryWarnings(security::UnixNow());
  for (std::string& warning : warnings) warning.insert(0, "TLS: ");
  return warnings;
}

void NoteServerCertificate(const SecurityState& state, Metrics& metrics) {
  metrics.tls_certificate_not_after.store(state.tls ? state.tls->server_chain_not_after_unix() : 0,
                                          std::memory_order_relaxed);
}

}  // namespace

class Server::Impl {
 public:
  Impl(const config::Config& config, SnapshotStore& snapshots, const Logs& logs,
       std::shared_ptr<const SecurityState> security)
      : config_(config),
        logs_(logs),
        router_(RouterOptions{config.curri_paths, !config.clusters.empty()}, snapshots, metrics_,
                logs),
        env_{Limits(config),
             router_,
             logs_,
             metrics_,
             stopping_,
             security_generation_,
             [this](PeerContext& peer) { return Reauthorize(peer); }},
        security_(std::move(security)) {
    NoteServerCertificate(*security_.load(), metrics_);
    const unsigned threads =
        config.worker_threads > 0 ? config.worker_threads : DefaultWorkerThreads();
    const std::vector<int> cpus = config.pin_worker_threads ? AllowedCpus() : std::vector<int>();
    for (unsigned i = 0; i < threads; ++i) {
      workers_.push_back(std::make_unique<Worker>());
      workers_.back()->index = i;
      if (!cpus.empty()) workers_.back()->cpu = cpus[i % cpus.size()];
    }
  }

  Status Bind(const ListenerSpec& spec, const tcp::endpoint& address, bool tls);
  void CheckOpenFileLimit();
  void Run(const RunCallbacks& callbacks);
  void BeginStop();
  void StopReloads(const std::function<void()>& stopped);
  bool Reauthorize(PeerContext& peer) const;

  const config::Config config_;
  const Logs& logs_;
  Metrics metrics_;
  // Before workers_, like metrics_: a connection ended by the workers' destruction still counts
  // itself out.
  ConnectionBudget clients_{config_.max_connections};  // the CURRI listeners (main, http)
  ConnectionBudget admin_{kAdminMaxConnections};
  std::atomic<bool> stopping_{false};
  std::function<void()> stopping_callback_;  // RunCallbacks::stopping
  // A second stop signal came (on the control thread): wait for nothing any more.
  bool hurry_ = false;
  bool waiting_for_reload_ = false;  // StopReloads() is waiting (on the control thread)
  // Counts the security states published by reloads. A connection notes the count it was
  // accepted under, and is authorized again when it has moved on (Reauthorize()).
  std::atomic<std::uint64_t> security_generation_{0};
  // Until when a shutdown waits for connections still busy; a second stop signal moves it to
  // now. Only touched on control_.
  std::chrono::steady_clock::time_point drain_deadline_;
  Router router_;
  SessionEnv env_;
  std::atomic<std::shared_ptr<const SecurityState>> security_;
  ReloadThread reload_;
  // Whether each worker still runs (set in Run()). Declared before workers_, whose deadline
  // sweeps stamp it, and control_, whose WatchWorkers reads it: it outlives both.
  std::optional<WorkerWatch> watch_;
  // Declared before control_: the connections the workers serve were accepted on control_'s
  // listeners, so control_ (and the operations it still owns) is destroyed first.
  std::vector<std::unique_ptr<Worker>> workers_;
  asio::io_context control_{1};
  // Installed when the server is created, so a signal that arrives before Run() is queued
  // instead of killing the process.
  asio::signal_set signals_{control_, SIGINT, SIGTERM, SIGHUP};
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<BoundListener> bound_;
  std::uint64_t open_files_ = 0;  // the soft RLIMIT_NOFILE, once raised
  SpareDescriptor spare_;  // for closing connections while out of descriptors (descriptors.h)
  LogThrottle session_failure_log_{kRefusalLogInterval};    // sessions ended by an exception
  LogThrottle handshake_failure_log_{kRefusalLogInterval};  // failed TLS handshakes

 private:
  static SessionLimits Limits(const config::Config& config) {
    return SessionLimits{config.max_body_bytes, static_cast<std::uint32_t>(config.max_header_bytes),
                         std::chrono::seconds(config.read_timeout_seconds),
                         std::chrono::seconds(config.idle_timeout_seconds)};
  }

  asio::awaitable<void> AcceptLoop(Listener& listener);
  bool MayServe(const tcp::socket& socket, Listener& listener);
  void NoteGoneBeforeServed(const Listener& listener);
  enum class Shed { kClosed, kNoneWaiting, kNotClosed };
  Shed CloseOneWhileOutOfDescriptors(Listener& listener);
  asio::awaitable<void> AcceptFailed(Listener& listener, const beast::error_code& ec);
  Worker& ChooseWorkerFor(tcp::socket& socket);
  void PinWorkerThreads();
  asio::awaitable<void> Serve(tcp::socket socket, const Listener& listener, Worker& worker);
  void SessionEnded(const std::exception_ptr& failure);
  asio::awaitable<void> ServePlain(tcp::socket socket, PeerContext& peer,
                                   const SecurityState& state, ConnectionRegistry& registry);
  asio::awaitable<void> ServeTls(tcp::socket socket, PeerContext& peer, const SecurityState& state,
                                 ConnectionRegistry& registry);
  void NoteHandshakeFailure(const PeerContext& peer, const beast::error_code& ec, const SSL* ssl);
  void LogClientCertificate(const PeerContext& peer) const;
  template <class Stream>
  asio::awaitable<void> ServeStream(Stream& stream, PeerContext& peer, const SecurityState& state,
                                    ConnectionSlot& slot);
  asio::awaitable<void> WaitForDrain();
  asio::awaitable<void> WatchWorkers(std::function<void()> alive,
                                     std::chrono::microseconds watchdog);
  asio::awaitable<void> HandleSignals();
  void RequestReload();

  std::size_t next_worker_ = 0;
};

Status Server::Impl::Bind(const ListenerSpec& spec, const tcp::endpoint& address, bool tls) {
  beast::error_code ec;
  tcp::acceptor acceptor(control_);
  acceptor.open(address.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(address, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acceptor.non_blocking(true, ec);  // for CloseOneWhileOutOfDescriptors' accept
  if (ec) {
    // "Cannot assign requested address" is the host's fault (not one of this machine's
    // addresses); anything else, "Address already in use" first, is the port's.
    const bool host = ec == boost::system::errc::address_not_available;
    return config::KeyError(
        config_, host ? spec.keys.host : spec.keys.port,
        fmt::format("cannot listen on {}: {}", HostPort(spec.endpoint), WhyNotListening(ec)));
  }
  BoundListener info{spec.kind, tls, std::string(spec.name), UrlOf(tls, acceptor.local_endpoint())};
  bound_.push_back(info);
  ConnectionBudget& budget = spec.kind == ListenerKind::kAdmin ? admin_ : clients_;
  listeners_.push_back(
      std::make_unique<Listener>(info, std::move(acceptor), address.protocol(), budget));
  return OkStatus();
}

asio::awaitable<void> Server::Impl::AcceptLoop(Listener& listener) {
  for (;;) {
    auto [ec, accepted] = co_await listener.acceptor.async_accept(kUse);
    if (stopping_) co_return;
    if (ec) {
      co_await AcceptFailed(listener, ec);
      continue;
    }
    if (listener.info.kind == ListenerKind::kMain && !MayServe(accepted, listener)) continue;
    ConnectionBudget& budget = listener.budget;
    if (budget.open.load(std::memory_order_relaxed) >= budget.limit) {
      Metrics::Add(metrics_.connections_rejected);
      if (auto held_back = listener.full_log.Admit(std::chrono::steady_clock::now())) {
        logs_.app->warn(
            "{}: closing new connections{}",
            listener.info.kind == ListenerKind::kAdmin
                ? fmt::format("the admin listener's {} connections are all open", budget.limit)
                : fmt::format("max_connections ({}) reached", budget.limit),
            listener.full_log.HeldBack(*held_back));
      }
      continue;  // the socket closes as it goes out of scope
    }
    // Accepted on the control thread; from here on the chosen worker's io_context owns it.
    Worker& worker = ChooseWorkerFor(accepted);
    const tcp::socket::native_handle_type handle = accepted.release(ec);
    if (ec) continue;
    tcp::socket socket(worker.ioc);
    if (socket.assign(listener.protocol, handle, ec); ec) {
      ::close(handle);
      continue;
    }
    metrics_.connections_open.fetch_add(1, std::memory_order_relaxed);
    worker.connections.fetch_add(1, std::memory_order_relaxed);
    budget.open.fetch_add(1, std::memory_order_relaxed);
    Metrics::Add(metrics_.connections_accepted);
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(worker.ioc, Serve(std::move(socket), listener, worker),
                   [this](const std::exception_ptr& failure) { SessionEnded(failure); });
  }
}

// A session that throws has a bug behind it: its connection is closed (the coroutine's frame is
// unwound) and said so, not dropped without a word, as asio::detached would.
void Server::Impl::SessionEnded(const std::exception_ptr& failure) {
  if (!failure) return;
  if (auto held_back = session_failure_log_.Admit(LogThrottle::Clock::now())) {
    logs_.app->error("A connection was closed by an internal error, please report it: {}{}",
                     logs_.Text(ExceptionText(failure)), session_failure_log_.HeldBack(*held_back));
  }
}

// Out of descriptors, the connection accept() could not take is closed with the spare's
// descriptor, so that its client is not left waiting for an answer that cannot come. Linux's
// accept() fails for lack of a descriptor before it looks at the queue, so the failure repeats
// with no connection waiting: then the loop waits for the next one. Any other failure (or no
// spare to hand) is a pause before the next try, instead of a spin.
asio::awaitable<void> Server::Impl::AcceptFailed(Listener& listener, const beast::error_code& ec) {
  const bool out_of_descriptors =
      ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system;
  const Shed shed = out_of_descriptors ? CloseOneWhileOutOfDescriptors(listener) : Shed::kNotClosed;
  if (shed == Shed::kNoneWaiting) {
    co_await listener.acceptor.async_wait(tcp::acceptor::wait_read, kUse);
    co_return;
  }
  if (shed == Shed::kClosed) Metrics::Add(metrics_.connections_rejected);
  if (auto held_back = listener.accept_error_log.Admit(std::chrono::steady_clock::now())) {
    if (out_of_descriptors) {
      logs_.app->error(
          "accept on {} failed: {} (the limit is {}): {}; raise the open-file limit (systemd "
          "LimitNOFILE=) or lower max_connections{}",
          listener.info.url, ec.message(), open_files_,
          shed == Shed::kClosed ? "closing new connections" : "new connections wait",
          listener.accept_error_log.HeldBack(*held_back));
    } else {
      logs_.app->error("accept on {} failed: {}{}", listener.info.url, ec.message(),
                       listener.accept_error_log.HeldBack(*held_back));
    }
  }
  if (shed == Shed::kClosed) co_return;
  asio::steady_timer pause(control_, std::chrono::milliseconds(100));
  co_await pause.async_wait(kUse);
}

// Frees the spare descriptor, accepts the connection waiting on `listener` and closes it, then
// takes the spare back. kNotClosed: no spare to free, or accept() failed all the same.
Server::Impl::Shed Server::Impl::CloseOneWhileOutOfDescriptors(Listener& listener) {
  if (!spare_.held()) spare_.Retake();  // a descriptor may have been freed since
  if (!spare_.held()) return Shed::kNotClosed;
  spare_.Release();
  beast::error_code ec;
  {
    tcp::socket dropped(control_);          // closed at the end of this scope
    listener.acceptor.accept(dropped, ec);  // non-blocking (Bind): would_block when none waits
  }
  spare_.Retake();
  if (ec == asio::error::would_block) return Shed::kNoneWaiting;
  return ec ? Shed::kNotClosed : Shed::kClosed;
}

// False for a peer that can never be served on the main listener: clusters are defined and no
// cluster's allowed_ips holds its address. Such a connection is closed as it is accepted,
// before a TLS handshake and without taking a connection slot, so that hosts which are not
// call managers cannot use up max_connections. Loopback peers are kept: /health answers them.
bool Server::Impl::MayServe(const tcp::socket& socket, Listener& listener) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) {
    NoteGoneBeforeServed(listener);
    return false;
  }
  const IpAddress address = AddressOf(remote);
  if (address.is_loopback() || security_.load()->authorizer->MayAllow(address)) return true;
  Metrics::Add(metrics_.connections_not_allowed);
  if (auto held_back = listener.not_allowed_log.Admit(std::chrono::steady_clock::now())) {
    logs_.app->warn(
        "Closed a connection from {} as it was accepted: no cluster's allowed_ips "
        "holds the address{}",
        logs_.Pii(address.ToString()), listener.not_allowed_log.HeldBack(*held_back));
  }
  return false;
}

// A peer gone before its connection could be served (many load balancers end their TCP check
// with a reset right after the connect) is counted as one that closed does: accepted, and on a
// TLS listener closed before its ClientHello.
void Server::Impl::NoteGoneBeforeServed(const Listener& listener) {
  Metrics::Add(metrics_.connections_accepted);
  if (listener.info.tls) Metrics::Add(metrics_.tls_closed_before_hello);
}

Worker& Server::Impl::ChooseWorkerFor(tcp::socket& socket) {
  std::vector<WorkerLoad> loads;
  loads.reserve(workers_.size());
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    loads.push_back({workers_[i]->cpu, workers_[i]->connections.load(std::memory_order_relaxed),
                     watch_ && watch_->stalled(i)});
  }
  const int incoming = config_.pin_worker_threads ? IncomingCpu(socket) : -1;
  return *workers_[ChooseWorker(loads, incoming, next_worker_++)];
}

// Runs each worker thread on its CPU only. A thread that cannot be pinned keeps running
// wherever the system puts it, with a warning.
void Server::Impl::PinWorkerThreads() {
  for (auto& worker : workers_) {
    if (worker->cpu < 0) continue;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(worker->cpu, &set);
    const int error = pthread_setaffinity_np(worker->thread.native_handle(), sizeof set, &set);
    if (error != 0) {
      logs_.app->warn("pin_worker_threads: cannot pin a worker thread to CPU {}: {}", worker->cpu,
                      std::generic_category().message(error));
      worker->cpu = -1;
    }
  }
}

template <class Stream>
asio::awaitable<void> Server::Impl::ServeStream(Stream& stream, PeerContext& peer,
                                                const SecurityState& state, ConnectionSlot& slot) {
  if (peer.listener == ListenerKind::kMain && state.authorizer->enabled()) {
    peer.auth = state.authorizer->Authorize(peer.identity);
    if (logs_.app->should_log(spdlog::level::debug)) {
      for (const auto& verdict : peer.auth->verdicts) {
        logs_.app->debug("cluster '{}': {}{}", verdict.cluster,
                         verdict.matched ? "matched" : "not matched: ", verdict.why);
      }
    }
  }
  co_await ServeHttp(stream, peer, env_, slot);
}

asio::awaitable<void> Server::Impl::Serve(tcp::socket socket, const Listener& listener,
                                          Worker& worker) {
  OpenConnection open{metrics_, worker, listener.budget};
  const BoundListener& info = listener.info;
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) {  // counted as accepted already
    if (info.tls) Metrics::Add(metrics_.tls_closed_before_hello);
    co_return;
  }
  PeerContext peer;
  peer.listener = info.kind;
  peer.identity.address = AddressOf(remote);
  peer.address = peer.identity.address.ToString();  // ::ffff:10.1.1.10 logs as 10.1.1.10
  // The count before the state: a reload in between leaves an older count, which only means one
  // needless Reauthorize(), never a missed one.
  peer.security_generation = security_generation_.load(std::memory_order_acquire);
  const std::shared_ptr<const SecurityState> state = security_.load();
  if (info.tls) {
    co_await ServeTls(std::move(socket), peer, *state, worker.registry);
  } else {
    co_await ServePlain(std::move(socket), peer, *state, worker.registry);
  }
}

asio::awaitable<void> Server::Impl::ServePlain(tcp::socket socket, PeerContext& peer,
                                               const SecurityState& state,
                                               ConnectionRegistry& registry) {
  PlainStream stream(std::move(socket));
  RegisteredSlot registered(registry, stream);
  peer.identity = security::IdentifyPeer(peer.identity.address, nullptr);
  co_await ServeStream(stream, peer, state, registered.slot());
  co_await LingeringClose(stream.socket(), registered.slot());
}

asio::awaitable<void> Server::Impl::ServeTls(tcp::socket socket, PeerContext& peer,
                                             const SecurityState& state,
                                             ConnectionRegistry& registry) {
  TlsStream stream(std::move(socket), *state.asio_tls);
  RegisteredSlot registered(registry, beast::get_lowest_layer(stream));
  beast::get_lowest_layer(stream).expires_after(env_.limits.read_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kUse);
  if (ec) {
    NoteHandshakeFailure(peer, ec, stream.native_handle());
    co_return;
  }
  beast::get_lowest_layer(stream).expires_never();  // from here on, the slot's deadlines apply
  peer.identity = security::IdentifyPeer(peer.identity.address, stream.native_handle());
  LogClientCertificate(peer);
  co_await ServeStream(stream, peer, state, registered.slot());
  if (beast::get_lowest_layer(stream).socket().is_open()) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    co_await stream.async_shutdown(kUse);
    co_await LingeringClose(beast::get_lowest_layer(stream).socket(), registered.slot());
  }
}

// A client that connects and closes, or resets, without a ClientHello (a load balancer's TCP
// check, a port scan) is routine: it has a counter of its own, so that tls_handshake_failures
// counts clients that tried TLS, and a DEBUG line that says what it is, not OpenSSL's "stream
// truncated" at INFO.
void Server::Impl::NoteHandshakeFailure(const PeerContext& peer, const beast::error_code& ec,
                                        const SSL* ssl) {
  // A shutdown cancels handshakes in progress (ConnectionRegistry::CloseIdle): not the client's
  // failure.
  if (ec == asio::error::operation_aborted && stopping_.load(std::memory_order_relaxed)) return;
  const bool closed = ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
                      ec == asio::error::connection_reset;
  if (closed && security::NoClientHello(ssl)) {
    Metrics::Add(metrics_.tls_closed_before_hello);
    logs_.app->debug(
        "TLS connection from {} closed before its ClientHello: not a TLS client (a TCP health "
        "check or port scan?)",
        logs_.Pii(peer.address));
    return;
  }
  Metrics::Add(metrics_.tls_handshake_failures);
  const unsigned long openssl_error =
      ec.category() == asio::error::get_ssl_category() ? static_cast<unsigned long>(ec.value()) : 0;
  // Any client let through allowed_ips can fail handshakes as fast as it reconnects (one with a
  // certificate no longer trusted, in a tight loop, made 28,000 lines in 15 s): one line per
  // interval, with the number held back; at DEBUG, for troubleshooting, every one.
  std::string held_back;
  if (!logs_.app->should_log(spdlog::level::debug)) {
    const auto count = handshake_failure_log_.Admit(LogThrottle::Clock::now());
    if (!count) return;
    held_back = handshake_failure_log_.HeldBack(*count);
  }
  logs_.app->info("TLS handshake with {} failed: {}{}{}", logs_.Pii(peer.address), ec.message(),
                  security::ExplainHandshakeFailure(ssl, openssl_error, *logs_.masker), held_back);
}

// DEBUG: what the client presented, for certificate troubleshooting. Under obfuscate_pii its
// subject and names are masked as in the Denied line (a client that is refused may present a
// person's certificate), and so is the issuer of one that issued itself. So is its serial: the
// trust-store lines and `callgate check` show a ca_file's certificates unmasked, a self-signed
// client certificate among them, and its serial would name the masked subject.
void Server::Impl::LogClientCertificate(const PeerContext& peer) const {
  if (!peer.identity.certificate || !logs_.app->should_log(spdlog::level::debug)) return;
  const auto& cert = *peer.identity.certificate;
  std::vector<std::string> sans;
  for (const auto& san : cert.sans) sans.push_back(fmt::format("{}", logs_.Pii(san)));
  const bool self_issued = cert.issuer == cert.subject;
  logs_.app->debug(
      "Client certificate from {}: subject={} issuer={} serial={} valid={}..{} sans=[{}]",
      logs_.Pii(peer.address), logs_.Pii(cert.subject),
      self_issued ? logs_.Pii(cert.issuer) : logs_.Text(cert.issuer), logs_.Pii(cert.serial),
      cert.not_before, cert.not_after, fmt::join(sans, ", "));
}

// A SIGHUP while a reload still runs waits for it, and says so: otherwise a reload stuck in a read
// that never returns (csv_file_path a FIFO no one writes, a network file system that does not
// answer) would swallow every later SIGHUP without a word. Only one that has run past the stuck
// reload's warning time is a warning, with the likely reasons: two SIGHUPs a few milliseconds
// apart (a script reloading after each file it replaces) are nothing to worry about.
void Server::Impl::RequestReload() {
  if (const auto since = metrics_.reloads.RunningSince()) {
    const auto running = ReloadStatus::Clock::now() - *since;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(running).count();
    if (running < kStuckReloadWarningAfter) {
      logs_.app->info(
          "SIGHUP: the reload started {} s ago is still running; this reload will follow it",
          seconds);
    } else {
      logs_.app->warn(
          "SIGHUP: the reload started {} s ago is still running ({}); this reload will follow it",
          seconds, kStuckReloadReasons);
    }
  } else if (reload_.Pending()) {
    // Two SIGHUPs held while callgate started arrive together: they make one reload.
    logs_.app->info("SIGHUP: a reload is about to start; this SIGHUP is carried out by it");
  } else {
    logs_.app->info("SIGHUP: reloading");
  }
  reload_.Request();
}

asio::awaitable<void> Server::Impl::HandleSignals() {
  for (;;) {
    auto [ec, signal] = co_await signals_.async_wait(kUse);
    if (ec) co_return;
    if (signal == SIGHUP) {
      if (!stopping_.load()) RequestReload();  // during a shutdown it would only delay the exit
      continue;
    }
    const char* name = signal == SIGINT ? "SIGINT" : "SIGTERM";
    if (stopping_.load()) {  // a second stop signal (or one after Stop()): do not wait any more
      hurry_ = true;
      if (waiting_for_reload_) {
        logs_.app->warn("{} again: not waiting for the reload in progress", name);
      } else {
        logs_.app->warn("{} again: closing the {} connection(s) still busy now", name,
                        metrics_.connections_open.load());
      }
      drain_deadline_ = std::chrono::steady_clock::now();
      co_return;
    }
    BeginStop();  // first: once the line below is out, every response says Connection: close
    logs_.app->info("{}: shutting down (send it again not to wait for requests in progress)", name);
    logs_.app->flush();
  }
}

// A connection accepted before the reload that published the state in force, authorized again by
// its authorizer: UCM keeps its connections for hours, and a CA taken out of a ca_file must end
// the connections it let in. The chain was verified against the old trust store, but that is
// enough: every cluster that checks certificates has a ca_file (config::CheckClusterChains), and
// its trust-anchor rule compares the chain's anchor with that file as it is now.
// A peer allowed before and refused now keeps its decision for the request in hand, which is a
// call waiting (a 403 would make UCM apply its failure treatment to it), and false says to close
// the connection after it: the peer's next connection faces the new files.
bool Server::Impl::Reauthorize(PeerContext& peer) const {
  peer.security_generation = security_generation_.load(std::memory_order_acquire);
  security::AuthDecision decision = security_.load()->authorizer->Authorize(peer.identity);
  if (peer.auth->allowed && !decision.allowed) {
    logs_.app->warn("After the reload, {}: closing its connection after the request in progress",
                    security::DescribeDenial(decision, peer.identity, *logs_.masker));
    return false;
  }
  peer.auth = std::move(decision);
  return true;
}

void Server::Impl::BeginStop() {
  if (stopping_.exchange(true)) return;
  beast::error_code ec;
  for (auto& listener : listeners_) listener->acceptor.close(ec);
  for (auto& worker : workers_) {
    asio::post(worker->ioc, [w = worker.get()] { w->registry.CloseIdle(); });
  }
  drain_deadline_ =
      std::chrono::steady_clock::now() + std::chrono::seconds(config_.shutdown_timeout_seconds);
  asio::co_spawn(control_, WaitForDrain(), asio::detached);
  if (stopping_callback_) stopping_callback_();  // once the stop is under way
}

// Looks at the workers every kWorkerCheckEvery and logs a worker that stalls and runs again;
// calls `alive` every half of `watchdog` while none is stalled. Both end as the stop begins: the
// workers are let go, and a WATCHDOG=1 during the stop would arm systemd's watchdog again, which
// a slow stop would then trip (TimeoutStopSec= is the stop's limit).
asio::awaitable<void> Server::Impl::WatchWorkers(std::function<void()> alive,
                                                 std::chrono::microseconds watchdog) {
  using Clock = std::chrono::steady_clock;
  const Clock::duration alive_every = WatchdogPingEvery(watchdog);
  asio::steady_timer timer(control_);
  auto next_check = Clock::now() + kWorkerCheckEvery;
  auto next_alive = Clock::now();
  while (!stopping_.load()) {
    const auto now = Clock::now();
    if (now >= next_check) {
      next_check = now + kWorkerCheckEvery;
      const auto lines = watch_->Check(now);
      metrics_.worker_threads_stalled.store(watch_->stalled_count(), std::memory_order_relaxed);
      metrics_.worker_thread_stalls.store(watch_->stalls(), std::memory_order_relaxed);
      for (const auto& line : lines) {
        logs_.app->log(line.error ? spdlog::level::err : spdlog::level::warn, "{}", line.text);
      }
    }
    // While a worker is stalled no ping is due, and the timer waits for the next check.
    const bool pinging = alive && !watch_->any_stalled();
    if (pinging && now >= next_alive) {
      alive();
      next_alive = now + alive_every;
    }
    timer.expires_at(pinging ? std::min(next_check, next_alive) : next_check);
    auto [ec] = co_await timer.async_wait(kUse);
    if (ec) co_return;
  }
}

asio::awaitable<void> Server::Impl::WaitForDrain() {
  const auto timeout_at = drain_deadline_;
  asio::steady_timer timer(control_);
  while (metrics_.connections_open.load() > 0 &&
         std::chrono::steady_clock::now() < drain_deadline_) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(kUse);
  }
  const auto left = metrics_.connections_open.load();
  if (left > 0 && drain_deadline_ == timeout_at) {
    logs_.app->warn(
        "shutdown: closing {} connection(s) still open after {} s (a request in progress, or a "
        "client that has not closed its side after its last response)",
        left, config_.shutdown_timeout_seconds);
  }
  for (auto& worker : workers_) {
    worker->guard.reset();
    worker->ioc.stop();  // not only the guard: the deadline sweep's timer always has work pending
  }
  control_.stop();
}

void Server::Impl::Run(const RunCallbacks& callbacks) {
  stopping_callback_ = callbacks.stopping;  // before anything can stop the server
  watch_.emplace(workers_.size(), WorkerWatch::Clock::now(),
                 callbacks.alive ? std::optional(callbacks.watchdog) : std::nullopt);
  for (auto& worker : workers_) {
    asio::co_spawn(worker->ioc, SweepDeadlines(*worker, *watch_), asio::detached);
    worker->thread = std::thread([w = worker.get()] { w->ioc.run(); });
    // "worker-1": as the log numbers it, for top -H, ps -L and a debugger.
    const std::string name = "worker-" + std::to_string(worker->index + 1);
    ::pthread_setname_np(worker->thread.native_handle(), name.substr(0, 15).c_str());
  }
  PinWorkerThreads();
  if (callbacks.ready) callbacks.ready();
  asio::co_spawn(control_, WatchWorkers(callbacks.alive, callbacks.watchdog), asio::detached);
  asio::co_spawn(control_, HandleSignals(), asio::detached);
  for (auto& listener : listeners_) asio::co_spawn(control_, AcceptLoop(*listener), asio::detached);
  if (config_.insecure_mode) {
    asio::co_spawn(
        control_,
        RemindEvery(
            std::chrono::hours(1), *logs_.app, [this] { return InsecureModeReminder(config_); },
            stopping_, UnhiddenWarningLevel(logs_)),
        asio::detached);
  }
  asio::co_spawn(control_,
                 RemindEvery(
                     std::chrono::hours(24), *logs_.app,
                     [this] { return CertificateExpiryWarnings(*security_.load()); }, stopping_),
                 asio::detached);
  // A reload stuck in a read is said without waiting for the next SIGHUP to find it.
  asio::co_spawn(control_,
                 RemindEvery(
                     kStuckReloadCheck, *logs_.app,
                     [this, warning = StuckReloadWarning(kStuckReloadWarningAfter)]() mutable {
                       return warning.Check(metrics_.reloads.RunningSince(),
                                            ReloadStatus::Clock::now());
                     },
                     stopping_),
                 asio::detached);
  control_.run();
  for (auto& worker : workers_) worker->thread.join();
  StopReloads(callbacks.stopped);
  if (callbacks.stopped) callbacks.stopped();
}

// Waits for a reload in progress up to shutdown_timeout_seconds, or until a further stop signal
// (the control context runs again between short waits, so its signal handler does). One that
// takes longer is most likely stuck in a read that will never return; the process then ends
// here, after `stopped`, since what the reload uses cannot be destroyed under it. The requests
// have all been answered by now.
void Server::Impl::StopReloads(const std::function<void()>& stopped) {
  if (reload_.StopWithin(std::chrono::milliseconds(0))) return;
  const std::chrono::seconds limit(config_.shutdown_timeout_seconds);
  if (hurry_) {
    logs_.app->warn("shutdown: exiting without waiting for the reload in progress");
  } else {
    logs_.app->warn(
        "shutdown: waiting up to {} s (shutdown_timeout_seconds) for the reload in progress; send "
        "the signal again not to wait",
        limit.count());
    logs_.app->flush();
  }
  waiting_for_reload_ = true;
  control_.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!hurry_ && std::chrono::steady_clock::now() < deadline) {
    if (reload_.StopWithin(std::chrono::milliseconds(50))) return;
    control_.poll();
  }
  if (!hurry_) {
    logs_.app->error(
        "A reload has not finished within shutdown_timeout_seconds ({} s): exiting without "
        "waiting for it (is a file it reads a FIFO, or on a network file system that does not "
        "answer?)",
        limit.count());
  }
  if (stopped) stopped();
  logs_.app->flush();
  if (logs_.access) logs_.access->flush();
  std::_Exit(0);
}

namespace {

// The address of each of `specs` in turn, once each resolves and no two overlap.
Result<std::vector<ResolvedListener>> ResolveAll(const config::Config& config,
                                                 const std::vector<ListenerSpec>& specs) {
  std::vector<ResolvedListener> endpoints;
  for (const ListenerSpec& spec : specs) {
    auto listener = Resolve(config, spec.endpoint, spec.keys);
    if (!listener) return listener.error();
    const tcp::endpoint* resolved = &listener->endpoint;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
      if (!Overlap(endpoints[i].endpoint, *resolved)) continue;
      // Blame the key the file set: with flask_port: 5001, the admin listener's default.
      const bool set_here = config.key_lines.contains(spec.keys.port);
      return config::KeyError(
          config, set_here ? spec.keys.port : specs[i].keys.port,
          fmt::format("{} and {} both ask for port {} ({} and {}): give each listener a port of "
                      "its own",
                      config.KeyAsWritten(specs[i].keys.port), config.KeyAsWritten(spec.keys.port),
                      resolved->port(), specs[i].endpoint.host, spec.endpoint.host));
    }
    endpoints.push_back(std::move(listener).value());
  }
  return endpoints;
}

}  // namespace

// Whether a socket can be bound to `address` on a port of the system's choosing: not if the
// address is not one of this machine's, or its family is disabled. Takes no port a running
// server may hold.
beast::error_code TryBindAnyPort(const asio::ip::address& address) {
  asio::io_context ioc;
  tcp::acceptor probe(ioc);
  beast::error_code ec;
  probe.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) probe.bind(tcp::endpoint(address, 0), ec);
  return ec;
}

Result<CheckedListeners> CheckListeners(const config::Config& config) {
  const std::vector<ListenerSpec> specs = ListenersOf(config);
  auto endpoints = ResolveAll(config, specs);
  if (!endpoints) return endpoints.error();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (const auto ec = TryBindAnyPort((*endpoints)[i].endpoint.address())) {
      return config::KeyError(
          config, specs[i].keys.host,
          fmt::format("cannot listen on {}: {}", HostPort(specs[i].endpoint), WhyNotListening(ec)));
    }
  }
  CheckedListeners checked;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ListenerSpec& spec = specs[i];
    checked.listeners.push_back(fmt::format("{} ({})", HostPort(spec.endpoint), spec.name));
    if (std::string note = UnusedAddressesNote(spec, (*endpoints)[i]); !note.empty()) {
      checked.warnings.push_back(config::KeyError(config, spec.keys.host, std::move(note)));
    }
  }
  return checked;
}

std::optional<std::string> OpenFileLimitWarning(const config::Config& config,
                                                std::uint64_t open_files) {
  const bool admin = config.admin_listen.enabled();
  const std::uint64_t connections =
      static_cast<std::uint64_t>(config.max_connections) + (admin ? kAdminMaxConnections : 0);
  const unsigned workers =
      config.worker_threads > 0 ? config.worker_threads : DefaultWorkerThreads();
  const std::uint64_t needed = DescriptorsNeeded(connections, workers);
  if (open_files >= needed) return std::nullopt;
  return fmt::format(
      "callgate may open only {} files (its hard limit; systemd LimitNOFILE=, ulimit -Hn), but "
      "serving max_connections ({}){} takes about {}: connections beyond the limit are closed as "
      "they are accepted; raise the limit or lower max_connections",
      open_files, config.max_connections,
      admin ? fmt::format(" and the admin listener's {}", kAdminMaxConnections) : "", needed);
}

// Raises the open-file limit to the hard limit and warns when the connections the configuration
// allows could still run out of descriptors (descriptors.h).
void Server::Impl::CheckOpenFileLimit() {
  open_files_ = RaiseOpenFileLimit();
  if (auto warning = OpenFileLimitWarning(config_, open_files_)) logs_.app->warn("{}", *warning);
}

Result<std::unique_ptr<Server>> Server::Create(const config::Config& config,
                                               SnapshotStore& snapshots, const Logs& logs,
                                               std::shared_ptr<const SecurityState> security) {
  const bool tls = security->tls != nullptr;
  auto impl = std::make_unique<Impl>(config, snapshots, logs, std::move(security));
  impl->CheckOpenFileLimit();
  const std::vector<ListenerSpec> specs = ListenersOf(config);
  auto endpoints = ResolveAll(config, specs);
  if (!endpoints) return endpoints.error();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const ResolvedListener& resolved = (*endpoints)[i];
    if (Status status = impl->Bind(specs[i], resolved.endpoint, tls && !specs[i].plain_only);
        !status) {
      return status.error();
    }
    if (std::string note = UnusedAddressesNote(specs[i], resolved); !note.empty()) {
      logs.app->warn("{}", config::KeyError(config, specs[i].keys.host, note).ToString());
    }
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

const std::vector<BoundListener>& Server::listeners() const { return impl_->bound_; }
unsigned Server::worker_threads() const { return static_cast<unsigned>(impl_->workers_.size()); }
std::vector<int> Server::worker_cpus() const {
  std::vector<int> cpus;
  for (const auto& worker : impl_->workers_) {
    if (worker->cpu >= 0) cpus.push_back(worker->cpu);
  }
  return cpus;
}
Metrics& Server::metrics() { return impl_->metrics_; }
void Server::SetReloadHandler(std::function<void()> handler) {
  impl_->reload_.SetHandler([impl = impl_.get(), handler = std::move(handler)] {
    RunReload(impl->metrics_.reloads, handler, [impl](std::string_view what) {
      impl->logs_.app->error(
          "Reload stopped by an internal error, please report it: {}. Whatever it had not yet "
          "replaced (phone directory, TLS files) stays in service",
          impl->logs_.Text(what));
    });
  });
}
void Server::PublishSecurity(std::shared_ptr<const SecurityState> state) {
  NoteServerCertificate(*state, impl_->metrics_);
  impl_->security_.store(std::move(state));
  impl_->security_generation_.fetch_add(1, std::memory_order_release);
}
void Server::Run(const RunCallbacks& callbacks) { impl_->Run(callbacks); }
void Server::Stop() {
  asio::post(impl_->control_, [impl = impl_.get()] { impl->BeginStop(); });
}

}  // namespace callgate::server
