#include "server/metrics.h"

#include <fmt/format.h>

namespace callgate::server {

std::string Metrics::ToJsonFields() const {
  auto get = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };
  return fmt::format(
      "\"connections_open\":{},\"connections_accepted\":{},\"connections_rejected\":{},"
      "\"tls_handshake_failures\":{},\"requests\":{},\"curri_requests\":{},\"names_exact\":{},"
      "\"names_prefix\":{},\"names_not_found\":{},\"curri_unusable\":{},\"forbidden\":{},"
      "\"body_too_large\":{},\"header_too_large\":{},\"bad_requests\":{},\"read_timeouts\":{},"
      "\"reloads_ok\":{},\"reloads_failed\":{}",
      get(connections_open), get(connections_accepted), get(connections_rejected),
      get(tls_handshake_failures), get(requests), get(curri_requests), get(names_exact),
      get(names_prefix), get(names_not_found), get(curri_unusable), get(forbidden),
      get(body_too_large), get(header_too_large), get(bad_requests), get(read_timeouts),
      get(reloads_ok), get(reloads_failed));
}

}  // namespace callgate::server
