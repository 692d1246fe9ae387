// ServiceNotifier: tells systemd how callgate stands, through its readiness protocol
// (sd_notify(3)) without libsystemd: one datagram per message to the AF_UNIX socket that
// $NOTIFY_SOCKET names (a path, or "@name" for an abstract socket). With the unit's
// Type=notify, `systemctl start` returns once callgate serves and fails when callgate stops
// before that, and `systemctl status` shows the STATUS= text. Without $NOTIFY_SOCKET (callgate
// not started by systemd, or by a unit of another Type) it sends nothing.
#pragma once

#include <string>
#include <string_view>

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
  // STOPPING=1: the shutdown has begun.
  Status Stopping() const;

 private:
  // Sends `message` as one datagram, waiting at most kSendWait for the socket to take it. OK
  // when inactive; otherwise an error saying why it was not sent.
  Status Send(const std::string& message) const;

  std::string socket_;
};

}  // namespace callgate::app
