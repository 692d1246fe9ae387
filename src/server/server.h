// Server: the I/O shell. Binds the listeners named in the configuration, runs one io_context per
// worker thread, hands each accepted connection to a worker (ChooseWorker: the least loaded,
// preferring one pinned to the CPU that received the connection), and serves it with
// ServeHttp() until the connection or the server ends.
//
// Signals (handled inside Run()): SIGTERM/SIGINT stop accepting, close idle connections, let
// in-flight requests finish (up to shutdown_timeout_seconds, or until a second SIGTERM/SIGINT)
// and return; SIGHUP calls the reload handler on a separate thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "server/logs.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/security_state.h"
#include "server/snapshot_store.h"

namespace callgate::server {

struct BoundListener {
  ListenerKind kind;
  bool tls;
  std::string name;  // "main", "http", "admin"
  std::string url;   // e.g. "https://127.0.0.1:5000" with the real port when 0 was asked for
};

// Whether Server::Create() could bind the listeners `config` enables, short of binding them (for
// `callgate check`, which must not take the ports of a server that is already running): every
// host is an address or a name that resolves to one of this machine's addresses (tried with a
// bind to a port of the system's choosing), and no two listeners ask for the same port on
// overlapping addresses. The error names the file, line and key.
struct CheckedListeners {
  std::vector<std::string> listeners;  // each as "host:port (name)", the main one first
  // What Create() logs as warnings: a host name with more addresses than the one it listens on.
  std::vector<Error> warnings;
};
Result<CheckedListeners> CheckListeners(const config::Config& config);

// The warning serve logs at start-up when `open_files` descriptors are too few for the
// connections `config` allows (descriptors.h), or nullopt. `callgate check` passes the hard
// limit, which serve raises its own to.
std::optional<std::string> OpenFileLimitWarning(const config::Config& config,
                                                std::uint64_t open_files);

// How long a reload may run before a warning says it is still running: reading a directory of
// tens of millions of entries takes seconds, not tens of them.
inline constexpr std::chrono::seconds kStuckReloadWarningAfter{30};

class Server {
 public:
  // Binds every configured listener. Fails if one cannot be bound, naming the address and the
  // key that set it (the host's for an address this machine does not have, else the port's).
  static Result<std::unique_ptr<Server>> Create(const config::Config& config,
                                                SnapshotStore& snapshots, const Logs& logs,
                                                std::shared_ptr<const SecurityState> security);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const std::vector<BoundListener>& listeners() const;
  // worker_threads, or its default when the configuration says 0: one per CPU this process may
  // run on (its affinity mask, which taskset and cgroup cpusets set).
  unsigned worker_threads() const;
  // pin_worker_threads: the CPU of each worker thread that is pinned, in order; empty when none
  // is. Final once Run() has called its `ready` callback.
  std::vector<int> worker_cpus() const;
  Metrics& metrics();

  // Called (on a thread of its own, never concurrently with itself) for each SIGHUP; it reports
  // what it found to metrics().reloads (ReloadStatus::Finished), and the server notes when it
  // runs. A reload still running kStuckReloadWarningAfter after it started is warned about once,
  // with the likely reasons (checked every second). Call before Run().
  void SetReloadHandler(std::function<void()> handler);

  // Connections accepted from now on use `state`; open ones keep their TLS context but are
  // authorized again by state's authorizer before their next request.
  void PublishSecurity(std::shared_ptr<const SecurityState> state);

  // What Run() calls, each once if set.
  struct RunCallbacks {
    // On the calling thread once the worker threads run, pinned when configured, and before the
    // first connection is accepted (the listeners queue connections until then).
    std::function<void()> ready;
    // On the server's control thread as the shutdown begins (a stop signal, or Stop()).
    std::function<void()> stopping;
    // On the calling thread once every request has been answered: before Run() returns or, when
    // a reload is stuck past shutdown_timeout_seconds, before the process ends without returning
    // (what the reload uses cannot be destroyed under it).
    std::function<void()> stopped;
    // systemd's watchdog (WATCHDOG=1): on the control thread every half of `watchdog` (but at
    // most every 10 ms, and at least every hour) from `ready` on, while every worker thread runs
    // (WorkerWatch), until the stop begins. Unset: never.
    std::function<void()> alive;
    std::chrono::microseconds watchdog;
  };

  // Serves until a stop signal or Stop(), then shuts down gracefully. Call once.
  void Run(const RunCallbacks& callbacks = {});

  // Asks Run() to shut down gracefully. Thread-safe, idempotent.
  void Stop();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callgate::server
