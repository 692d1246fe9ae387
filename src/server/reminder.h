// Warnings repeated on a timer: insecure_mode's hourly reminder, the daily certificate expiry
// check.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>

namespace callgate::server {

// Every `interval`, the first time one interval after it starts, logs each line `messages()`
// returns at WARNING (none when it returns none), until `stopping` is set or its timer is
// cancelled (the io_context stops). `messages` runs on the coroutine's executor.
boost::asio::awaitable<void> RemindEvery(std::chrono::steady_clock::duration interval,
                                         spdlog::logger& log,
                                         std::function<std::vector<std::string>()> messages,
                                         const std::atomic<bool>& stopping);

}  // namespace callgate::server
