// One client connection of callgate-loadgen: a C++20 coroutine that takes tickets from the
// Scheduler and, for each, waits until its scheduled time (open loop), sends one request and
// reads the whole response before asking for the next ticket, as UCM does on each of its
// connections. A failed connection is dropped and reopened for the next ticket.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>
#include <vector>

#include "options.h"
#include "scheduler.h"
#include "stats.h"
#include "target.h"

namespace callgate::loadgen {

// Everything the connections share. All read-only except the (thread-safe) scheduler; must
// outlive every connection.
struct LoadContext {
  const Options* options = nullptr;
  const Target* target = nullptr;
  const std::vector<std::string>* requests = nullptr;  // serialized, used round-robin
  boost::asio::ssl::context* tls = nullptr;            // nullptr for http://
  Scheduler* scheduler = nullptr;
};

// Runs connection number `id` until the scheduler ends the run, recording measured requests
// into `stats`. `stats` must belong to the thread whose io_context runs the coroutine (it is
// not locked). Never throws: every error is counted in `stats`.
boost::asio::awaitable<void> RunConnection(const LoadContext& load, int id, RunStats& stats);

}  // namespace callgate::loadgen
