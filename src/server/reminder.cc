#include "server/reminder.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace callgate::server {
namespace asio = boost::asio;

asio::awaitable<void> RemindEvery(std::chrono::steady_clock::duration interval, spdlog::logger& log,
                                  std::function<std::vector<std::string>()> messages,
                                  const std::atomic<bool>& stopping) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopping) co_return;
    for (const std::string& message : messages()) log.warn("{}", message);
  }
}

}  // namespace callgate::server
