// ReloadStatus: what /health says of reloads, for a monitor to alert on: how many worked and
// failed, whether the last one worked, whether the configuration file was one callgate would start
// with when the last reload read it, and how long the reload in progress has run. A failed reload
// keeps the old data in service, so none of this changes /health's status or its 200.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callgate::server {

class ReloadStatus {
 public:
  using Clock = std::chrono::steady_clock;
  // Every member is thread-safe. A mutex keeps what one reload found together: /health and the
  // once-a-second stuck-reload check are the only readers, the reload thread the only writer.

  // Around each run of the reload handler, on the reload thread (RunReload does this). Ended() is
  // for a handler that returns without Finished().
  void Started(Clock::time_point now);
  void Ended();

  // What the reload handler found, before it returns: `ok` when everything it reloaded took
  // effect (counted in reloads_ok, else in reloads_failed); `config_file_ok` when the
  // configuration file, as it read it, would have let callgate start. The reload counts as no
  // longer running from here: a reader never sees it counted and still running.
  void Finished(bool ok, bool config_file_ok);

  // A reload an exception stopped: failed, and no longer running. config_file_ok stays as the last
  // reload found it, as this one may not have read the file.
  void Aborted();

  // When the reload in progress started; nullopt when none runs.
  std::optional<Clock::time_point> RunningSince() const;

  // As a JSON object's fields (no braces): "\"reloads_ok\":2,\"reloads_failed\":1,
  // \"last_reload_ok\":true,\"config_file_ok\":false,\"reload_running_seconds\":0". The two
  // verdicts are null before the first reload has finished; reload_running_seconds is 0 when no
  // reload runs, else the whole seconds it has run by `now`. All from one moment: the counts
  // with the verdicts of the last reload they count.
  std::string ToJsonFields(Clock::time_point now) const;

 private:
  enum class Verdict : std::uint8_t { kUnknown, kNo, kYes };
  static const char* ToJson(Verdict verdict);

  mutable std::mutex mutex_;
  std::uint64_t ok_ = 0;
  std::uint64_t failed_ = 0;
  Verdict last_reload_ = Verdict::kUnknown;
  Verdict config_file_ = Verdict::kUnknown;
  std::optional<Clock::time_point> started_;  // of the running reload
};

// Runs one reload: `handler` between status.Started() and status.Ended(). An exception from the
// handler (out of memory outside the directory's tables, in practice) ends neither the reload
// thread nor the process: the reload is Aborted() and `report` gets the exception's text. What the
// handler had put in service by then stays in service, and so does what it had not yet replaced.
void RunReload(ReloadStatus& status, const std::function<void()>& handler,
               const std::function<void(std::string_view what)>& report);

// The likely reasons a reload runs on and on, for the warnings that say so.
inline constexpr std::string_view kStuckReloadReasons =
    "a file it reads may be a FIFO without a writer, or on a network file system that does not "
    "answer";

// Says once of each reload still running after `after` that it is. Not thread-safe: one caller
// (the control thread's periodic check).
class StuckReloadWarning {
 public:
  explicit StuckReloadWarning(ReloadStatus::Clock::duration after) : after_(after) {}

  // The warning to log now for the reload that started at `running_since` (nullopt: none runs):
  // one line the first time it is found running for `after` or more, else none.
  std::vector<std::string> Check(std::optional<ReloadStatus::Clock::time_point> running_since,
                                 ReloadStatus::Clock::time_point now);

 private:
  ReloadStatus::Clock::duration after_;
  std::optional<ReloadStatus::Clock::time_point> warned_;  // the start of the reload warned of
};

}  // namespace callgate::server
