#include "scheduler.h"

#include <algorithm>
#include <cmath>

namespace callgate::loadgen {

Scheduler::Scheduler(const SchedulePlan& plan)
    : plan_(plan),
      measure_start_(plan.start + plan.warmup),
      measure_end_(measure_start_ + plan.duration) {
  if (plan.rate > 0) {
    const double seconds = std::chrono::duration<double>(plan.warmup).count();
    warmup_requests_ = static_cast<std::uint64_t>(std::ceil(seconds * plan.rate));
  }
}

std::optional<Ticket> Scheduler::Next() {
  if (stopped_.load(std::memory_order_relaxed)) return std::nullopt;
  return open_loop() ? NextOpen() : NextClosed();
}

// The schedule is computed from the index, not accumulated, so it never drifts.
std::optional<Ticket> Scheduler::NextOpen() {
  const std::uint64_t i = next_.fetch_add(1, std::memory_order_relaxed);
  if (plan_.requests > 0 && i >= warmup_requests_ + plan_.requests) return std::nullopt;
  const auto offset = std::chrono::nanoseconds(
      static_cast<std::int64_t>(static_cast<double>(i) * 1e9 / plan_.rate));
  const Clock::time_point scheduled = plan_.start + offset;
  if (plan_.requests == 0 && scheduled >= measure_end_) return std::nullopt;
  const bool measured = plan_.requests > 0 ? i >= warmup_requests_ : scheduled >= measure_start_;
  return Ticket{scheduled, measured};
}

// Closed loop: time decides the warm-up; then either the clock or a claim counter ends it.
// Before the start a ticket is for the start: the connection waits for it, so that nothing is
// sent before the load begins (with --warmup 0, -n N then means N requests in all).
std::optional<Ticket> Scheduler::NextClosed() {
  const Clock::time_point now = std::max(Clock::now(), plan_.start);
  if (now < measure_start_) return Ticket{now, false};
  if (plan_.requests > 0) {
    if (next_.fetch_add(1, std::memory_order_relaxed) >= plan_.requests) return std::nullopt;
    return Ticket{now, true};
  }
  if (now >= measure_end_) return std::nullopt;
  return Ticket{now, true};
}

}  // namespace callgate::loadgen
