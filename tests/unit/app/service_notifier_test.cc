#include "app/service_notifier.h"

#include <stdlib.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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
  const std::string longest = "/" + std::string(sizeof(sockaddr_un{}.sun_path) - 2, 'x');
  EXPECT_THAT(ServiceNotifier(longest).Ready("Serving").error().ToString(),
              HasSubstr("No such file or directory"))
      << "107 bytes: sent (to no one)";
  EXPECT_THAT(ServiceNotifier(longest + "x").Ready("Serving").error().ToString(),
              HasSubstr("not an absolute path or @name of at most 107 bytes"));
}

TEST(ServiceNotifierTest, ReadsTheSocketFromTheEnvironment) {
  ::setenv("NOTIFY_SOCKET", "@callgate-env", 1);
  EXPECT_EQ(ServiceNotifier::FromEnvironment().socket(), "@callgate-env");
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(ServiceNotifier::FromEnvironment().active());
}

TEST(ServiceNotifierTest, SaysItIsAliveForTheWatchdog) {
  const NotifySocket manager(SocketPath());
  ASSERT_TRUE(manager.bound());
  ASSERT_TRUE(ServiceNotifier(SocketPath()).Alive().ok());
  EXPECT_EQ(manager.Receive(), "WATCHDOG=1");
}

// sd_watchdog_enabled(3): WATCHDOG_USEC, for the process WATCHDOG_PID names when set.
TEST(ServiceNotifierTest, ReadsTheWatchdogTimeoutWhenItWatchesThisProcess) {
  struct Case {
    const char* usec;
    const char* pid;
    std::optional<long long> timeout;  // microseconds; nullopt: no watchdog
  };
  const Case cases[] = {
      {nullptr, nullptr, std::nullopt},
      {"", nullptr, std::nullopt},
      {nullptr, "42", std::nullopt},
      {"10000000", nullptr, 10000000},
      {"10000000", "", 10000000},
      {"10000000", "42", 10000000},
      {"1", "42", 1},
      {"10000000", "43", std::nullopt},  // another process's watchdog (callgate's parent's)
      {"18446744073709551615", nullptr, std::nullopt},    // WatchdogSec=infinity: off
      {"18446744073709551614", nullptr, 31536000000000},  // a year at most
  };
  for (const Case& c : cases) {
    const auto timeout = ServiceNotifier::WatchdogTimeout(c.usec, c.pid, 42);
    ASSERT_TRUE(timeout.ok()) << (c.usec ? c.usec : "null") << " " << (c.pid ? c.pid : "null");
    ASSERT_EQ(timeout->has_value(), c.timeout.has_value()) << (c.usec ? c.usec : "null");
    if (c.timeout) {
      EXPECT_EQ((*timeout)->count(), *c.timeout);
    }
  }
  for (const char* usec : {"0", "-5", "10s", "1e7", " 10", "18446744073709551616"}) {
    const auto timeout = ServiceNotifier::WatchdogTimeout(usec, nullptr, 42);
    ASSERT_FALSE(timeout.ok()) << usec;
    EXPECT_EQ(timeout.error().message, std::string("WATCHDOG_USEC=") + usec +
                                           " is not a positive number of microseconds: systemd's "
                                           "watchdog is not told that callgate is alive");
  }
  const auto bad_pid = ServiceNotifier::WatchdogTimeout("10000000", "init", 42);
  ASSERT_FALSE(bad_pid.ok());
  EXPECT_THAT(bad_pid.error().message, StartsWith("WATCHDOG_PID=init is not a process ID"));
}

// ServiceStatus: a fixture with a manager socket and a status that counts its calls.
class ServiceStatusTest : public ::testing::Test {
 protected:
  ServiceStatusTest()
      : manager_(SocketPath()),
        status_(
            ServiceNotifier(SocketPath()), [this] { return "Serving " + std::to_string(++asked_); },
            [this](const Error& error) { not_sent_.push_back(error.ToString()); }) {}

  NotifySocket manager_;
  int asked_ = 0;
  std::vector<std::string> not_sent_;
  ServiceStatus status_;
};

