// The configuration's check of allowed_ips and the authorizer built from it at start-up must
// agree on every entry: a file that loads must start, and an entry start-up would refuse must be
// refused when the file is loaded, with its line and key.
#include "security/peer_authorizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "test_config.h"

namespace callgate::security {
namespace {

using testing::MakeCluster;
using testing::Strings;

// A one-cluster file that filters by address alone, with `entry` as its only allowed_ips.
std::string YamlWith(const std::string& entry) {
  std::string quoted;
  for (const char c : entry) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return "insecure_mode: true\nclusters:\n  hq:\n    allowed_ips: ['" + quoted + "']\n";
}

struct AgreementCase {
  std::string entry;
  bool valid;
};

void PrintTo(const AgreementCase& c, std::ostream* os) { *os << "'" << c.entry << "'"; }

class AllowedIpsAgreementTest : public ::testing::TestWithParam<AgreementCase> {};

TEST_P(AllowedIpsAgreementTest, LoadingAndStartUpAgree) {
  const AgreementCase& c = GetParam();
  Result<config::Config> loaded = config::ParseConfig(YamlWith(c.entry), "agree.yaml");
  config::Config built_by_hand;
  built_by_hand.insecure_mode = true;
  built_by_hand.clusters = {MakeCluster("hq", Strings{c.entry}, std::nullopt, std::nullopt)};
  Result<PeerAuthorizer> started = PeerAuthorizer::Build(loaded.ok() ? *loaded : built_by_hand);
  EXPECT_EQ(loaded.ok(), c.valid) << (loaded.ok() ? "loaded" : loaded.error().ToString());
  EXPECT_EQ(started.ok(), c.valid) << (started.ok() ? "started" : started.error().ToString());
}

INSTANTIATE_TEST_SUITE_P(
    Valid, AllowedIpsAgreementTest,
    ::testing::Values(
        AgreementCase{"10.1.1.10", true}, AgreementCase{"0.0.0.0/0", true},
        AgreementCase{"10.1.2.0/24", true}, AgreementCase{"10.1.2.7/24", true},
        AgreementCase{"255.255.255.255/32", true}, AgreementCase{"10.1.2.0/024", true},
        AgreementCase{"::", true}, AgreementCase{"::/0", true}, AgreementCase{"::1", true},
        AgreementCase{"2001:DB8::/32", true}, AgreementCase{"2001:db8::1/128", true},
        AgreementCase{"2001:0db8:0000:0000:0000:0000:0000:0001", true},
        AgreementCase{"::ffff:10.1.1.10", true}, AgreementCase{"::ffff:10.0.0.0/96", true},
        AgreementCase{"::ffff:10.0.0.0/104", true}, AgreementCase{"::ffff:10.0.0.0/128", true},
        AgreementCase{"::FFFF:0a00:0/104", true}, AgreementCase{"::10.0.0.0/64", true},
        AgreementCase{"::/033", true}, AgreementCase{"2001:db8::/099", true}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, AllowedIpsAgreementTest,
    ::testing::Values(
        // IPv4-mapped with a prefix shorter than the 96 mapping bits: it would straddle the
        // families, which the authorizer keeps apart.
        AgreementCase{"::ffff:10.0.0.0/64", false}, AgreementCase{"::ffff:10.0.0.0/95", false},
        AgreementCase{"::ffff:0:0/0", false}, AgreementCase{"0:0:0:0:0:ffff:10.0.0.0/80", false},
        // A sign before the prefix length, including one that reads as 0 (allow everyone).
        AgreementCase{"10.0.0.0/-0", false}, AgreementCase{"10.0.0.0/-00", false},
        AgreementCase{"::/-0", false}, AgreementCase{"10.0.0.0/+8", false},
        AgreementCase{"10.0.0.0/-1", false},
        // Prefix lengths out of range, too long, or not decimal.
        AgreementCase{"10.0.0.0/33", false}, AgreementCase{"10.0.0.0/033", false},
        AgreementCase{"10.0.0.0/0024", false}, AgreementCase{"::/129", false},
        AgreementCase{"::/0128", false}, AgreementCase{"10.0.0.0/", false},
        AgreementCase{"10.0.0.0/2a", false}, AgreementCase{"10.0.0.0/0x8", false},
        AgreementCase{"10.0.0.0/24/1", false}, AgreementCase{"/24", false},
        AgreementCase{"1.2.3.4/255.255.255.0", false},
        // Addresses inet_pton refuses.
        AgreementCase{"010.1.1.1", false}, AgreementCase{"10.1.1", false},
        AgreementCase{"10.1.1.1.1", false}, AgreementCase{"10.1.1.256", false},
        AgreementCase{"10", false}, AgreementCase{"0x0a.1.1.1", false},
        AgreementCase{"::ffff:010.1.1.1", false}, AgreementCase{"gggg::1", false},
        AgreementCase{"1:2:3:4:5:6:7:8:9", false}, AgreementCase{"[::1]", false},
        AgreementCase{"[::1]/128", false}, AgreementCase{"localhost", false},
        AgreementCase{"any", false}, AgreementCase{"*", false},
        // Zones: not part of a network.
        AgreementCase{"fe80::1%eth0", false}, AgreementCase{"fe80::/10%eth0", false},
        AgreementCase{"fe80::%eth0/10", false}, AgreementCase{"10.0.0.1%eth0", false},
        // Whitespace anywhere.
        AgreementCase{" 10.1.1.10", false}, AgreementCase{"10.1.1.10 ", false},
        AgreementCase{"10.1.2.0 /24", false}, AgreementCase{"10.1.2.0/ 24", false},
        AgreementCase{"10.1.2.0/24 ", false}, AgreementCase{"10.1.2.0/24\t", false},
        AgreementCase{"", false}));

}  // namespace
}  // namespace callgate::security
