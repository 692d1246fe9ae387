// A warning repeated on a timer, e.g. insecure_mode's hourly reminder.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/awaitable.hpp>

namespace callgate::server {

// Logs `message` at WARNING every `interval`, the first time one interval after it starts,
// until `stopping` is set or its timer is cancelled (the io_context stops).
boost::asio::awaitable<void> RemindEvery(std::chrono::steady_clock::duration interval,
                                         spdlog::logger& log, std::string message,
                                         const std::atomic<bool>& stopping);

}  // namespace callgate::server
