// Logs: the loggers and the PII masker the server writes through. Owned by the application;
// the server only borrows them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include "common/log_text.h"
#include "security/pii_masker.h"

namespace callgate::server {

// A value from outside the server as it may appear in a log line: made log-safe (control
// characters escaped, length capped: common/log_text.h) and, for personal data under
// obfuscate_pii, masked. Views the value when it needs neither, so the common case copies
// nothing; keep the value alive while this lives.
class LogText {
 public:
  // `masker`: the PII masker for personal data (phone numbers, names, addresses), null for other
  // text. `quote`: a quote character the line puts around the value, escaped in it.
  LogText(const security::PiiMasker* masker, std::string_view value, char quote = '\0')
      : view_(masker != nullptr && masker->enabled() ? Masked(*masker, value)
                                                     : LogSafe(value, scratch_, quote)) {}
  LogText(const LogText&) = delete;
  LogText& operator=(const LogText&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::string_view Masked(const security::PiiMasker& masker, std::string_view value) {
    scratch_ = masker.Mask(value);
    return scratch_;
  }

  std::string scratch_;  // declared before view_, which may point into it
  std::string_view view_;
};

// A response's body size as access.log writes it (Logs::BodySize).
struct LoggedBodySize {
  std::size_t bytes;
  bool hidden;  // written "-"
};

struct Logs {
  std::shared_ptr<spdlog::logger> app;     // console (+ app.log): decisions, events, errors
  std::shared_ptr<spdlog::logger> access;  // access.log, one line per HTTP request; may be null
  const security::PiiMasker* masker = nullptr;
  // The least severe of app's lines the console shows (console_log_level); a line must also pass
  // app's own level. trace: the console shows every line app lets through.
  spdlog::level::level_enum console_level = spdlog::level::trace;
  // Lines that could not be written to app.log or access.log since start-up (a full disk, a
  // log_dir removed or made unwritable, a FIFO in a file's place): "up to", as a line in the
  // buffer when a write fails counts though part of it may have reached the file. Counted by the
  // log files' sinks; /health shows it as log_lines_lost. Null: none counted (no log_dir).
  std::shared_ptr<const std::atomic<std::uint64_t>> lines_lost;

  // Whether a line at `level` reaches the console.
  bool ConsoleShows(spdlog::level::level_enum level) const {
    return app->should_log(level) && level >= console_level;
  }

  // For log arguments from outside: Pii(number) prints the number, or its mask under
  // obfuscate_pii; Text(value) prints other text (a trigger point, an attribute name). Both
  // escape what could forge or hide a line.
  LogText Pii(std::string_view value) const { return LogText(masker, value); }
  // Whether obfuscate_pii is on: for values that are personal data only sometimes (a path a
  // client chose), so that the test is made only when it matters.
  bool masking() const { return masker != nullptr && masker->enabled(); }
  LogText Text(std::string_view value, char quote = '\0') const {
    return LogText(nullptr, value, quote);
  }
  // For a value from outside that is normally a word of the protocol (a trigger point, an
  // attribute name) but may be anything a client sent: as Text() when `looks_like_word` says it
  // is one (asked only under obfuscate_pii), else as Pii().
  LogText Word(std::string_view value, bool (*looks_like_word)(std::string_view)) const {
    return LogText(masking() && !looks_like_word(value) ? masker : nullptr, value);
  }
  // A response's body size for access.log: "-" under obfuscate_pii, since the size of a CURRI
  // answer gives away the length of the display name in it (472 bytes without a name, 512 with
  // one of 10 characters). Formatted as the number itself is, without allocating.
  LoggedBodySize BodySize(std::size_t bytes) const { return {bytes, masking()}; }
};

// What an exception says, for a log line: its what(), or that its type is unknown.
inline std::string ExceptionText(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

// Logs a line that is written for every request. `format` is an FMT_COMPILE string: parsed
// once at build time instead of on every call, about 100 ns a line less than logger.info().
template <class CompiledFormat, class... Args>
void LogEveryRequest(spdlog::logger& logger, spdlog::level::level_enum level,
                     const CompiledFormat& format, const Args&... args) {
  if (!logger.should_log(level)) return;
  fmt::memory_buffer line;
  fmt::format_to(fmt::appender(line), format, args...);
  logger.log(level, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace callgate::server

template <>
struct fmt::formatter<callgate::server::LoggedBodySize> {
  constexpr auto parse(fmt::format_parse_context& context) { return context.begin(); }
  template <class FormatContext>
  auto format(const callgate::server::LoggedBodySize& size, FormatContext& context) const {
    if (!size.hidden) return fmt::format_to(context.out(), FMT_COMPILE("{}"), size.bytes);
    auto out = context.out();
    *out++ = '-';
    return out;
  }
};

template <>
struct fmt::formatter<callgate::server::LogText> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const callgate::server::LogText& text, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(text.view(), context);
  }
};
