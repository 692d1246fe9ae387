#include "server/reminder.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace callgate::server {
namespace asio = boost::asio;

asio::awaitable<void> RemindEvery(std::chrono::steady_clock::duration interval, spdlog::logger& log,
                                  std::function<std::vector<std::string>()> messages,
                                  const std::atomic<bool>& stopping,
                                  spdlog::level::level_enum level) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping) co_return;
    for (const std::string& message : messages()) log.log(level, "{}", message);
  }
}

spdlog::level::level_enum UnhiddenWarningLevel(const Logs& logs) {
  return std::clamp(std::max(logs.app->level(), logs.console_level), spdlog::level::warn,
                    spdlog::level::critical);
}

std::vector<std::string> InsecureModeReminder(const config::Config& config) {
  std::string what =
      config.tls_enabled()
          ? "TLS is on, but clients may be let in without a verified certificate (every client "
            "when no cluster is defined, and by address alone in a cluster without ca_file and "
            "allowed_subjects)"
          : "traffic is not encrypted and clients are not authenticated";
  if (config.tls_enabled() && config.http_listen.enabled()) {
    what += "; http_listen serves plain HTTP beside it: that traffic is not encrypted";
  }
  return {"SECURITY WARNING: insecure_mode is on: " + what +
          ". Never use insecure_mode in production."};
}

}  // namespace callgate::server
