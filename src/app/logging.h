// Logging set-up: the console always (only from console_log_level up, when that is set); with
// log_dir, rotating app.log and access.log sized by log_max_bytes / log_backup_count.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "server/logs.h"

namespace callgate::app {

// The names of the log files in log_dir.
inline constexpr std::string_view kAppLog = "app.log";
inline constexpr std::string_view kAccessLog = "access.log";

// Creates the "app" and "access" loggers for `config` (access is null without log_dir) and
// registers "app" as spdlog's default. The console output of "app" is set to console_log_level,
// and Logs::console_level says so. Fails if log_dir cannot be created or opened.
Result<server::Logs> SetupLogging(const config::Config& config, const security::PiiMasker& masker);

// Puts `level` in force for app's lines (a reload's edited log_level), safely while other threads
// log; console_log_level still applies to the console, and access.log keeps INFO.
void SetLogLevel(const server::Logs& logs, config::LogLevel level);

// The warning for a console_log_level more severe than log_level without log_dir: the lines at
// the levels between them pass log_level but reach no output. Located at console_log_level's
// line; std::nullopt when every line log_level lets through is written somewhere.
std::optional<Error> UnwrittenLevelsWarning(const config::Config& config);

// The warning for log files so small for their number of backups that rotating them holds up
// calls: each rotation renames up to log_backup_count files (about 20 µs each) while every
// request's log line waits, and at INFO a call writes about 160 bytes to app.log and 70 to
// access.log. Warns below kMinLogBytesPerBackup × log_backup_count (the two files' rotations
// then cost a microsecond a call or more), located at log_max_bytes; std::nullopt without
// log_dir or above it.
inline constexpr std::uint64_t kMinLogBytesPerBackup = 4096;
std::optional<Error> RotationCostWarning(const config::Config& config);

// How much room log_dir's file system has for the log files: the bytes this process may still
// write there (statvfs's f_bavail), and the bytes app.log, access.log and their backups
// (app.1.log ...) take now.
struct LogSpace {
  std::uint64_t available = 0;
  std::uint64_t used = 0;
};
// LogSpace of log_dir (of its nearest existing ancestor while it does not exist); nullopt without
// log_dir, or when the file system cannot be asked.
std::optional<LogSpace> MeasureLogSpace(const config::Config& config);

// The warning for log files that can grow past what log_dir's file system has left: each of
// app.log and access.log is up to log_backup_count + 1 files of log_max_bytes, and log lines
// are lost once the file system is full. Located at log_dir; std::nullopt when there is room.
std::optional<Error> LogSpaceWarning(const config::Config& config, const LogSpace& space);

// Every warning above, as serve logs them at start-up and `callgate check` prints them (the
// space one from MeasureLogSpace, now).
std::vector<Error> LogWarnings(const config::Config& config);

// What SetupLogging needs of log_dir, checked without creating or opening anything (for
// `callgate check`): that log_dir, or the directory it would be created in, is writable, and
// that app.log and access.log, where they exist, are writable files. The error is worded and
// located like SetupLogging's. OK without log_dir.
Status CheckLogDirectory(const config::Config& config);

}  // namespace callgate::app
