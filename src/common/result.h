// Result<T>: a value or an Error, for every operation that can fail on expected input.
// Errors on the request path and in loaders are values, never exceptions (DESIGN.md §5).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

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
  // The errors found after this one in the same pass, in order, each with none of its own: a
  // configuration file's every bad key, so that an administrator fixes them in one round.
  // Empty for most errors.
  std::vector<Error> more;

  // "FILE:LINE: key 'KEY': MESSAGE" or "FILE:LINE: column 'COLUMN': MESSAGE", leaving out the
  // parts that are empty. This error only, not `more`.
  std::string ToString() const;
  // ToString() of this error and of each of `more`, each on a line of its own that begins with
  // `prefix` and ends with a newline. Past `limit` errors, a last line says how many are left out.
  std::string AllToString(std::string_view prefix, std::size_t limit = kMaxErrorsShown) const;

  static constexpr std::size_t kMaxErrorsShown = 20;
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
