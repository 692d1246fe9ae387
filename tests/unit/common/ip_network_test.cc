#include "common/ip_network.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callgate {
namespace {

using Family = IpAddress::Family;

struct ParseCase {
  std::string text;
  Family family;
  std::string canonical;
};

class IpAddressParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(IpAddressParseTest, ParsesToCanonicalText) {
  const ParseCase& c = GetParam();
  auto address = IpAddress::Parse(c.text);
  ASSERT_TRUE(address.has_value()) << c.text;
  EXPECT_EQ(address->family(), c.family) << c.text;
  EXPECT_EQ(address->ToString(), c.canonical) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpAddressParseTest,
    ::testing::Values(ParseCase{"10.1.1.10", Family::kV4, "10.1.1.10"},
                      ParseCase{"0.0.0.0", Family::kV4, "0.0.0.0"},
                      ParseCase{"255.255.255.255", Family::kV4, "255.255.255.255"},
                      // What a dual-stack socket (and boost's to_string) reports for IPv4 peers.
                      ParseCase{"::ffff:10.1.1.10", Family::kV4, "10.1.1.10"},
                      ParseCase{"::FFFF:0a01:010a", Family::kV4, "10.1.1.10"},
                      ParseCase{"2001:DB8::1", Family::kV6, "2001:db8::1"},
                      ParseCase{"2001:0db8:0000:0000:0000:0000:0000:0001", Family::kV6,
                                "2001:db8::1"},
                      ParseCase{"::1", Family::kV6, "::1"}, ParseCase{"::", Family::kV6, "::"},
                      ParseCase{"fe80::1%eth0", Family::kV6, "fe80::1"},
                      ParseCase{"fe80::1%2", Family::kV6, "fe80::1"}));

class IpAddressRejectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IpAddressRejectTest, Rejects) {
  EXPECT_FALSE(IpAddress::Parse(GetParam()).has_value()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Table, IpAddressRejectTest,
                         ::testing::Values("", " 10.1.1.1", "10.1.1.1 ", "10.1.1", "10.1.1.256",
                                           "010.1.1.1",  // octal-looking: refused, not guessed
                                           "10.1.1.1/32", "[::1]", "1.2.3.4%eth0", "fe80::1%",
                                           "fe80::1%bad zone", "gggg::1", "1:2:3:4:5:6:7:8:9",
                                           "::ffff:10.1.1.10:1", "localhost",
                                           std::string("10.1.1.1\0x", 10), std::string(100, '1')));

TEST(IpAddressTest, V4MappedEqualsV4) {
  EXPECT_EQ(IpAddress::Parse("::ffff:10.1.1.10"), IpAddress::Parse("10.1.1.10"));
  EXPECT_NE(IpAddress::Parse("::10.1.1.10"), IpAddress::Parse("10.1.1.10"));
}

TEST(IpAddressTest, DefaultIsV4Unspecified) {
  EXPECT_EQ(IpAddress().ToString(), "0.0.0.0");
  EXPECT_TRUE(IpAddress().is_v4());
}

TEST(IpAddressTest, FromBytes) {
  const std::uint8_t v4[] = {192, 0, 2, 7};
  const std::uint8_t mapped[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7};
  const std::uint8_t v6[] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
  EXPECT_EQ(IpAddress::FromBytes(v4)->ToString(), "192.0.2.7");
  EXPECT_EQ(IpAddress::FromBytes(mapped)->ToString(), "192.0.2.7");
  EXPECT_TRUE(IpAddress::FromBytes(mapped)->is_v4());
  EXPECT_EQ(IpAddress::FromBytes(v6)->ToString(), "2001:db8::9");
  EXPECT_FALSE(IpAddress::FromBytes(std::span(v6).first(5)).has_value());
  EXPECT_FALSE(IpAddress::FromBytes({}).has_value());
}

TEST(IpAddressTest, Loopback) {
  const std::vector<std::pair<std::string, bool>> table = {
      {"127.0.0.1", true},  {"127.255.255.254", true},  {"::1", true},  {"::ffff:127.0.0.1", true},
      {"128.0.0.1", false}, {"126.255.255.255", false}, {"::2", false}, {"10.0.0.1", false},
      {"::", false}};
  for (const auto& [text, loopback] : table) {
    EXPECT_EQ(IpAddress::Parse(text)->is_loopback(), loopback) << text;
  }
}

struct NetworkCase {
  std::string text;
  std::string canonical;
};

class IpNetworkParseTest : public ::testing::TestWithParam<NetworkCase> {};

TEST_P(IpNetworkParseTest, ParsesToCanonicalText) {
  auto network = IpNetwork::Parse(GetParam().text);
  ASSERT_TRUE(network.ok()) << GetParam().text << ": " << network.error().message;
  EXPECT_EQ(network->ToString(), GetParam().canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpNetworkParseTest,
    ::testing::Values(NetworkCase{"10.1.2.0/24", "10.1.2.0/24"},
                      NetworkCase{"10.1.2.7/24", "10.1.2.0/24"},  // strict=False, as the reference
                      NetworkCase{"10.1.1.10", "10.1.1.10/32"},
                      NetworkCase{"0.0.0.0/0", "0.0.0.0/0"}, NetworkCase{"10.9.9.9/0", "0.0.0.0/0"},
                      NetworkCase{"10.1.2.0/024", "10.1.2.0/24"},
                      NetworkCase{"2001:db8::/32", "2001:db8::/32"},
                      NetworkCase{"2001:DB8:ffff::1/32", "2001:db8::/32"},
                      NetworkCase{"::1", "::1/128"}, NetworkCase{"::/0", "::/0"},
                      NetworkCase{"::ffff:10.1.1.10", "10.1.1.10/32"},
                      NetworkCase{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
                      NetworkCase{"::ffff:0.0.0.0/96", "0.0.0.0/0"}));

class IpNetworkRejectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(IpNetworkRejectTest, Rejects) {
  EXPECT_FALSE(IpNetwork::Parse(GetParam()).ok()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Table, IpNetworkRejectTest,
                         ::testing::Values("", "/24", "10.1.2.0/", "10.1.2.0/33", "10.1.2.0/-1",
                                           "10.1.2.0/+8", "10.1.2.0/ 24", "10.1.2.0 /24",
                                           "10.1.2.0/24/1", "10.1.2.0/0024", "10.1.2.0/2a",
                                           "2001:db8::/129", "fe80::1%eth0", "fe80::/10%eth0",
                                           "::ffff:10.0.0.0/95", "10.1.2.0/24 ", "any",
                                           // from_chars would read these as /0: every address.
                                           "10.1.2.0/-0", "10.1.2.0/-00", "::/-0"));

struct ReasonCase {
  std::string text;
  std::string reason;  // part of the error message
};

class IpNetworkReasonTest : public ::testing::TestWithParam<ReasonCase> {};

TEST_P(IpNetworkReasonTest, SaysWhy) {
  auto network = IpNetwork::Parse(GetParam().text);
  ASSERT_FALSE(network.ok()) << GetParam().text;
  EXPECT_NE(network.error().message.find(GetParam().reason), std::string::npos)
      << GetParam().text << ": " << network.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpNetworkReasonTest,
    ::testing::Values(
        ReasonCase{"", "it is empty"}, ReasonCase{" 10.1.1.1", "whitespace"},
        ReasonCase{"10.1.2.0/ 24", "whitespace"}, ReasonCase{"fe80::1%eth0", "zone index"},
        ReasonCase{"fe80::/10%eth0", "zone index"}, ReasonCase{"/24", "address before '/'"},
        ReasonCase{"10.1.300.1", "not an IPv4 address"},
        ReasonCase{"010.1.1.1", "without leading zeros"}, ReasonCase{"10.1.1", "four decimal"},
        ReasonCase{"gggg::/16", "not an IPv6 address"},
        ReasonCase{"[::1]/128", "not an IPv6 address"},
        ReasonCase{"10.1.2.0/", "prefix length after '/'"}, ReasonCase{"10.1.2.0/-0", "no sign"},
        ReasonCase{"10.1.2.0/+8", "no sign"}, ReasonCase{"10.1.2.0/0024", "three decimal digits"},
        ReasonCase{"1.2.3.4/255.255.255.0", "number of bits"},
        ReasonCase{"10.1.2.0/33", "IPv4 prefix length is at most 32"},
        ReasonCase{"2001:db8::/129", "IPv6 prefix length is at most 128"},
        ReasonCase{"::ffff:10.0.0.0/129", "IPv6 prefix length is at most 128"},
        ReasonCase{"::ffff:10.0.0.0/64",
                   "IPv4-mapped network (::ffff:a.b.c.d) needs a prefix "
                   "length of at least 96"},
        ReasonCase{"::ffff:0:0/95", "at least 96"}));

struct ContainsCase {
  std::string network;
  std::string address;
  bool contains;
};

class IpNetworkContainsTest : public ::testing::TestWithParam<ContainsCase> {};

TEST_P(IpNetworkContainsTest, Contains) {
  const ContainsCase& c = GetParam();
  auto network = IpNetwork::Parse(c.network);
  auto address = IpAddress::Parse(c.address);
  ASSERT_TRUE(network && address) << c.network << " " << c.address;
  EXPECT_EQ(network->Contains(*address), c.contains) << c.network << " contains " << c.address;
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpNetworkContainsTest,
    ::testing::Values(
        ContainsCase{"10.1.2.0/24", "10.1.2.0", true},
        ContainsCase{"10.1.2.0/24", "10.1.2.255", true},
        ContainsCase{"10.1.2.0/24", "10.1.3.0", false},
        ContainsCase{"10.1.2.0/24", "10.1.1.255", false},
        ContainsCase{"10.1.2.0/24", "::ffff:10.1.2.9", true},  // IPv4-mapped peer
        ContainsCase{"10.1.1.10", "10.1.1.10", true}, ContainsCase{"10.1.1.10", "10.1.1.11", false},
        ContainsCase{"10.1.1.10", "::ffff:10.1.1.10", true},
        ContainsCase{"10.1.2.128/25", "10.1.2.127", false},
        ContainsCase{"10.1.2.128/25", "10.1.2.128", true},
        ContainsCase{"0.0.0.0/0", "203.0.113.9", true}, ContainsCase{"0.0.0.0/0", "::1", false},
        ContainsCase{"2001:db8::/32", "2001:db8:ffff::1", true},
        ContainsCase{"2001:db8::/32", "2001:db9::1", false},
        ContainsCase{"2001:db8::/32", "10.1.2.3", false},
        ContainsCase{"2001:db8::/33", "2001:db8:7fff::", true},
        ContainsCase{"2001:db8::/33", "2001:db8:8000::", false}, ContainsCase{"::/0", "::1", true},
        ContainsCase{"::/0", "10.0.0.1", false},  // families stay apart
        ContainsCase{"::/0", "::ffff:10.0.0.1", false}, ContainsCase{"::1", "::1", true},
        ContainsCase{"::1", "127.0.0.1", false}));

TEST(IpNetworkTest, FromPrefixChecksRange) {
  auto v4 = *IpAddress::Parse("10.1.2.3");
  auto v6 = *IpAddress::Parse("2001:db8::1");
  EXPECT_FALSE(IpNetwork::FromPrefix(v4, 33).has_value());
  EXPECT_FALSE(IpNetwork::FromPrefix(v4, -1).has_value());
  EXPECT_EQ(IpNetwork::FromPrefix(v4, 16)->ToString(), "10.1.0.0/16");
  EXPECT_EQ(IpNetwork::FromPrefix(v6, 128)->ToString(), "2001:db8::1/128");
  EXPECT_FALSE(IpNetwork::FromPrefix(v6, 129).has_value());
}

}  // namespace
}  // namespace callgate
