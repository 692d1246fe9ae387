#include "report.h"

#include <cstdio>
#include <string_view>

namespace callgate::loadgen {
namespace {

struct Quantile {
  std::string_view label;  // text report
  std::string_view key;    // JSON
  double percent;
};

constexpr Quantile kQuantiles[] = {
    {"p50", "p50", 50}, {"p90", "p90", 90}, {"p99", "p99", 99}, {"p99.9", "p999", 99.9}};

// printf's %llu takes unsigned long long, which std::uint64_t may not be.
unsigned long long U(std::uint64_t n) { return n; }

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }
double Millis(std::chrono::nanoseconds d) { return Seconds(d) * 1e3; }
double Micros(std::chrono::nanoseconds d) { return Seconds(d) * 1e6; }

std::string Printf(const char* format, auto... args) {
  char buffer[512];
  const int n = std::snprintf(buffer, sizeof buffer, format, args...);
  return std::string(buffer, n < 0 ? 0 : std::min<std::size_t>(n, sizeof buffer - 1));
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += Printf("\\u%04x", static_cast<unsigned>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string LatencyLine(const LatencyHistogram& latency) {
  std::string out = "latency ms  ";
  for (const Quantile& q : kQuantiles) {
    out += Printf(" %s %.3f", std::string(q.label).c_str(), Millis(latency.Percentile(q.percent)));
  }
  return out + Printf("  max %.3f  mean %.3f\n", Millis(latency.max()), Millis(latency.mean()));
}

std::string ClientLagLine(const LatencyHistogram& lag) {
  return Printf("client lag ms  p50 %.3f p99 %.3f  max %.3f  (how late the client woke up)\n",
                Millis(lag.Percentile(50)), Millis(lag.Percentile(99)), Millis(lag.max()));
}

std::string ClientLagJson(const LatencyHistogram& lag) {
  return Printf(",\"client_lag_us\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
                Micros(lag.Percentile(50)), Micros(lag.Percentile(99)), Micros(lag.max()));
}

std::string LatencyJson(const LatencyHistogram& latency) {
  std::string out = "{";
  for (const Quantile& q : kQuantiles) {
    out +=
        Printf("\"%s\":%.1f,", std::string(q.key).c_str(), Micros(latency.Percentile(q.percent)));
  }
  return out + Printf("\"max\":%.1f,\"mean\":%.1f}", Micros(latency.max()), Micros(latency.mean()));
}

}  // namespace

double RequestsPerSecond(const Summary& summary) {
  const double seconds = Seconds(summary.elapsed);
  return seconds > 0 ? static_cast<double>(summary.stats.ok) / seconds : 0;
}

double ErrorRate(const Summary& summary) {
  const std::uint64_t requests = summary.stats.requests();
  if (requests == 0) return 1;
  return static_cast<double>(summary.stats.errors()) / static_cast<double>(requests);
}

std::string FormatText(const Options& options, const Summary& summary) {
  const RunStats& s = summary.stats;
  std::string out = Printf("%s: %d connections, %d threads, %s", options.url.c_str(),
                           options.connections, options.threads, summary.mode.c_str());
  if (options.rate > 0) out += Printf(" at %.0f requests/s", options.rate);
  out += Printf(", %.2f s measured\n", Seconds(summary.elapsed));
  out += Printf("requests     %llu (ok %llu)\n", U(s.requests()), U(s.ok));
  out +=
      Printf("errors       %llu (status %llu, connect %llu, io %llu, timeout %llu, unsent %llu)\n",
             U(s.errors()), U(s.bad_status), U(s.connect_errors), U(s.io_errors), U(s.timeouts),
             U(s.unsent));
  out += Printf("requests/s   %.1f\n", RequestsPerSecond(summary));
  out += Printf("connections  %llu opened while measuring\n", U(s.connections));
  out += Printf("bytes        in %llu, out %llu\n", U(s.bytes_in), U(s.bytes_out));
  out += LatencyLine(s.latency);
  if (options.rate > 0) out += ClientLagLine(s.client_lag);
  return out;
}

std::string FormatJson(const Options& options, const Summary& summary) {
  const RunStats& s = summary.stats;
  std::string out = "{\"url\":" + JsonString(options.url) + ",\"mode\":" + JsonString(summary.mode);
  out += Printf(",\"connections\":%d,\"threads\":%d,\"rate\":%.1f,\"seconds\":%.3f",
                options.connections, options.threads, options.rate, Seconds(summary.elapsed));
  out += Printf(",\"requests\":%llu,\"ok\":%llu,\"errors\":%llu", U(s.requests()), U(s.ok),
                U(s.errors()));
  out += Printf(",\"bad_status\":%llu,\"connect_errors\":%llu,\"io_errors\":%llu,\"timeouts\":%llu",
                U(s.bad_status), U(s.connect_errors), U(s.io_errors), U(s.timeouts));
  out += Printf(",\"unsent\":%llu", U(s.unsent));
  out += Printf(",\"requests_per_s\":%.1f,\"connections_opened\":%llu", RequestsPerSecond(summary),
                U(s.connections));
  out += Printf(",\"bytes_in\":%llu,\"bytes_out\":%llu", U(s.bytes_in), U(s.bytes_out));
  out += ",\"latency_us\":" + LatencyJson(s.latency);
  if (options.rate > 0) out += ClientLagJson(s.client_lag);
  return out + "}\n";
}

int ExitCode(const Options& options, const Summary& summary) {
  if (summary.stats.ok == 0) return 1;
  return ErrorRate(summary) > options.max_error_rate ? 1 : 0;
}

}  // namespace callgate::loadgen
