// Metrics: process-wide counters, updated lock-free from every I/O thread (the reloads', under
// ReloadStatus's mutex, from the reload thread) and read by /health.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "server/reload_status.h"

namespace callgate::server {

struct Metrics {
  using Counter = std::atomic<std::uint64_t>;

  Counter connections_accepted{0};
  Counter connections_rejected{0};     // over max_connections or the admin listener's limit
  Counter connections_not_allowed{0};  // closed at accept: no cluster's allowed_ips holds them
  std::atomic<std::int64_t> connections_open{0};
  Counter tls_handshake_failures{0};
  Counter tls_closed_before_hello{0};  // TLS connections closed before a ClientHello (TCP checks)
  Counter requests{0};
  Counter curri_requests{0};
  Counter names_exact{0};
  Counter names_prefix{0};
  Counter names_not_found{0};
  Counter curri_unusable{0};  // empty, malformed, DTD, no number, not a number: plain continue
  Counter forbidden{0};
  Counter body_too_large{0};
  Counter header_too_large{0};
  Counter bad_requests{0};
  Counter read_timeouts{0};   // a request not received within read_timeout
  Counter write_timeouts{0};  // a response the client did not read within read_timeout
  // A gauge: the worker threads stalled at the control thread's last look (WorkerWatch), and
  // the stalls seen since start-up.
  std::atomic<std::uint64_t> worker_threads_stalled{0};
  Counter worker_thread_stalls{0};
  ReloadStatus reloads;
  // The earliest notAfter of the server's certificate chain (the leaf and the intermediates
  // tls_cert_file sends) in seconds since 1970; 0 without TLS. /health shows it as
  // tls_certificate_days_left.
  std::atomic<std::int64_t> tls_certificate_not_after{0};

  static void Add(Counter& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

  // The counters as a JSON object body (no braces): "\"requests\":12,...", then the reloads'
  // (ReloadStatus, at `now`), and with TLS "tls_certificate_days_left": whole days from `now_unix`
  // to tls_certificate_not_after, negative once it has passed.
  std::string ToJsonFields(std::int64_t now_unix, ReloadStatus::Clock::time_point now) const;
};

}  // namespace callgate::server
