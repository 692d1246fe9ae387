#include "server/reload_status.h"

#include <algorithm>
#include <exception>

#include <fmt/format.h>

#include "server/logs.h"

namespace callgate::server {

void ReloadStatus::Started(Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  started_ = now;
}

void ReloadStatus::Ended() {
  const std::lock_guard lock(mutex_);
  started_.reset();
}

void ReloadStatus::Finished(bool ok, bool config_file_ok) {
  const std::lock_guard lock(mutex_);
  ++(ok ? ok_ : failed_);
  last_reload_ = ok ? Verdict::kYes : Verdict::kNo;
  config_file_ = config_file_ok ? Verdict::kYes : Verdict::kNo;
  started_.reset();
}

void ReloadStatus::Aborted() {
  const std::lock_guard lock(mutex_);
  ++failed_;
  last_reload_ = Verdict::kNo;
  started_.reset();
}

std::optional<ReloadStatus::Clock::time_point> ReloadStatus::RunningSince() const {
  const std::lock_guard lock(mutex_);
  return started_;
}

std::string ReloadStatus::ToJsonFields(Clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  std::int64_t running_seconds = 0;
  if (started_) {
    running_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - *started_).count();
  }
  return fmt::format(
      "\"reloads_ok\":{},\"reloads_failed\":{},\"last_reload_ok\":{},\"config_file_ok\":{},"
      "\"reload_running_seconds\":{}",
      ok_, failed_, ToJson(last_reload_), ToJson(config_file_),
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

void RunReload(ReloadStatus& status, const std::function<void()>& handler,
               const std::function<void(std::string_view what)>& report) {
  status.Started(ReloadStatus::Clock::now());
  try {
    handler();
  } catch (...) {
    status.Aborted();
    report(ExceptionText(std::current_exception()));
  }
  status.Ended();
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
