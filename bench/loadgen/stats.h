// RunStats: what one thread's connections observed during the measured period. Each I/O thread
// owns one (its connections run on that thread only, so no locking); main merges them at the end.
#pragma once

#include <algorithm>
#include <cstdint>

#include "histogram.h"
#include "scheduler.h"

namespace callgate::loadgen {

struct RunStats {
  LatencyHistogram latency;  // every measured response, whatever its status
  // Open loop: how late the client woke up for requests it had to wait for (its connection was
  // free before the scheduled time). Latency includes it; a large value means the load generator
  // itself was starved of CPU, not that the server was slow.
  LatencyHistogram client_lag;
  std::uint64_t ok = 0;                 // responses with the expected status
  std::uint64_t bad_status = 0;         // responses with another status
  std::uint64_t connect_errors = 0;     // TCP connect or TLS handshake failed
  std::uint64_t io_errors = 0;          // write/read failed or the server closed mid-request
  std::uint64_t timeouts = 0;           // an operation exceeded --timeout
  std::uint64_t unsent = 0;             // open loop: no connection was free within --timeout
  std::uint64_t bytes_in = 0;           // response bytes (headers and body)
  std::uint64_t bytes_out = 0;          // request bytes
  std::uint64_t connections = 0;        // connections established (handshakes) while measuring
  Clock::time_point last_completion{};  // of a measured request

  std::uint64_t errors() const {
    return bad_status + connect_errors + io_errors + timeouts + unsent;
  }
  std::uint64_t requests() const { return ok + errors(); }

  void Merge(const RunStats& other) {
    latency.Merge(other.latency);
    client_lag.Merge(other.client_lag);
    ok += other.ok;
    bad_status += other.bad_status;
    connect_errors += other.connect_errors;
    io_errors += other.io_errors;
    timeouts += other.timeouts;
    unsent += other.unsent;
    bytes_in += other.bytes_in;
    bytes_out += other.bytes_out;
    connections += other.connections;
    last_completion = std::max(last_completion, other.last_completion);
  }
};

}  // namespace callgate::loadgen
