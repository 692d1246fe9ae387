// callgate-loadgen: an HTTP/1.1 load client that behaves like a UCM cluster (N keep-alive
// connections, one request in flight on each), in closed or open loop, over HTTP or (mutual)
// TLS. See bench/README.md for the options and what each figure means.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "connection.h"
#include "options.h"
#include "report.h"
#include "request.h"
#include "scheduler.h"
#include "stats.h"
#include "target.h"
#include "tls_setup.h"

namespace callgate::loadgen {
namespace {

namespace asio = boost::asio;

// Lets every connection coroutine be spawned before the first request is due.
constexpr auto kStartDelay = std::chrono::milliseconds(20);

int Fail(const std::string& message) {
  std::fprintf(stderr, "callgate-loadgen: %s\n", message.c_str());
  return 2;
}

std::chrono::nanoseconds ToNanos(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(seconds));
}

SchedulePlan MakePlan(const Options& options) {
  SchedulePlan plan;
  plan.start = Clock::now() + kStartDelay;
  plan.warmup = ToNanos(options.warmup_seconds);
  plan.duration = ToNanos(options.duration_seconds);
  plan.requests = options.requests;
  plan.rate = options.rate;
  return plan;
}

std::string ModeName(const Options& options) {
  std::string mode = options.rate > 0 ? "open-loop" : "closed-loop";
  return options.handshakes ? mode + " handshakes" : mode;
}

// Runs the connections on `threads` io_contexts (one OS thread each) until the scheduler ends
// the run. SIGINT/SIGTERM stop the scheduler, so a Ctrl-C still prints what was measured.
std::vector<RunStats> RunLoad(const LoadContext& load, Scheduler& scheduler) {
  const int thread_count = load.options->threads;
  std::vector<RunStats> stats(thread_count);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < thread_count; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  for (int c = 0; c < load.options->connections; ++c) {
    asio::co_spawn(*contexts[c % thread_count], RunConnection(load, c, stats[c % thread_count]),
                   [](std::exception_ptr failure) {
                     if (!failure) return;
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& e) {
                       std::fprintf(stderr, "callgate-loadgen: connection ended: %s\n", e.what());
                     }
                   });
  }
  asio::io_context signal_context;
  asio::signal_set signals(signal_context, SIGINT, SIGTERM);
  signals.async_wait([&scheduler](const boost::system::error_code& ec, int) {
    if (!ec) scheduler.Stop();
  });
  std::thread signal_thread([&signal_context] { signal_context.run(); });
  std::vector<std::thread> threads;
  for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });
  for (std::thread& thread : threads) thread.join();
  signal_context.stop();
  signal_thread.join();
  return stats;
}

Summary Summarize(const Options& options, const Scheduler& scheduler,
                  const std::vector<RunStats>& per_thread) {
  Summary summary;
  for (const RunStats& stats : per_thread) summary.stats.Merge(stats);
  Clock::time_point end = summary.stats.last_completion;
  // A -d run measures its duration: requests still failing after it (a server that stopped
  // answering holds each one for --timeout) do not stretch it.
  if (options.requests == 0) end = std::min(end, scheduler.measure_end());
  if (end > scheduler.measure_start()) summary.elapsed = end - scheduler.measure_start();
  summary.mode = ModeName(options);
  return summary;
}

int Run(const Options& options) {
  Target target;
  std::string error;
  if (!ParseUrl(options.url, target, error) || !ResolveLoopback(target, error)) return Fail(error);
  std::vector<std::string> requests;
  if (!BuildRequests(options, target, options.handshakes, requests, error)) return Fail(error);
  std::unique_ptr<asio::ssl::context> tls;
  if (target.tls && !(tls = MakeTlsContext(options, error))) return Fail(error);
  Scheduler scheduler(MakePlan(options));
  const LoadContext load{&options, &target, &requests, tls.get(), &scheduler};
  const Summary summary = Summarize(options, scheduler, RunLoad(load, scheduler));
  const std::string report =
      options.json ? FormatJson(options, summary) : FormatText(options, summary);
  std::fputs(report.c_str(), stdout);
  return ExitCode(options, summary);
}

}  // namespace
}  // namespace callgate::loadgen

int main(int argc, char** argv) {
  using namespace callgate::loadgen;
  const ParsedOptions parsed = ParseOptions(argc, argv);
  if (parsed.help) {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "callgate-loadgen: %s\n\n%s", parsed.error.c_str(), Usage().c_str());
    return 2;
  }
  return Run(parsed.options);
}
