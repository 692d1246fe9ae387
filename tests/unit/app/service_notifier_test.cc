#include "app/service_notifier.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/notify_socket.h"

namespace callgate::app {
namespace {

namespace fs = std::filesystem;
using callgate::testing::NotifySocket;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string SocketPath() {
  return (fs::temp_directory_path() / ("callgate-notify-" + std::to_string(::getpid()))).string();
}

long long MonotonicMicroseconds() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

TEST(ServiceNotifierTest, SaysReadyWithAStatusLine) {
  const NotifySocket manager(SocketPath());
  ASSERT_TRUE(manager.bound());
  const ServiceNotifier notifier(SocketPath());
  ASSERT_TRUE(notifier.Ready("Serving 3 directory entries").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=Serving 3 directory entries");
  ASSERT_TRUE(notifier.Ready("two\nlines\r").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=two lines ") << "a line break starts a field";
}

TEST(ServiceNotifierTest, SaysReloadingWithTheMonotonicTimeAndStopping) {
  const NotifySocket manager(SocketPath());
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
  const NotifySocket manager(name);
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
