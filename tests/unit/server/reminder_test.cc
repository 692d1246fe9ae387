#include "server/reminder.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace callgate::server {
namespace {

using namespace std::chrono_literals;

std::size_t CountOf(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// The reminder is true with and without TLS: with it, the traffic is encrypted, except on
// http_listen.
TEST(InsecureModeReminderTest, SaysWhatIsUnprotectedWithAndWithoutTls) {
  config::Config plain;
  plain.insecure_mode = true;
  EXPECT_EQ(InsecureModeReminder(plain),
            std::vector<std::string>{
                "SECURITY WARNING: insecure_mode is on: traffic is not encrypted and clients are "
                "not authenticated. Never use insecure_mode in production."});
  config::Config tls = plain;
  tls.tls_cert_file = "server.crt";
  tls.tls_key_file = "server.key";
  ASSERT_TRUE(tls.tls_enabled());
  EXPECT_EQ(InsecureModeReminder(tls),
            std::vector<std::string>{
                "SECURITY WARNING: insecure_mode is on: TLS is on, but clients may be let in "
                "without a verified certificate (every client when no cluster is defined, and by "
                "address alone in a cluster without ca_file and allowed_subjects). Never use "
                "insecure_mode in production."});
  config::Config tls_and_plain = tls;
  tls_and_plain.http_listen = {"127.0.0.1", 5080};
  EXPECT_EQ(InsecureModeReminder(tls_and_plain),
            std::vector<std::string>{
                "SECURITY WARNING: insecure_mode is on: TLS is on, but clients may be let in "
                "without a verified certificate (every client when no cluster is defined, and by "
                "address alone in a cluster without ca_file and allowed_subjects); http_listen "
                "serves plain HTTP beside it: that traffic is not encrypted. Never use "
                "insecure_mode in production."});
}

TEST(RemindEveryTest, WarnsOnceEveryIntervalNotAtOnceAndStopsWhenAsked) {
  std::ostringstream out;
  spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  std::atomic<bool> stopping{false};
  boost::asio::io_context ioc;
  bool finished = false;
  auto message = [] { return std::vector<std::string>{"insecure_mode is on"}; };
  boost::asio::co_spawn(ioc, RemindEvery(5ms, log, message, stopping),
                        [&](std::exception_ptr) { finished = true; });
  ioc.poll();
  EXPECT_EQ(CountOf(out.str(), "insecure_mode is on"), 0U) << "the first reminder waits";

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (CountOf(out.str(), "insecure_mode is on") < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_for(100ms);
  }
  EXPECT_EQ(CountOf(out.str(), "insecure_mode is on"), 3U);
  EXPECT_EQ(CountOf(out.str(), "[warning]"), 3U);

  stopping = true;
  ioc.run_for(1s);  // the pending timer fires once more and ends the loop without a line
  EXPECT_TRUE(finished);
  EXPECT_EQ(CountOf(out.str(), "insecure_mode is on"), 3U);
}

// The daily certificate check: what the function returns at each interval, one line each, and
// nothing when it returns nothing.
TEST(RemindEveryTest, LogsWhatTheFunctionReturnsEachTime) {
  std::ostringstream out;
  spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  std::atomic<bool> stopping{false};
  boost::asio::io_context ioc;
  int calls = 0;
  auto messages = [&]() -> std::vector<std::string> {
    ++calls;
    if (calls == 1) return {};
    return {"first of " + std::to_string(calls), "second of " + std::to_string(calls)};
  };
  boost::asio::co_spawn(ioc, RemindEvery(5ms, log, messages, stopping), boost::asio::detached);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (calls < 2 && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(100ms);
  stopping = true;
  ioc.run_for(1s);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(CountOf(out.str(), "[warning]"), 2U) << out.str();
  EXPECT_EQ(CountOf(out.str(), "first of 2"), 1U);
  EXPECT_EQ(CountOf(out.str(), "second of 2"), 1U);
}

// insecure_mode's warnings are logged at WARNING, or at the level of the logger or of its console
// when that hides warnings, and the reminder logs at the level it is given.
TEST(RemindEveryTest, AWarningNoLogLevelHides) {
  std::ostringstream out;
  const auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  spdlog::logger& log = *logger;
  Logs logs;
  logs.app = logger;
  const struct {
    spdlog::level::level_enum set;
    spdlog::level::level_enum console;  // trace: console_log_level unset
    spdlog::level::level_enum expected;
  } cases[] = {
      {spdlog::level::debug, spdlog::level::trace, spdlog::level::warn},
      {spdlog::level::info, spdlog::level::trace, spdlog::level::warn},
      {spdlog::level::warn, spdlog::level::trace, spdlog::level::warn},
      {spdlog::level::err, spdlog::level::trace, spdlog::level::err},
      {spdlog::level::critical, spdlog::level::trace, spdlog::level::critical},
      {spdlog::level::info, spdlog::level::debug, spdlog::level::warn},
      {spdlog::level::info, spdlog::level::warn, spdlog::level::warn},
      {spdlog::level::info, spdlog::level::err, spdlog::level::err},
      {spdlog::level::err, spdlog::level::warn, spdlog::level::err},
  };
  for (const auto& c : cases) {
    log.set_level(c.set);
    logs.console_level = c.console;
    EXPECT_EQ(UnhiddenWarningLevel(logs), c.expected) << c.set << " " << c.console;
  }
  logs.console_level = spdlog::level::trace;

  log.set_level(spdlog::level::err);
  std::atomic<bool> stopping{false};
  boost::asio::io_context ioc;
  auto message = [] { return std::vector<std::string>{"insecure_mode is on"}; };
  boost::asio::co_spawn(ioc, RemindEvery(5ms, log, message, stopping, UnhiddenWarningLevel(logs)),
                        boost::asio::detached);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (out.str().empty() && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(100ms);
  stopping = true;
  ioc.run_for(1s);
  EXPECT_EQ(CountOf(out.str(), "[error] insecure_mode is on"), 1U) << out.str();
}

}  // namespace
}  // namespace callgate::server
