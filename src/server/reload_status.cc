#include "server/reload_status.h"

#include <algorithm>

#include <fmt/format.h>

namespace callgate::server {

void ReloadStatus::Started(Clock::time_point now) {
  started_.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

void ReloadStatus::Ended() { started_.store(0, std::memory_order_relaxed); }

// The verdicts are stored before the count goes up, and read after it (ToJsonFields): a monitor
// that sees a reload counted sees what that reload found.
void ReloadStatus::Finished(bool ok, bool config_file_ok) {
  last_reload_.store(ok ? Verdict::kYes : Verdict::kNo, std::memory_order_relaxed);
  config_file_.store(config_file_ok ? Verdict::kYes : Verdict::kNo, std::memory_order_relaxed);
  (ok ? ok_ : failed_).fetch_add(1, std::memory_order_release);
}

std::optional<ReloadStatus::Clock::time_point> ReloadStatus::RunningSince() const {
  const Clock::rep started = started_.load(std::memory_order_relaxed);
  if (started == 0) return std::nullopt;
  return Clock::time_point(Clock::duration(started));
}

std::string ReloadStatus::ToJsonFields(Clock::time_point now) const {
  const std::uint64_t ok = ok_.load(std::memory_order_acquire);
  const std::uint64_t failed = failed_.load(std::memory_order_acquire);
  std::int64_t running_seconds = 0;
  if (const auto since = RunningSince()) {
    running_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *since).count();
  }
  return fmt::format(
      "\"reloads_ok\":{},\"reloads_failed\":{},\"last_reload_ok\":{},\"config_file_ok\":{},"
      "\"reload_running_seconds\":{}",
      ok, failed, ToJson(last_reload_.load(std::memory_order_relaxed)),
      ToJson(config_file_.load(std::memory_order_relaxed)),
      std::max<std::int64_t>(0, running_seconds));
}

const char* ReloadStatus::ToJson(Verdict verdict) {
  switch (verdict) {
    case Verdict::kYes:
      return "true";
    case Verdict::kNo:
      return "false";
    case Verdict::kUnknown:
      break;
  }
  return "null";
}

std::vector<std::string> StuckReloadWarning::Check(
    std::optional<ReloadStatus::Clock::time_point> running_since,
    ReloadStatus::Clock::time_point now) {
  if (!running_since || now - *running_since < after_ || warned_ == running_since) return {};
  warned_ = running_since;
  return {fmt::format(
      "Reload: the reload started {} s ago is still running ({}); it ends once the file answers, "
      "and a stop does not wait for it longer than shutdown_timeout_seconds",
      std::chrono::duration_cast<std::chrono::seconds>(now - *running_since).count(),
      kStuckReloadReasons)};
}

}  // namespace callgate::server
