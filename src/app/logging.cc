#include "app/logging.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/console_sink.h"
#include "app/file_probe.h"
#include "app/recovering_file_sink.h"

namespace callgate::app {
namespace {

constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e [%l] %n: %v";

// Log files are written through a 64 KB stdio buffer (the console through its own buffer,
// console_sink.h) instead of the default 4 KB: at INFO a busy server fills 4 KB every few dozen
// requests, and each fill was a write(2) (about 2% of the server's CPU time under load, perf). No
// line waits longer for it: every logger is flushed once a second, and the application log on
// warnings. glibc ignores setvbuf's size unless it is given the buffer too, so the buffers are
// ours.
constexpr std::size_t kFileBufferBytes = std::size_t{1} << 16;

// Gives each file a rotating sink opens its own buffer, freed once the file is closed (on
// rotation and when the sink goes away).
spdlog::file_event_handlers BufferedFileHandlers() {
  auto buffer = std::make_shared<std::unique_ptr<char[]>>();
  spdlog::file_event_handlers handlers;
  handlers.after_open = [buffer](const spdlog::filename_t&, std::FILE* file) {
    *buffer = std::make_unique<char[]>(kFileBufferBytes);
    std::setvbuf(file, buffer->get(), _IOFBF, kFileBufferBytes);
  };
  handlers.after_close = [buffer](const spdlog::filename_t&) { buffer->reset(); };
  return handlers;
}

spdlog::level::level_enum ToSpdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarning:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// The formatter of FormatOnceSink's outputs: the line arrives finished, end of line included,
// so it is copied as it is (a "%v" pattern would still run spdlog's pattern machinery per line).
class FinishedLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& dest) override {
    dest.append(message.payload.data(), message.payload.data() + message.payload.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<FinishedLineFormatter>();
  }
};

// The application log's sink: formats each line once, under its lock, and hands the finished
// line to every output whose level lets it through (the console, at console_log_level, and
// app.log when log_dir is set). spdlog formats a line once per sink, and at INFO the decision
// line of every request goes to both outputs: formatting it twice cost about 1,500 instructions
// a request (callgrind). An output's log() does not check its level: the loop below does.
class FormatOnceSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FormatOnceSink(std::vector<spdlog::sink_ptr> outputs) : outputs_(std::move(outputs)) {
    for (const auto& output : outputs_) {
      output->set_formatter(std::make_unique<FinishedLineFormatter>());
    }
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    formatted_.clear();
    formatter_->format(message, formatted_);
    spdlog::details::log_msg line = message;
    line.payload = spdlog::string_view_t(formatted_.data(), formatted_.size());
    for (const auto& output : outputs_) {
      if (output->should_log(line.level)) output->log(line);
    }
  }
  void flush_() override {
    for (const auto& output : outputs_) output->flush();
  }

 private:
  std::vector<spdlog::sink_ptr> outputs_;
  spdlog::memory_buf_t formatted_;
};

// An output of FormatOnceSink (unlocked: that sink holds the lock).
spdlog::sink_ptr ConsoleOutput() {
  if (isatty(STDERR_FILENO)) return std::make_shared<spdlog::sinks::stderr_color_sink_st>();
  return std::make_shared<ConsoleSink>(STDERR_FILENO);
}

template <class Mutex>
std::shared_ptr<RecoveringFileSink<Mutex>> RotatingSink(
    const config::Config& config, std::string_view name,
    std::shared_ptr<std::atomic<std::uint64_t>> lines_lost) {
  const auto path = std::filesystem::path(config.log_dir) / name;
  return std::make_shared<RecoveringFileSink<Mutex>>(
      path.string(), config.log_max_bytes, static_cast<std::size_t>(config.log_backup_count),
      BufferedFileHandlers(), RecoveringFileSink<Mutex>::Clock::now, STDERR_FILENO,
      std::move(lines_lost));
}

