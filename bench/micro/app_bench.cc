// Micro-benchmarks for the application layer: what one request's log lines cost at INFO with
// log_dir (the decision line on the console and in app.log, the access line in access.log),
// written through the loggers SetupLogging() builds. The console goes to /dev/null here.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "security/pii_masker.h"

namespace {

using callgate::server::Logs;

// A fresh log directory under /tmp, removed when the benchmark ends.
struct LogDirectory {
  LogDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "callgate-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~LogDirectory() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

void QuietConsole() {
  const int null = open("/dev/null", O_WRONLY);
  if (null < 0 || dup2(null, STDERR_FILENO) < 0) std::abort();
  close(null);
}

Logs MakeLogs(const LogDirectory& directory, const callgate::security::PiiMasker& masker,
              benchmark::State& state) {
  callgate::config::Config config;
  config.log_dir = directory.path.string();
  config.log_max_bytes = 100 * 1024 * 1024;
  auto logs = callgate::app::SetupLogging(config, masker);
  if (!logs) state.SkipWithError("SetupLogging failed");
  return logs ? *logs : Logs{};
}

// The two lines a found CURRI request logs, as the router and the session write them.
void LogRequest(const Logs& logs) {
  const std::string calling = "+14085550101";
  const std::string name = "Ada Lovelace";
  callgate::server::LogEveryRequest(
      *logs.app, spdlog::level::info,
      FMT_COMPILE("curri calling={} called={} trigger={} device={} -> {}{}{}"), logs.Pii(calling),
      logs.Pii("4085550199"), logs.Text("inbound"), logs.Pii("SEP001122334455"),
      std::string_view("exact"), std::string_view(" match: "), logs.Pii(name));
  callgate::server::LogEveryRequest(*logs.access, spdlog::level::info,
                                    FMT_COMPILE("{} \"{} {} HTTP/{}.{}\" {} {} {}us"),
                                    logs.Pii("127.0.0.1"), std::string_view("POST"),
                                    logs.Text("/curri", '"'), 1, 1, 200, 611, 42);
}

void BM_RequestLogLines(benchmark::State& state) {
  QuietConsole();
  LogDirectory directory;
  const callgate::security::PiiMasker masker(state.range(0) != 0);
  const Logs logs = MakeLogs(directory, masker, state);
  if (!logs.app) return;
  for (auto _ : state) LogRequest(logs);
  logs.app->flush();
  logs.access->flush();
  spdlog::drop_all();
}
BENCHMARK(BM_RequestLogLines)->ArgName("obfuscate_pii")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
