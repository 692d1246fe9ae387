#include "app/service_notifier.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callgate::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A datagram socket bound where systemd's would be: a path, or an abstract name ("@name").
class ManagerSocket {
 public:
  explicit ManagerSocket(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    if (name.front() == '@') address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) == 0;
    const timeval wait{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  }
  ~ManagerSocket() {
    ::close(fd_);
    if (name_.front() == '/') ::unlink(name_.c_str());
  }
  bool bound() const { return bound_; }
  // The next datagram; nullopt if none came within 5 s.
  std::optional<std::string> Receive() const {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }
  // Whether a datagram is waiting.
  bool Pending() const {
    char byte = 0;
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) >= 0;
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string SocketPath() {
  return (fs::temp_directory_path() / ("callgate-notify-" + std::to_string(::getpid()))).string();
}

long long MonotonicMicroseconds() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

TEST(ServiceNotifierTest, SaysReadyWithAStatusLine) {
  const ManagerSocket manager(SocketPath());
  ASSERT_TRUE(manager.bound());
  const ServiceNotifier notifier(SocketPath());
  ASSERT_TRUE(notifier.Ready("Serving 3 directory entries").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=Serving 3 directory entries");
  ASSERT_TRUE(notifier.Ready("two\nlines\r").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=two lines ") << "a line break starts a field";
}

TEST(ServiceNotifierTest, SaysReloadingWithTheMonotonicTimeAndStopping) {
  const ManagerSocket manager(SocketPath());
  ASSERT_TRUE(manager.bound());
  const ServiceNotifier notifier(SocketPath());
  const long long before = MonotonicMicroseconds();
  ASSERT_TRUE(notifier.Reloading().ok());
  const long long after = MonotonicMicroseconds();
  const std::optional<std::string> reloading = manager.Receive();
  ASSERT_TRUE(reloading.has_value());
  const std::string prefix = "RELOADING=1\nSTATUS=Reloading\nMONOTONIC_USEC=";
  ASSERT_THAT(*reloading, StartsWith(prefix));
  const long long sent = std::stoll(reloading->substr(prefix.size()));
  EXPECT_GE(sent, before);
  EXPECT_LE(sent, after);
  ASSERT_TRUE(notifier.Stopping().ok());
  EXPECT_EQ(manager.Receive(), "STOPPING=1\nSTATUS=Stopping");
}

TEST(ServiceNotifierTest, ReachesAnAbstractSocket) {
  const std::string name = "@callgate-notify-test-" + std::to_string(::getpid());
  const ManagerSocket manager(name);
  ASSERT_TRUE(manager.bound());
  ASSERT_TRUE(ServiceNotifier(name).Stopping().ok());
  EXPECT_EQ(manager.Receive(), "STOPPING=1\nSTATUS=Stopping");
}

TEST(ServiceNotifierTest, WithoutASocketSendsNothingAndSucceeds) {
  const ServiceNotifier notifier("");
  EXPECT_FALSE(notifier.active());
  EXPECT_TRUE(notifier.Ready("Serving").ok());
}

TEST(ServiceNotifierTest, SaysWhyAMessageWasNotSent) {
  const Status nobody = ServiceNotifier(SocketPath() + "-nobody").Ready("Serving");
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(nobody.error().ToString(), "cannot notify the service manager at NOTIFY_SOCKET=" +
                                           SocketPath() + "-nobody: No such file or directory");
  const Status relative = ServiceNotifier("run/notify").Ready("Serving");
  ASSERT_FALSE(relative.ok());
  EXPECT_THAT(relative.error().ToString(), HasSubstr("not an absolute path or @name"));
  const Status too_long = ServiceNotifier("/" + std::string(200, 'x')).Ready("Serving");
  EXPECT_FALSE(too_long.ok());
}

TEST(ServiceNotifierTest, ReadsTheSocketFromTheEnvironment) {
  ::setenv("NOTIFY_SOCKET", "@callgate-env", 1);
  EXPECT_EQ(ServiceNotifier::FromEnvironment().socket(), "@callgate-env");
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(ServiceNotifier::FromEnvironment().active());
}

}  // namespace
}  // namespace callgate::app