TEST_F(ServiceStatusTest, SaysReadyAroundEachReloadWithHowItWent) {
  ASSERT_TRUE(manager_.bound());
  status_.Serving();
  EXPECT_EQ(manager_.Receive(), "READY=1\nSTATUS=Serving 1");
  EXPECT_TRUE(status_.Reload([] { return true; }));
  EXPECT_THAT(manager_.Receive().value_or(""), StartsWith("RELOADING=1\n"));
  EXPECT_EQ(manager_.Receive(), "READY=1\nSTATUS=Serving 2; last reload complete");
  EXPECT_FALSE(status_.Reload([] { return false; }));
  EXPECT_THAT(manager_.Receive().value_or(""), StartsWith("RELOADING=1\n"));
  EXPECT_EQ(manager_.Receive(),
            "READY=1\nSTATUS=Serving 3; last reload failed, the previous data stays in service "
            "(see the log)");
  EXPECT_TRUE(not_sent_.empty());
}

// systemd would show callgate reloading until its timeout (90 s), and make every later
// `systemctl reload` wait for it.
TEST_F(ServiceStatusTest, AReloadThatThrowsStillEndsWithReady) {
  ASSERT_TRUE(manager_.bound());
  EXPECT_THROW(status_.Reload([]() -> bool { throw std::runtime_error("bad"); }),
               std::runtime_error);
  EXPECT_THAT(manager_.Receive().value_or(""), StartsWith("RELOADING=1\n"));
  EXPECT_THAT(manager_.Receive().value_or(""),
              StartsWith("READY=1\nSTATUS=Serving 1; last reload failed"));
}

// A reload that ends (or starts) once the stop has begun says nothing: the status would claim
// callgate serves while it drains.
TEST_F(ServiceStatusTest, SaysNothingAfterStopping) {
  ASSERT_TRUE(manager_.bound());
  bool reloaded = false;
  status_.Stopping();
  EXPECT_EQ(manager_.Receive(), "STOPPING=1\nSTATUS=Stopping");
  status_.Stopping();
  EXPECT_TRUE(status_.Reload([&reloaded] { return reloaded = true; }));
  status_.Serving();
  EXPECT_TRUE(reloaded) << "the reload itself runs";
  EXPECT_TRUE(manager_.Empty());
  EXPECT_EQ(asked_, 0);
}

// systemd does not watch a stop, and a WATCHDOG=1 would arm its watchdog again, which a slow
// stop would then trip.
TEST_F(ServiceStatusTest, SaysItIsAliveUntilStopping) {
  ASSERT_TRUE(manager_.bound());
  status_.Alive();
  EXPECT_EQ(manager_.Receive(), "WATCHDOG=1");
  status_.Stopping();
  EXPECT_EQ(manager_.Receive(), "STOPPING=1\nSTATUS=Stopping");
  status_.Alive();
  EXPECT_TRUE(manager_.Empty());
  EXPECT_TRUE(not_sent_.empty());
}

// Every few seconds: one line while the socket is gone, one more if it goes again after coming
// back.
TEST(ServiceStatusNotSentTest, TellsOnceOfWatchdogMessagesNotSent) {
  std::vector<std::string> not_sent;
  ServiceStatus status(
      ServiceNotifier(SocketPath()), [] { return std::string("Serving"); },
      [&not_sent](const Error& error) { not_sent.push_back(error.ToString()); });
  status.Alive();
  status.Alive();
  EXPECT_EQ(not_sent.size(), 1U);
  {
    const NotifySocket manager(SocketPath());
    ASSERT_TRUE(manager.bound());
    status.Alive();
    EXPECT_EQ(manager.Receive(), "WATCHDOG=1");
  }
  status.Alive();
  status.Alive();
  ASSERT_EQ(not_sent.size(), 2U);
  EXPECT_THAT(not_sent[1], HasSubstr("cannot notify the service manager at NOTIFY_SOCKET="));
}

TEST(ServiceStatusNotSentTest, TellsOfEachMessageNotSent) {
  std::vector<std::string> not_sent;
  ServiceStatus status(
      ServiceNotifier(SocketPath() + "-nobody"), [] { return std::string("Serving"); },
      [&not_sent](const Error& error) { not_sent.push_back(error.ToString()); });
  status.Serving();
  status.Stopping();
  ASSERT_EQ(not_sent.size(), 2U);
  EXPECT_THAT(not_sent[0], HasSubstr("cannot notify the service manager at NOTIFY_SOCKET="));
}

}  // namespace
}  // namespace callgate::app
