#include "server/request_line.h"

#include <gtest/gtest.h>

#include <string>

namespace callgate::server {
namespace {

// The line and the empty line after it must fit: a 36-byte line needs 38 bytes.
TEST(RequestLineTest, IsLongerThanTheLimitWhenItAndAnEmptyLineCannotFit) {
  const std::string line = "GET /" + std::string(20, 'a') + " HTTP/1.1\r\n";  // 36 bytes
  const std::string request = line + "Host: x\r\n\r\n";
  EXPECT_FALSE(RequestLineLongerThan(request, 38));
  EXPECT_TRUE(RequestLineLongerThan(request, 37));
  EXPECT_TRUE(RequestLineLongerThan(line + "\r\n", 37)) << "no field needed to be too long";
  EXPECT_TRUE(RequestLineLongerThan(std::string(38, 'a'), 40));
  EXPECT_FALSE(RequestLineLongerThan(std::string(37, 'a'), 40)) << "not all here yet";
  EXPECT_FALSE(RequestLineLongerThan("GET / HTTP/1.1\r\n" + std::string(100, 'x'), 20))
      << "the fields are too large, not the request line";
}

TEST(RequestLineTest, MajorVersionOfTheFirstLine) {
  struct Case {
    std::string bytes;
    std::optional<int> major;
  };
  const Case cases[] = {
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 2},
      {"GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 2},
      {"GET /health HTTP/3\r\n", 3},
      {"GET / HTTP/1.2\r\n", 1},
      {"GET / HTTP/0.9\n", 0},
      {"PRI * HTTP/2.0", 2},  // refused before its line end arrived
      {"PRI * HTTP/2.0\r", 2},
      {"GET / HTTP/1.1\rX: HTTP/2\r\n\r\n", 1},  // a bare CR ends the line
      {"GET / HTTX/2.0\r\n", std::nullopt},
      {"GET / HTTP/2.0 \r\n", std::nullopt},
      {"GET / HTTP/2.0x", std::nullopt},
      {"GET / HTTP/22.0\r\n", std::nullopt},
      {"GET / HTTP/2.\r\n", std::nullopt},
      {"GET / HTTP/\r\n", std::nullopt},
      {"HTTP/2.0\r\n", std::nullopt},  // no method or target before it
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RequestLineMajorVersion(c.bytes), c.major) << c.bytes;
  }
}

}  // namespace
}  // namespace callgate::server
