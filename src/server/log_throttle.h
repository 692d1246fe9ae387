// LogThrottle: at most one log line per interval for an event any client can repeat at will (a
// connection closed as it is accepted), so that one client cannot flood the log and rotate the
// history away. The first event is logged at once; later ones within the interval are counted,
// and the count goes out with the next line that is logged. Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

namespace callgate::server {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // For an event at `now`: nullopt when it is not to be logged, else how many events were held
  // back since the last one logged.
  std::optional<std::uint64_t> Admit(Clock::time_point now) {
    if (logged_ && now - last_logged_ < interval_) {
      ++held_back_;
      return std::nullopt;
    }
    logged_ = true;
    last_logged_ = now;
    return std::exchange(held_back_, 0);
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_logged_{};
  bool logged_ = false;
  std::uint64_t held_back_ = 0;
};

}  // namespace callgate::server
