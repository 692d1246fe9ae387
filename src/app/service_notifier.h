// ServiceNotifier: tells systemd how callgate stands, through its readiness protocol
// (sd_notify(3)) without libsystemd: one datagram per message to the AF_UNIX socket that
// $NOTIFY_SOCKET names (a path, or "@name" for an abstract socket). With the unit's
// Type=notify, `systemctl start` returns once callgate serves and fails when callgate stops
// before that, and `systemctl status` shows the STATUS= text. Without $NOTIFY_SOCKET (callgate
// not started by systemd, or by a unit of another Type) it sends nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace callgate::app {

class ServiceNotifier {
 public:
  // From $NOTIFY_SOCKET; sends nothing when that is unset or empty.
  static ServiceNotifier FromEnvironment();
  // `socket`: the address as $NOTIFY_SOCKET gives it; "" sends nothing.
  explicit ServiceNotifier(std::string socket) : socket_(std::move(socket)) {}

  bool active() const { return !socket_.empty(); }
  const std::string& socket() const { return socket_; }

  // READY=1: callgate serves (after start-up, and again after each reload), with `status`.
  Status Ready(std::string_view status) const;
  // RELOADING=1, with the monotonic time systemd matches reloads by (MONOTONIC_USEC=).
  Status Reloading() const;
  // STOPPING=1: the shutdown has begun. Waits less for the socket than the others (it is sent
  // from the thread that runs the shutdown).
  Status Stopping() const;
  // WATCHDOG=1: callgate is alive (the unit's WatchdogSec=). Waits as little as Stopping().
  Status Alive() const;

  // The timeout of systemd's watchdog for this process (WatchdogSec=), read as
  // sd_watchdog_enabled(3) reads it: $WATCHDOG_USEC when it is set and $WATCHDOG_PID is unset or
  // `self`; nullopt when not (no watchdog, one for another process, or WatchdogSec=infinity,
  // which systemd passes as 2^64 - 1 and treats as off). An error when WATCHDOG_USEC or
  // WATCHDOG_PID is not a positive number. WATCHDOG=1 is due every half of it.
  static Result<std::optional<std::chrono::microseconds>> WatchdogTimeout(const char* usec,
                                                                          const char* pid,
                                                                          long self);
  // The same from this process's environment.
  static Result<std::optional<std::chrono::microseconds>> WatchdogTimeoutFromEnvironment();

 private:
  // Sends `message` as one datagram, waiting at most `wait` for the socket to take it. OK when
  // inactive; otherwise an error saying why it was not sent.
  Status Send(const std::string& message, std::chrono::milliseconds wait) const;

  std::string socket_;
};

// What callgate tells the service manager over its life, in an order systemd can follow: READY=1
// once it serves; RELOADING=1 and READY=1 around each reload (READY=1 also when the reload
// throws: systemd would otherwise show it reloading until its timeout); STOPPING=1 once, and
// nothing after it. STATUS= says what callgate serves and how the last reload went.
// Thread-safe (the reload thread and the server's control thread both use it).
class ServiceStatus {
 public:
  // `serving`: what callgate serves ("Serving N directory entries"), asked for each READY=1.
  // `not_sent`: told of each message that could not be sent.
  ServiceStatus(ServiceNotifier notifier, std::function<std::string()> serving,
                std::function<void(const Error&)> not_sent)
      : notifier_(std::move(notifier)),
        serving_(std::move(serving)),
        not_sent_(std::move(not_sent)) {}

  void Serving();
  // Runs `reload` (true: it took full effect) between RELOADING=1 and READY=1 and returns what
  // it returns; an exception goes on after READY=1.
  bool Reload(const std::function<bool()>& reload);
  void Stopping();
  // WATCHDOG=1, until STOPPING=1: systemd does not watch a stop, and a WATCHDOG=1 would arm its
  // watchdog again. One caller (the server's control thread, which also says STOPPING=1); a
  // message that cannot be sent is reported once, and again only after one has gone through.
  // Takes no lock: a reload's READY=1, which may wait for the socket, does not hold it up.
  void Alive();

 private:
  // Sends what `message` makes unless stopping (one step with the check: nothing follows
  // STOPPING=1).
  void Tell(const std::function<Status()>& message);

  const ServiceNotifier notifier_;
  const std::function<std::string()> serving_;
  const std::function<void(const Error&)> not_sent_;
  std::mutex mutex_;
  std::atomic<bool> stopping_{false};  // written under mutex_; Alive() reads it without
  bool alive_failing_ = false;         // Alive()'s: the last WATCHDOG=1 could not be sent
};

}  // namespace callgate::app
