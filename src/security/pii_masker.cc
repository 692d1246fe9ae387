#include "security/pii_masker.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace callgate::security {
namespace {

constexpr std::size_t kHexChars = 24;  // 96 bits: collisions are negligible for log correlation

std::array<std::uint8_t, 32> RandomSalt() {
  std::array<std::uint8_t, 32> salt{};
  // A predictable salt would make every masked phone number reversible from a table; without
  // a working CSPRNG the process cannot keep its privacy promise, so it must not go on.
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    std::fputs("callgate: RAND_bytes failed: cannot create the PII masking salt\n", stderr);
    std::abort();
  }
  return salt;
}

}  // namespace

PiiMasker::PiiMasker(bool enabled) : enabled_(enabled) {
  if (enabled_) salt_ = RandomSalt();
}

PiiMasker::PiiMasker(bool enabled, const std::array<std::uint8_t, 32>& salt)
    : enabled_(enabled), salt_(salt) {}

std::string PiiMasker::Mask(std::string_view value) const {
  // Empty values hide nothing; the reference passes them through too.
  if (!enabled_ || value.empty()) return std::string(value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  HMAC(EVP_sha256(), salt_.data(), static_cast<int>(salt_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest, &digest_length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "{! ";
  for (std::size_t i = 0; i < kHexChars / 2; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  out += " !}";
  return out;
}

}  // namespace callgate::security
