#include "app/service_notifier.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace callgate::app {
namespace {

// Longer than systemd ever takes to read its notification socket, short enough that a manager
// that does not read it holds up neither the start nor a reload for long.
constexpr timeval kSendWait{2, 0};

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
  return Send("READY=1\nSTATUS=" + OneLine(status));
}

Status ServiceNotifier::Reloading() const {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  return Send(fmt::format("RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC={}", usec));
}

Status ServiceNotifier::Stopping() const { return Send("STOPPING=1\nSTATUS=Stopping"); }

Status ServiceNotifier::Send(const std::string& message) const {
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
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &kSendWait, sizeof kSendWait);
  const ssize_t sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (sent < 0) return SendError(socket_, std::generic_category().message(error));
  return OkStatus();
}

}  // namespace callgate::app
