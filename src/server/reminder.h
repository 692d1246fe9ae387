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

#include "config/config.h"
#include "server/logs.h"

namespace callgate::server {

// Every `interval`, the first time one interval after it starts, logs each line `messages()`
// returns at `level` (none when it returns none), until `stopping` is set or its timer is
// cancelled (the io_context stops). `messages` runs on the coroutine's executor.
boost::asio::awaitable<void> RemindEvery(std::chrono::steady_clock::duration interval,
                                         spdlog::logger& log,
                                         std::function<std::vector<std::string>()> messages,
                                         const std::atomic<bool>& stopping,
                                         spdlog::level::level_enum level = spdlog::level::warn);

// The level for a warning that neither log_level nor console_log_level may hide (insecure_mode's):
// WARNING, or the more severe of the levels `logs.app` and its console are set to when that is
// higher, so that even a log or a console kept to errors says it.
spdlog::level::level_enum UnhiddenWarningLevel(const Logs& logs);

// insecure_mode's hourly reminder: what it lets through under `config`. Without TLS, that
// traffic is not encrypted and clients are not authenticated; with TLS the main listener is
// encrypted, and the reminder says which clients may still come in without a verified
// certificate, and that http_listen, when set, is not encrypted.
std::vector<std::string> InsecureModeReminder(const config::Config& config);

}  // namespace callgate::server
