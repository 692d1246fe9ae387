// Result<T>: a value or an Error, for every operation that can fail on expected input.
// Errors on the request path and in loaders are values, never exceptions (DESIGN.md §5).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace callgate {

// What went wrong and where. `file` and `line` (1-based; 0 = not known) locate the problem in
// a user's file; `key` names the configuration key, or `column` the CSV column, when there is
// one. Text from outside callgate that an error quotes (a CSV column, a certificate's subject)
// is made fit for a log line where the error is made (log_text.h), so that ToString() can be
// logged as it is, and reads the same in a log line as in `callgate check`.
struct Error {
  std::string message;
  std::string file;
  int line = 0;
  std::string key;
  std::string column;

  // "FILE:LINE: key 'KEY': MESSAGE" or "FILE:LINE: column 'COLUMN': MESSAGE", leaving out the
  // parts that are empty.
  std::string ToString() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !ok().
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Success-or-error for operations without a value.
using Status = Result<std::monostate>;
inline Status OkStatus() { return Status(std::monostate{}); }

}  // namespace callgate
