// The result of a run: a human-readable report or one JSON line, and the exit decision.
#pragma once

#include <chrono>
#include <string>

#include "options.h"
#include "stats.h"

namespace callgate::loadgen {

struct Summary {
  RunStats stats;
  // From the end of the warm-up to the last completion; with -d, at most the duration.
  std::chrono::nanoseconds elapsed{0};
  std::string mode;  // "closed-loop", "open-loop" (+ " handshakes")
};

// Successful responses per second over `elapsed`; 0 when nothing was measured.
double RequestsPerSecond(const Summary& summary);

// Failed requests / measured requests (1 when nothing was measured).
double ErrorRate(const Summary& summary);

std::string FormatText(const Options& options, const Summary& summary);
std::string FormatJson(const Options& options, const Summary& summary);

// 0 when at least one request succeeded and the error rate is within --max-error-rate, else 1.
int ExitCode(const Options& options, const Summary& summary);

}  // namespace callgate::loadgen
