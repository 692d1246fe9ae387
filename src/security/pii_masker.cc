#include "security/pii_masker.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "common/log_text.h"

namespace callgate::security {
namespace {

constexpr std::size_t kHexChars = 24;    // 96 bits: collisions are negligible for log correlation
constexpr std::size_t kBlockBytes = 64;  // SHA-256 block size: HMAC pads the key to it

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "callgate: %s: cannot mask PII safely\n", what);
  std::abort();
}

std::array<std::uint8_t, 32> RandomSalt() {
  std::array<std::uint8_t, 32> salt{};
  // A predictable salt would make every masked phone number reversible from a table; without
  // a working CSPRNG the process cannot keep its privacy promise, so it must not go on.
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) Die("RAND_bytes failed");
  return salt;
}

}  // namespace

// HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)). The two padded-key blocks are hashed once
// here; Mask() copies those states instead of re-keying, and uses a pre-fetched digest instead
// of HMAC()'s per-call algorithm lookup: about six times faster than HMAC() on OpenSSL 3.
// Copying reads the source state only, so concurrent Mask() calls are safe.
struct PiiMasker::KeyedHash {
  explicit KeyedHash(const std::array<std::uint8_t, 32>& key)
      : digest(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
        inner(EVP_MD_CTX_new()),
        outer(EVP_MD_CTX_new()) {
    if (digest == nullptr || inner == nullptr || outer == nullptr) Die("SHA-256 unavailable");
    Absorb(inner, key, 0x36);
    Absorb(outer, key, 0x5c);
  }
  ~KeyedHash() {
    EVP_MD_CTX_free(outer);
    EVP_MD_CTX_free(inner);
    EVP_MD_free(digest);
  }
  KeyedHash(const KeyedHash&) = delete;
  KeyedHash& operator=(const KeyedHash&) = delete;

  void Absorb(EVP_MD_CTX* context, const std::array<std::uint8_t, 32>& key, std::uint8_t pad) {
    std::uint8_t block[kBlockBytes];
    for (std::size_t i = 0; i < kBlockBytes; ++i) {
      block[i] = static_cast<std::uint8_t>((i < key.size() ? key[i] : 0) ^ pad);
    }
    const bool ok = EVP_DigestInit_ex(context, digest, nullptr) == 1 &&
                    EVP_DigestUpdate(context, block, sizeof block) == 1;
    OPENSSL_cleanse(block, sizeof block);
    if (!ok) Die("SHA-256 failed");
  }

  // Returns false only if OpenSSL fails (out of memory).
  bool Hmac(std::string_view value, unsigned char (&out)[EVP_MAX_MD_SIZE]) const {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    unsigned int length = 0;
    const bool ok = context != nullptr && EVP_MD_CTX_copy_ex(context, inner) == 1 &&
                    EVP_DigestUpdate(context, value.data(), value.size()) == 1 &&
                    EVP_DigestFinal_ex(context, out, &length) == 1 &&
                    EVP_MD_CTX_copy_ex(context, outer) == 1 &&
                    EVP_DigestUpdate(context, out, length) == 1 &&
                    EVP_DigestFinal_ex(context, out, &length) == 1;
    EVP_MD_CTX_free(context);
    return ok;
  }

  EVP_MD* digest;
  EVP_MD_CTX* inner;
  EVP_MD_CTX* outer;
};

PiiMasker::PiiMasker(bool enabled) : enabled_(enabled) {
  if (enabled_) keyed_ = std::make_shared<const KeyedHash>(RandomSalt());
}

PiiMasker::PiiMasker(bool enabled, const std::array<std::uint8_t, 32>& salt) : enabled_(enabled) {
  if (enabled_) keyed_ = std::make_shared<const KeyedHash>(salt);
}

std::string PiiMasker::Mask(std::string_view value) const {
  // Empty values hide nothing; the reference passes them through too.
  if (!enabled_ || value.empty()) return LogSafeCopy(value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  // Never fall back to the clear value: a log line without the value beats a leak.
  if (!keyed_->Hmac(value, digest)) return "{! ? !}";
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
