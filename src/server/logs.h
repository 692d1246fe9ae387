// Logs: the loggers and the PII masker the server writes through. Owned by the application;
// the server only borrows them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include "security/pii_masker.h"

namespace callgate::server {

// A phone number, name or address as it may appear in a log line: the value itself, or its mask
// when obfuscate_pii is on. Views the value when it is not masked, so the common case copies
// nothing; keep the value alive while this lives.
class PiiText {
 public:
  PiiText(const security::PiiMasker& masker, std::string_view value)
      : masked_(masker.enabled() ? masker.Mask(value) : std::string()),
        view_(masker.enabled() ? std::string_view{masked_} : value) {}
  PiiText(const PiiText&) = delete;
  PiiText& operator=(const PiiText&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::string masked_;
  std::string_view view_;
};

struct Logs {
  std::shared_ptr<spdlog::logger> app;     // console (+ app.log): decisions, events, errors
  std::shared_ptr<spdlog::logger> access;  // access.log, one line per HTTP request; may be null
  const security::PiiMasker* masker = nullptr;

  // For a log argument: Pii(number) prints the number, or its mask under obfuscate_pii.
  PiiText Pii(std::string_view value) const { return PiiText(*masker, value); }
};

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
struct fmt::formatter<callgate::server::PiiText> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const callgate::server::PiiText& text, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(text.view(), context);
  }
};
