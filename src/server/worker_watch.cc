#include "server/worker_watch.h"

#include <fmt/format.h>

namespace callgate::server {
namespace {

// Whole seconds, rounded down: "stuck for 2 s".
long long Seconds(WorkerWatch::Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

}  // namespace

WorkerWatch::WorkerWatch(std::size_t workers, Clock::time_point now,
                         std::optional<std::chrono::microseconds> watchdog)
    : last_run_(workers),
      thread_ids_(workers),
      stalled_(workers, false),
      stalled_from_(workers),
      watchdog_(watchdog) {
  for (auto& last : last_run_) {
    last.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }
}

void WorkerWatch::Started(std::size_t worker, long thread_id) {
  thread_ids_[worker].store(thread_id, std::memory_order_relaxed);
}

void WorkerWatch::Ran(std::size_t worker, Clock::time_point now) {
  last_run_[worker].store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

std::vector<WorkerWatch::Line> WorkerWatch::Check(Clock::time_point now) {
  std::vector<Line> lines;
  const bool held =
      last_check_ && now - *last_check_ >= kWorkerCheckEvery + std::chrono::milliseconds(500);
  last_check_ = now;
  if (held) return lines;
  for (std::size_t i = 0; i < last_run_.size(); ++i) {
    const Clock::time_point last{Clock::duration(last_run_[i].load(std::memory_order_relaxed))};
    const bool stalled = now - last >= kWorkerStalledAfter;
    if (stalled == stalled_[i]) continue;
    stalled_[i] = stalled;
    const std::string thread =
        fmt::format("Worker thread {} of {} (worker-{}, thread ID {})", i + 1, last_run_.size(),
                    i + 1, thread_ids_[i].load(std::memory_order_relaxed));
    if (stalled) {
      ++stalled_count_;
      ++stalls_;
      stalled_from_[i] = last;
      lines.push_back(
          {true,
           fmt::format("{} has been stuck for {} s: the calls on its connections wait (a log "
                       "write to a file system that does not answer, or a fault in callgate){}",
                       thread, Seconds(now - last),
                       watchdog_ ? fmt::format("; systemd's watchdog is no longer told that "
                                               "callgate is alive, and ends and restarts it within "
                                               "{:g} s unless the thread recovers",
                                               std::chrono::duration<double>(*watchdog_).count())
                                 : "")});
    } else {
      --stalled_count_;
      lines.push_back(
          {false, fmt::format("{} runs again after a {} s stall{}", thread,
                              Seconds(last - stalled_from_[i]),
                              watchdog_ && stalled_count_ == 0
                                  ? "; systemd's watchdog is told again that callgate is alive"
                                  : "")});
    }
  }
  return lines;
}

}  // namespace callgate::server
