#include "server/http_date.h"

#include <fmt/format.h>

namespace callgate::server {

std::string HttpDate(std::time_t when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  gmtime_r(&when, &utc);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[utc.tm_wday], utc.tm_mday,
                     kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string_view CurrentHttpDate() {
  thread_local std::time_t made_for = -1;
  thread_local std::string date;
  const std::time_t now = std::time(nullptr);
  if (now != made_for) {
    made_for = now;
    date = HttpDate(now);
  }
  return date;
}

}  // namespace callgate::server
