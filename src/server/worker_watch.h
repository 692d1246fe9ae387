// WorkerWatch: whether every worker thread still runs, for the log and for systemd's watchdog.
//
// A worker thread serves all its connections in turn, so one handler that does not return (a log
// write to a file system that stopped answering, a fault in callgate) holds up every call those
// connections carry, while the other workers, the listeners and /health may go on as if nothing
// were wrong. Each worker's deadline sweep, four times a second, stamps its slot here; the control
// thread checks the stamps once a second (Server::Run). A worker not seen for kWorkerStalledAfter
// is logged as stalled, and again when it runs; while one is stalled, callgate stops telling
// systemd's watchdog that it is alive, so that the unit's WatchdogSec= restarts it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace callgate::server {

// Sixty-four missed sweeps: no request keeps a worker that long, and a loaded machine that has
// not run a thread for that long has a problem of its own worth a line in the log.
inline constexpr std::chrono::seconds kWorkerStalledAfter{2};
// How often the control thread calls Check().
inline constexpr std::chrono::seconds kWorkerCheckEvery{1};

// How often systemd's watchdog, whose timeout is `watchdog`, is told that callgate is alive: every
// half of it, but at most every 10 ms and at least every hour.
inline std::chrono::steady_clock::duration WatchdogPingEvery(std::chrono::microseconds watchdog) {
  return std::clamp<std::chrono::steady_clock::duration>(
      watchdog / 2, std::chrono::milliseconds(10), std::chrono::hours(1));
}

class WorkerWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `workers` worker threads, all seen at `now`. `watchdog`: the timeout of systemd's watchdog,
  // which is told that callgate is alive only while no worker is stalled (the lines say so);
  // nullopt without one.
  WorkerWatch(std::size_t workers, Clock::time_point now,
              std::optional<std::chrono::microseconds> watchdog);

  // On worker `worker`'s thread, first: its thread ID (gettid), for the lines.
  void Started(std::size_t worker, long thread_id);
  // On worker `worker`'s thread: it runs at `now`.
  void Ran(std::size_t worker, Clock::time_point now);

  // One caller (the control thread), every kWorkerCheckEvery. The lines to log for what changed
  // since the last Check: a worker now stalled (error), a stalled worker running again
  // (warning). A Check that comes half a second or more late judges nothing: the control thread
  // did not run either, so the whole process was held (a paused virtual machine, SIGSTOP), and
  // its workers may not have had their turn yet.
  struct Line {
    bool error;
    std::string text;
  };
  std::vector<Line> Check(Clock::time_point now);

  // How many workers were stalled at the last Check(), and how many stalls began in all.
  std::size_t stalled_count() const { return stalled_count_; }
  std::uint64_t stalls() const { return stalls_; }
  bool any_stalled() const { return stalled_count_ > 0; }
  // Whether worker `worker` was stalled at the last Check().
  bool stalled(std::size_t worker) const { return stalled_[worker]; }

 private:
  std::vector<std::atomic<Clock::rep>> last_run_;  // time_since_epoch().count()
  std::vector<std::atomic<long>> thread_ids_;
  std::vector<bool> stalled_;
  std::vector<Clock::time_point> stalled_from_;  // a stalled worker's last stamp before the stall
  std::size_t stalled_count_ = 0;
  std::uint64_t stalls_ = 0;
  std::optional<Clock::time_point> last_check_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace callgate::server