// The names of the levels from `from` up to, not including, `to`: "INFO", "DEBUG and INFO",
// "DEBUG, INFO and WARNING".
std::string LevelsBetween(config::LogLevel from, config::LogLevel to) {
  std::string names;
  for (int level = static_cast<int>(from); level < static_cast<int>(to); ++level) {
    if (!names.empty()) names += level + 1 == static_cast<int>(to) ? " and " : ", ";
    names += config::ToString(static_cast<config::LogLevel>(level));
  }
  return names;
}

// "512 bytes", "4.0 KiB", "10.0 MiB", "1.5 GiB", "2.0 TiB".
std::string Bytes(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

Error LogDirError(const config::Config& config, const std::string& problem) {
  return config::KeyError(config, "log_dir", "cannot open log files: " + problem);
}

}  // namespace

Status CheckLogDirectory(const config::Config& config) {
  if (config.log_dir.empty()) return OkStatus();
  const std::filesystem::path dir = config.log_dir;
  std::string problem = WhyNotWritable(dir, PathKind::kDirectory);
  for (const std::string_view name : {kAppLog, kAccessLog}) {
    if (problem.empty()) problem = WhyNotWritable(dir / name, PathKind::kFile);
  }
  if (!problem.empty()) return LogDirError(config, problem);
  return OkStatus();
}

void SetLogLevel(const server::Logs& logs, config::LogLevel level) {
  logs.app->set_level(ToSpdlog(level));  // spdlog keeps the level in an atomic
}

std::optional<Error> UnwrittenLevelsWarning(const config::Config& config) {
  if (!config.log_dir.empty() || !config.console_log_level ||
      *config.console_log_level <= config.log_level) {
    return std::nullopt;
  }
  return config::KeyError(
      config, "console_log_level",
      LevelsBetween(config.log_level, *config.console_log_level) +
          " lines are written nowhere: log_level (" +
          std::string(config::ToString(config.log_level)) +
          ") lets them through, this key keeps them off the console, and log_dir is unset, so "
          "there is no app.log; set log_dir to keep them in app.log, or log_level: " +
          std::string(config::ToString(*config.console_log_level)) + " if they are not wanted");
}

std::optional<Error> RotationCostWarning(const config::Config& config) {
  const auto backups = static_cast<std::uint64_t>(config.log_backup_count);
  const std::uint64_t enough = kMinLogBytesPerBackup * backups;
  if (config.log_dir.empty() || config.log_max_bytes >= enough) return std::nullopt;
  // What a call writes at INFO: its decision line in app.log (126 bytes without a trigger point
  // and a device, which UCM sends), its line in access.log (70 bytes).
  constexpr std::uint64_t kAppBytesPerCall = 160;
  constexpr std::uint64_t kAccessBytesPerCall = 70;
  const auto calls = [&config](std::uint64_t bytes_per_call) {
    return std::max<std::uint64_t>(1, config.log_max_bytes / bytes_per_call);
  };
  return config::KeyError(
      config, "log_max_bytes",
      fmt::format("{} bytes is small for log_backup_count ({}): at INFO, app.log is rotated about "
                  "every {} calls and access.log every {}, and each rotation renames up to {} "
                  "files while calls wait for their log lines; keep log_max_bytes at least {} "
                  "bytes per backup ({} here), or fewer backups",
                  config.log_max_bytes, backups, calls(kAppBytesPerCall),
                  calls(kAccessBytesPerCall), backups, kMinLogBytesPerBackup, enough));
}

