#include "server/metrics.h"

#include <fmt/format.h>

#include "security/certificates.h"

namespace callgate::server {

std::string Metrics::ToJsonFields(std::int64_t now_unix,
                                  ReloadStatus::Clock::time_point now) const {
  auto get = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };
  std::string fields = fmt::format(
      "\"connections_open\":{},\"connections_accepted\":{},\"connections_rejected\":{},"
      "\"connections_not_allowed\":{},"
      "\"tls_handshake_failures\":{},\"tls_closed_before_hello\":{},\"requests\":{},\"curri_"
      "requests\":{},\"names_exact\":{},"
      "\"names_prefix\":{},\"names_not_found\":{},\"curri_unusable\":{},\"forbidden\":{},"
      "\"body_too_large\":{},\"header_too_large\":{},\"bad_requests\":{},\"read_timeouts\":{},"
      "\"write_timeouts\":{},\"worker_threads_stalled\":{},\"worker_thread_stalls\":{},{}",
      get(connections_open), get(connections_accepted), get(connections_rejected),
      get(connections_not_allowed), get(tls_handshake_failures), get(tls_closed_before_hello),
      get(requests), get(curri_requests), get(names_exact), get(names_prefix), get(names_not_found),
      get(curri_unusable), get(forbidden), get(body_too_large), get(header_too_large),
      get(bad_requests), get(read_timeouts), get(write_timeouts), get(worker_threads_stalled),
      get(worker_thread_stalls), reloads.ToJsonFields(now));
  if (const std::int64_t not_after = get(tls_certificate_not_after); not_after != 0) {
    fields +=
        fmt::format(",\"tls_certificate_days_left\":{}", security::DaysUntil(not_after, now_unix));
  }
  return fields;
}

}  // namespace callgate::server
