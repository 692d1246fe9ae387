// Scheduler: hands out the requests of one run to the connections, in closed loop (as fast as
// the server answers) or open loop (a fixed total rate). Decides which requests are measured
// (after the warm-up, inside the duration or the first N) and when the run ends.
// Thread-safe: every connection of every thread calls Next() concurrently (one atomic add).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace callgate::loadgen {

using Clock = std::chrono::steady_clock;

// One request to send: when (open loop: the scheduled time, from which latency is measured;
// closed loop: the time it was handed out) and whether it counts.
struct Ticket {
  Clock::time_point scheduled;
  bool measured = false;
};

struct SchedulePlan {
  Clock::time_point start;  // load begins (warm-up first)
  std::chrono::nanoseconds warmup{0};
  std::chrono::nanoseconds duration{0};  // measured period; ignored when requests > 0
  std::uint64_t requests = 0;            // measured request count (0: use duration)
  double rate = 0;                       // total requests/s; 0: closed loop
};

class Scheduler {
 public:
  explicit Scheduler(const SchedulePlan& plan);

  // The next request, or nullopt when the run is over (or Stop() was called). Open loop:
  // request i is scheduled at start + i / rate, whichever connection asks for it.
  std::optional<Ticket> Next();

  // Ends the run early (Ctrl-C): Next() returns nullopt from now on. Async-signal-unsafe; call
  // it from a normal thread.
  void Stop() { stopped_.store(true, std::memory_order_relaxed); }

  Clock::time_point measure_start() const { return measure_start_; }
  Clock::time_point measure_end() const { return measure_end_; }  // meaningless with -n
  bool open_loop() const { return plan_.rate > 0; }

 private:
  std::optional<Ticket> NextOpen();
  std::optional<Ticket> NextClosed();

  SchedulePlan plan_;
  Clock::time_point measure_start_;
  Clock::time_point measure_end_;
  std::uint64_t warmup_requests_ = 0;  // open loop: requests scheduled during the warm-up
  std::atomic<std::uint64_t> next_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace callgate::loadgen