std::optional<LogSpace> MeasureLogSpace(const config::Config& config) {
  if (config.log_dir.empty()) return std::nullopt;
  std::error_code error;
  const std::filesystem::path dir = std::filesystem::absolute(config.log_dir, error);
  if (error) return std::nullopt;
  struct statvfs fs {};
  if (::statvfs(NearestExisting(dir).c_str(), &fs) != 0) return std::nullopt;
  LogSpace space;
  space.available = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  for (const std::string_view name : {kAppLog, kAccessLog}) {
    const std::string path = (dir / name).string();
    for (std::size_t i = 0; i <= static_cast<std::size_t>(config.log_backup_count); ++i) {
      using Naming = spdlog::sinks::rotating_file_sink<spdlog::details::null_mutex>;
      const std::string file = i == 0 ? path : Naming::calc_filename(path, i);
      const auto size = std::filesystem::file_size(file, error);
      if (!error) space.used += size;
    }
  }
  return space;
}

std::optional<Error> LogSpaceWarning(const config::Config& config, const LogSpace& space) {
  if (config.log_dir.empty()) return std::nullopt;
  const std::uint64_t files = 2 * (static_cast<std::uint64_t>(config.log_backup_count) + 1);
  const std::uint64_t most = files * config.log_max_bytes;  // at most 2 × 1001 × 1 TiB: fits
  const std::uint64_t growth = most > space.used ? most - space.used : 0;
  if (growth <= space.available) return std::nullopt;
  return config::KeyError(
      config, "log_dir",
      fmt::format(
          "its file system has {} free, and the log files can take {} more (app.log and "
          "access.log are each up to {} files of log_max_bytes, {}, and take {} now): once "
          "it is full, log lines are lost (/health counts them as log_lines_lost); make room, or "
          "lower log_max_bytes or log_backup_count",
          Bytes(space.available), Bytes(growth), config.log_backup_count + 1,
          Bytes(config.log_max_bytes), Bytes(space.used)));
}

std::vector<Error> LogWarnings(const config::Config& config) {
  std::vector<Error> warnings;
  std::optional<Error> space;
  if (const std::optional<LogSpace> measured = MeasureLogSpace(config)) {
    space = LogSpaceWarning(config, *measured);
  }
  for (auto warning : {UnwrittenLevelsWarning(config), RotationCostWarning(config), space}) {
    if (warning) warnings.push_back(std::move(*warning));
  }
  return warnings;
}

Result<server::Logs> SetupLogging(const config::Config& config, const security::PiiMasker& masker) {
  server::Logs logs;
  logs.masker = &masker;
  std::vector<spdlog::sink_ptr> outputs{ConsoleOutput()};
  if (config.console_log_level) {
    logs.console_level = ToSpdlog(*config.console_log_level);
    outputs.front()->set_level(logs.console_level);
  }
  try {
    if (!config.log_dir.empty()) {
      std::filesystem::create_directories(config.log_dir);
      auto lines_lost = std::make_shared<std::atomic<std::uint64_t>>(0);
      logs.lines_lost = lines_lost;
      outputs.push_back(RotatingSink<spdlog::details::null_mutex>(config, kAppLog, lines_lost));
      logs.access = std::make_shared<spdlog::logger>(
          "access", RotatingSink<std::mutex>(config, kAccessLog, lines_lost));
      logs.access->set_pattern("%Y-%m-%d %H:%M:%S.%e %v");
      logs.access->set_level(spdlog::level::info);
      spdlog::register_logger(logs.access);  // so flush_every() flushes it too
    }
  } catch (const std::exception& e) {  // filesystem_error, spdlog_ex
    // The probe's reason when it has one: "File exists" does not say that log_dir is a link to
    // a missing directory.
    const std::string why = WhyNotWritable(config.log_dir, PathKind::kDirectory);
    return LogDirError(config, why.empty() ? e.what() : why);
  }
  logs.app = std::make_shared<spdlog::logger>("callgate",
                                              std::make_shared<FormatOnceSink>(std::move(outputs)));
  logs.app->set_pattern(kPattern);
  SetLogLevel(logs, config.log_level);
  logs.app->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logs.app);
  spdlog::flush_every(std::chrono::seconds(1));
  return logs;
}

}  // namespace callgate::app
