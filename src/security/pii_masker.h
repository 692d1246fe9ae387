// PiiMasker: hides phone numbers and names in log output when obfuscate_pii is on.
// A masked value is "{! <first 24 hex chars of HMAC-SHA256(salt, value)> !}"; the 32-byte salt
// comes from a CSPRNG at construction and is kept only in memory, so the same value masks the
// same way for the life of the process and cannot be reversed from a table of numbers.
//
// Thread-safe: Mask() is const and may be called concurrently. Copies share the keyed state.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace callgate::security {

class PiiMasker {
 public:
  // enabled=false: Mask() returns its input, made log-safe. enabled=true draws the salt with
  // RAND_bytes; if the CSPRNG fails the process aborts (a guessable salt would make every mask
  // reversible); so it does if OpenSSL has no SHA-256.
  explicit PiiMasker(bool enabled);
  // For tests: a fixed salt.
  PiiMasker(bool enabled, const std::array<std::uint8_t, 32>& salt);

  bool enabled() const { return enabled_; }
  // "{! <24 hex> !}" when enabled; when disabled, the value as LogSafeCopy() writes it
  // (common/log_text.h: control characters escaped, length capped), since masks and values both
  // go into log lines. An empty value is returned as is (as the reference does): there is
  // nothing in it to hide. About 0.2 µs; allocates.
  std::string Mask(std::string_view value) const;

 private:
  struct KeyedHash;  // HMAC-SHA256 with the salt already absorbed; see pii_masker.cc

  bool enabled_;
  std::shared_ptr<const KeyedHash> keyed_;  // null when disabled
};

}  // namespace callgate::security
