// LogThrottle: at most one log line per interval for an event any client can repeat at will (a
// connection closed as it is accepted, a request that cannot be parsed), so that one client cannot
// flood the log and rotate the history away. The first event is logged at once; later ones
// within the interval are counted, and the count goes out with the next line that is logged.
// Thread-safe and lock-free: every I/O thread may share one. An event racing with the line being
// logged may be counted in that line or in the next; none is lost.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace callgate::server {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // For an event at `now`: nullopt when it is not to be logged, else how many events were held
  // back since the last one logged.
  std::optional<std::uint64_t> Admit(Clock::time_point now) {
    const Clock::rep at = now.time_since_epoch().count();
    Clock::rep next = next_.load(std::memory_order_relaxed);
    if (at < next ||
        !next_.compare_exchange_strong(next, at + interval_.count(), std::memory_order_relaxed)) {
      held_back_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    return held_back_.exchange(0, std::memory_order_relaxed);
  }

  // What ends the logged line: " (N more since the last such line, which is logged at most
  // every S s)", or nothing when none was held back.
  std::string HeldBack(std::uint64_t count) const {
    if (count == 0) return "";
    return fmt::format(" ({} more since the last such line, which is logged at most every {} s)",
                       count, std::chrono::duration_cast<std::chrono::seconds>(interval_).count());
  }

 private:
  const Clock::duration interval_;
  std::atomic<Clock::rep> next_{std::numeric_limits<Clock::rep>::min()};  // when one may log
  std::atomic<std::uint64_t> held_back_{0};
};

}  // namespace callgate::server
