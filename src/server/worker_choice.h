// Which worker thread serves a new connection. Pure: the server gathers the facts (each worker's
// CPU and open connections, the CPU that received the connection) and applies the answer.
#pragma once

#include <cstddef>
#include <span>

namespace callgate::server {

struct WorkerLoad {
  int cpu = -1;                 // the CPU the worker is pinned to; -1 when it is not pinned
  std::size_t connections = 0;  // connections it serves now
  bool stalled = false;         // stuck (WorkerWatch): its connections' calls would wait
};

// How many more connections than the least busy worker a worker may serve and still be given
// a connection for its CPU. Without a cap, a network card with a single receive queue would put
// every connection on one worker; with it, a burst of connections from one CPU (a client's
// thread opening its connections) still lands on that CPU's worker.
inline constexpr std::size_t kMaxSteeringImbalance = 8;

// The index of the worker for a connection that arrived on `incoming_cpu` (-1: unknown).
// The least busy worker pinned to `incoming_cpu`, unless it already serves
// kMaxSteeringImbalance more connections than the least busy worker of all; otherwise the least
// busy worker of all. Ties go round-robin: the first in order from `rotation` (modulo the
// number of workers). A stalled worker is chosen only when every worker is stalled: a call
// manager that gave up on a connection and opened another must not land on the same stuck
// thread. `workers` must not be empty.
std::size_t ChooseWorker(std::span<const WorkerLoad> workers, int incoming_cpu,
                         std::size_t rotation);

}  // namespace callgate::server
