#include "app/logging.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace callgate::app {
namespace {

constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e [%l] %n: %v";

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

// The console when it is not a terminal (systemd, docker, a pipe): lines go through stdio's
// buffer and reach the file descriptor on flush (warnings and above, once a second, and after
// start-up and reloads), instead of one write(2) per line as spdlog's console sinks do. At INFO
// every request logs a line, so this is a system call per request saved.
class BufferedConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedConsoleSink(std::FILE* file) : file_(file) {
    std::setvbuf(file_, nullptr, _IOFBF, std::size_t{1} << 16);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), file_);
  }
  void flush_() override { std::fflush(file_); }

 private:
  std::FILE* file_;
};

spdlog::sink_ptr ConsoleSink() {
  if (isatty(STDERR_FILENO)) return std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return std::make_shared<BufferedConsoleSink>(stderr);
}

std::shared_ptr<spdlog::sinks::rotating_file_sink_mt> RotatingSink(const config::Config& config,
                                                                   const char* name) {
  const auto path = std::filesystem::path(config.log_dir) / name;
  return std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
      path.string(), config.log_max_bytes, static_cast<std::size_t>(config.log_backup_count));
}

}  // namespace

Result<server::Logs> SetupLogging(const config::Config& config, const security::PiiMasker& masker) {
  server::Logs logs;
  logs.masker = &masker;
  std::vector<spdlog::sink_ptr> sinks{ConsoleSink()};
  try {
    if (!config.log_dir.empty()) {
      std::filesystem::create_directories(config.log_dir);
      sinks.push_back(RotatingSink(config, "app.log"));
      logs.access = std::make_shared<spdlog::logger>("access", RotatingSink(config, "access.log"));
      logs.access->set_pattern("%Y-%m-%d %H:%M:%S.%e %v");
      logs.access->set_level(spdlog::level::info);
      spdlog::register_logger(logs.access);  // so flush_every() flushes it too
    }
  } catch (const std::exception& e) {  // filesystem_error, spdlog_ex
    const auto line = config.key_lines.find("log_dir");
    return Error{std::string("cannot open log files: ") + e.what(), config.file,
                 line == config.key_lines.end() ? 0 : line->second, "log_dir"};
  }
  logs.app = std::make_shared<spdlog::logger>("callgate", sinks.begin(), sinks.end());
  logs.app->set_pattern(kPattern);
  logs.app->set_level(ToSpdlog(config.log_level));
  logs.app->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logs.app);
  spdlog::flush_every(std::chrono::seconds(1));
  return logs;
}

}  // namespace callgate::app
