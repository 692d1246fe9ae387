#include "security/pii_masker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace callgate::security {
namespace {

std::array<std::uint8_t, 32> CountingSalt() {
  std::array<std::uint8_t, 32> salt{};
  for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<std::uint8_t>(i);
  return salt;
}

// HMAC-SHA256 through EVP_MAC, a different OpenSSL entry point from the one the masker uses.
std::string ReferenceMask(const std::array<std::uint8_t, 32>& salt, const std::string& value) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_init(context, salt.data(), salt.size(), params);
  EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  unsigned char out[32];
  std::size_t length = 0;
  EVP_MAC_final(context, out, &length, sizeof out);
  EVP_MAC_CTX_free(context);
  EVP_MAC_free(mac);
  std::string hex;
  char byte[3];
  for (std::size_t i = 0; i < 12; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", out[i]);
    hex += byte;
  }
  return "{! " + hex + " !}";
}

TEST(PiiMaskerTest, KnownSaltVectors) {
  // Computed with Python: hmac.new(bytes(range(32)), value, sha256).hexdigest()[:24].
  PiiMasker masker(true, CountingSalt());
  EXPECT_EQ(masker.Mask("+12125551212"), "{! 5901acb2df9877573b91514f !}");
  EXPECT_EQ(masker.Mask("John Doe"), "{! 59d2bc35858c1d5306f13b0a !}");
  EXPECT_EQ(masker.Mask("10.1.1.10"), "{! ae9e731d8d6794d8223052bd !}");
}

TEST(PiiMaskerTest, MatchesEvpMacForManyValues) {
  PiiMasker masker(true, CountingSalt());
  for (const std::string& value :
       std::vector<std::string>{"1", "+441632960961", "anonymous", "Zoë Ångström",
                                std::string(1000, 'x'), std::string("a\0b", 3)}) {
    EXPECT_EQ(masker.Mask(value), ReferenceMask(CountingSalt(), value)) << value;
  }
}

TEST(PiiMaskerTest, SameValueSameMaskDifferentValueDifferentMask) {
  PiiMasker masker(true);
  EXPECT_EQ(masker.Mask("+12125551212"), masker.Mask("+12125551212"));
  std::set<std::string> masks;
  for (int i = 0; i < 1000; ++i) masks.insert(masker.Mask("+1212555" + std::to_string(1000 + i)));
  EXPECT_EQ(masks.size(), 1000u);
}

TEST(PiiMaskerTest, FormatHidesTheValue) {
  PiiMasker masker(true);
  const std::string masked = masker.Mask("+12125551212");
  EXPECT_THAT(masked, ::testing::MatchesRegex("\\{! [0-9a-f]{24} !\\}"));
  EXPECT_EQ(masked.find("2125551212"), std::string::npos);
}

TEST(PiiMaskerTest, DisabledShowsTheValueLogSafe) {
  PiiMasker masker(false);
  EXPECT_FALSE(masker.enabled());
  EXPECT_EQ(masker.Mask("+12125551212"), "+12125551212");
  EXPECT_EQ(masker.Mask("John Doe"), "John Doe");
  EXPECT_EQ(PiiMasker(false, CountingSalt()).Mask("x"), "x");
  // A certificate CN or an address is attacker-chosen: it must not start a line of its own.
  EXPECT_EQ(masker.Mask("evil\n[error] forged"), "evil\\x0a[error] forged");
}

TEST(PiiMaskerTest, EmptyValuePassesThrough) { EXPECT_EQ(PiiMasker(true).Mask(""), ""); }

TEST(PiiMaskerTest, ConcurrentMasksAgree) {
  const PiiMasker masker(true, CountingSalt());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (masker.Mask("+12125551212") != "{! 5901acb2df9877573b91514f !}") ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(PiiMaskerTest, CopiesMaskAlike) {
  const PiiMasker original(true);
  const PiiMasker copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.Mask("x"), original.Mask("x"));
}

TEST(PiiMaskerTest, TwoMaskersUseDifferentSalts) {
  PiiMasker first(true);
  PiiMasker second(true);
  EXPECT_TRUE(first.enabled());
  EXPECT_NE(first.Mask("+12125551212"), second.Mask("+12125551212"));
}

}  // namespace
}  // namespace callgate::security
