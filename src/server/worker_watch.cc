#include "server/worker_watch.h"

#include <fmt/format.h>

namespace callgate::server {
namespace {

// Whole seconds, rounded down: "has not run for 2 s".
long long Seconds(WorkerWatch::Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace

WorkerWatch::WorkerWatch(std::size_t workers, Clock::time_point now, bool watchdog)
    : last_run_(workers), stalled_(workers, false), stalled_from_(workers), watchdog_(watchdog) {
  for (auto& last : last_run_)
    last.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

void WorkerWatch::Ran(std::size_t worker, Clock::time_point now) {
  last_run_[worker].store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

std::vector<WorkerWatch::Line> WorkerWatch::Check(Clock::time_point now) {
  std::vector<Line> lines;
  const bool held = last_check_ && now - *last_check_ >= kWorkerStalledAfter;
  last_check_ = now;
  if (held) return lines;
  for (std::size_t i = 0; i < last_run_.size(); ++i) {
    const Clock::time_point last{Clock::duration(last_run_[i].load(std::memory_order_relaxed))};
    const bool stalled = now - last >= kWorkerStalledAfter;
    if (stalled == stalled_[i]) continue;
    stalled_[i] = stalled;
    if (stalled) {
      ++stalled_count_;
      stalled_from_[i] = last;
      lines.push_back(
          {true, fmt::format("Worker thread {} of {} has not run for {} s: the calls on its "
                             "connections wait (a log write to a file system that does not "
                             "answer, or a fault in callgate){}",
                             i + 1, last_run_.size(), Seconds(now - last),
                             watchdog_ ? "; systemd's watchdog is no longer told that callgate is "
                                         "alive, and restarts it after WatchdogSec"
                                       : "")});
    } else {
      --stalled_count_;
      lines.push_back({false, fmt::format("Worker thread {} of {} runs again, after {} s", i + 1,
                                          last_run_.size(), Seconds(last - stalled_from_[i]))});
    }
  }
  return lines;
}

}  // namespace callgate::server
