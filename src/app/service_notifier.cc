#include "app/service_notifier.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <system_error>

#include <fmt/format.h>

namespace callgate::app {
namespace {

// Longer than systemd ever takes to read its notification socket, short enough that a manager
// that does not read it holds up neither the start nor a reload for long. STOPPING=1 is sent as
// the shutdown begins, which should not wait: losing it only leaves systemd's status behind.
constexpr std::chrono::milliseconds kSendWait{2000};
constexpr std::chrono::milliseconds kStoppingSendWait{100};

Error SendError(const std::string& socket, const std::string& why) {
  return Error{"cannot notify the service manager at NOTIFY_SOCKET=" + socket + ": " + why, "", 0,
               ""};
}

// STATUS= is one line of the message: a line break would start another field.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

}  // namespace

ServiceNotifier ServiceNotifier::FromEnvironment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe): at start
  return ServiceNotifier(socket == nullptr ? "" : socket);
}

Status ServiceNotifier::Ready(std::string_view status) const {
  return Send("READY=1\nSTATUS=" + OneLine(status), kSendWait);
}

Status ServiceNotifier::Reloading() const {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  return Send(fmt::format("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC={}", usec), kSendWait);
}

Status ServiceNotifier::Stopping() const {
  return Send("STOPPING=1\nSTATUS=Stopping", kStoppingSendWait);
}

Status ServiceNotifier::Alive() const { return Send("WATCHDOG=1", kStoppingSendWait); }

Result<std::optional<std::chrono::microseconds>> ServiceNotifier::WatchdogTimeout(const char* usec,
                                                                                  const char* pid,
                                                                                  long self) {
  if (usec == nullptr || *usec == '\0') return std::optional<std::chrono::microseconds>();
  const auto not_told = [](const std::string& problem) {
    return Error{problem + ": systemd's watchdog is not told that callgate is alive", "", 0, ""};
  };
  const auto positive = [](const char* text) -> std::optional<unsigned long long> {
    unsigned long long value = 0;
    const char* end = text + std::strlen(text);
    const auto [last, error] = std::from_chars(text, end, value);
    if (error != std::errc() || last != end || value == 0) return std::nullopt;
    return value;
  };
  const auto micros = positive(usec);
  if (!micros) {
    return not_told(fmt::format("WATCHDOG_USEC={} is not a positive number of microseconds", usec));
  }
  if (pid != nullptr && *pid != '\0') {
    const auto watched = positive(pid);
    if (!watched) {
      return not_told(fmt::format("WATCHDOG_PID={} is not a process ID", pid));
    }
    if (*watched != static_cast<unsigned long long>(self)) {
      return std::optional<std::chrono::microseconds>();
    }
  }
  if (*micros == std::numeric_limits<unsigned long long>::max()) {  // WatchdogSec=infinity
    return std::optional<std::chrono::microseconds>();
  }
  // Beyond any WatchdogSec= anyone writes (a year); keeps the arithmetic far from overflow.
  constexpr unsigned long long kYear = 365ULL * 24 * 3600 * 1000000;
  return std::optional<std::chrono::microseconds>(
      std::chrono::microseconds(static_cast<std::int64_t>(std::min(*micros, kYear))));
}

Result<std::optional<std::chrono::microseconds>> ServiceNotifier::WatchdogTimeoutFromEnvironment() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up, before any thread
  return WatchdogTimeout(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), ::getpid());
}

Status ServiceNotifier::Send(const std::string& message, std::chrono::milliseconds wait) const {
  if (!active()) return OkStatus();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // A path, or an abstract name written with a leading '@' for the leading NUL.
  const bool abstract = socket_.front() == '@';
  if ((!abstract && socket_.front() != '/') || socket_.size() >= sizeof address.sun_path) {
    return SendError(socket_, "not an absolute path or @name of at most " +
                                  std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  if (abstract) address.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SendError(socket_, std::generic_category().message(errno));
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(wait).count();
  const timeval timeout{static_cast<time_t>(micros / 1000000),
                        static_cast<suseconds_t>(micros % 1000000)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (sent < 0) return SendError(socket_, std::generic_category().message(error));
  return OkStatus();
}

void ServiceStatus::Tell(const std::function<Status()>& message) {
  const std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (Status sent = message(); !sent) not_sent_(sent.error());
}

void ServiceStatus::Serving() {
  Tell([this] { return notifier_.Ready(serving_()); });
}

bool ServiceStatus::Reload(const std::function<bool()>& reload) {
  Tell([this] { return notifier_.Reloading(); });
  const auto reloaded = [this](bool ok) {
    Tell([this, ok] {
      return notifier_.Ready(serving_() +
                             (ok ? "; last reload complete"
                                 : "; last reload failed, the previous data stays in service (see "
                                   "the log)"));
    });
  };
  bool ok = false;
  try {
    ok = reload();
  } catch (...) {
    reloaded(false);
    throw;
  }
  reloaded(ok);
  return ok;
}

void ServiceStatus::Alive() {
  if (stopping_.load()) return;
  Status sent = notifier_.Alive();
  if (!sent && !alive_failing_) not_sent_(sent.error());
  alive_failing_ = !sent.ok();
}

void ServiceStatus::Stopping() {
  const std::lock_guard lock(mutex_);
  if (stopping_) return;
  stopping_ = true;
  if (Status sent = notifier_.Stopping(); !sent) not_sent_(sent.error());
}

}  // namespace callgate::app
