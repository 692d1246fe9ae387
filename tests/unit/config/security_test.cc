// ValidateSecurity: secure by default, and each refusal with the words that tell the user what
// to fix; ConfiguredForNobody: the warnings about clusters and listeners no client can use.
#include "config/config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callgate::config {
namespace {

constexpr const char* kTls = "tls_cert_file: certs/server.crt\ntls_key_file: certs/server.key\n";
constexpr const char* kCluster =
    "clusters:\n  hq:\n    allowed_ips: [10.1.1.10]\n    ca_file: certs/hq.pem\n"
    "    allowed_subjects: [cucm-pub.example.com]\n";

struct SecurityCase {
  std::string name;
  std::string yaml;
  std::vector<std::string> must_say;  // empty: accepted
  std::vector<std::string> must_not_say = {};
  int line = 0;
  std::string key = "";
};

class ValidateSecurityTest : public testing::TestWithParam<SecurityCase> {};

TEST_P(ValidateSecurityTest, AcceptsOrRefusesWithAnActionableMessage) {
  const SecurityCase& c = GetParam();
  Result<Config> config = ParseConfig(c.yaml, "sec.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const Status status = ValidateSecurity(config.value());
  if (c.must_say.empty()) {
    EXPECT_TRUE(status.ok()) << status.error().ToString();
    return;
  }
  ASSERT_FALSE(status.ok());
  const std::string text = status.error().ToString();
  EXPECT_EQ(status.error().file, "sec.yaml");
  EXPECT_EQ(status.error().line, c.line) << text;
  EXPECT_EQ(status.error().key, c.key) << text;
  for (const std::string& words : c.must_say) {
    EXPECT_NE(text.find(words), std::string::npos) << "missing '" << words << "' in: " << text;
  }
  for (const std::string& words : c.must_not_say) {
    EXPECT_EQ(text.find(words), std::string::npos) << "unexpected '" << words << "' in: " << text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, ValidateSecurityTest,
    testing::Values(
        SecurityCase{"SecureConfig", std::string(kTls) + kCluster, {}},
        SecurityCase{"InsecureModeWithNothing", "insecure_mode: true\n", {}},
        SecurityCase{"InsecureModeWithTlsOnly", std::string("insecure_mode: true\n") + kTls, {}},
        SecurityCase{
            "ClusterWithOnlyIps", std::string(kTls) + "clusters: {a: {allowed_ips: []}}", {}},
        SecurityCase{"Defaults",
                     "",
                     {"secure by default",
                      "TLS is not configured (tls_cert_file and tls_key_file are not set)",
                      "no cluster is defined", "scripts/setup-certs.sh --hostname <name>",
                      "set tls_cert_file and tls_key_file", "Define at least one cluster",
                      "For development only, set insecure_mode: true"},
                     {"refusing to start"}},  // the caller says it: serve and check differently
        SecurityCase{"TlsWithoutClusters",
                     kTls,
                     {"no cluster is defined",
                      "Define at least one cluster under clusters:", "insecure_mode: true"},
                     {"TLS is not configured", "setup-certs.sh"}},
        SecurityCase{"ClustersWithoutTls",
                     kCluster,
                     {"TLS is not configured", "scripts/setup-certs.sh --hostname <name>",
                      "insecure_mode: true"},
                     {"no cluster is defined", "Define at least one cluster"}},
        SecurityCase{"CertWithoutKey",
                     std::string("insecure_mode: true\n\ntls_cert_file: s.crt\n"),
                     {"sec.yaml:3: key 'tls_cert_file': is set but tls_key_file is not"},
                     {},
                     3,
                     "tls_cert_file"},
        SecurityCase{"KeyWithoutCert",
                     std::string("tls_key_file: s.key\n") + kCluster,
                     {"key 'tls_key_file': is set but tls_cert_file is not"},
                     {},
                     1,
                     "tls_key_file"},
        SecurityCase{"AdminOffLoopback",
                     std::string(kTls) + kCluster + "admin_listen: 0.0.0.0:5001\n",
                     {"key 'admin_listen': host '0.0.0.0' is not a loopback address",
                      "admin_listen_allow_remote: true", "admin_listen: \"\""},
                     {},
                     8,
                     "admin_listen"},
        SecurityCase{"AdminOffLoopbackV6",
                     "insecure_mode: true\nadmin_listen: '[2001:db8::1]:5001'\n",
                     {"host '2001:db8::1' is not a loopback address"},
                     {},
                     2,
                     "admin_listen"},
        SecurityCase{"AdminRemoteAllowed",
                     "insecure_mode: true\nadmin_listen: 0.0.0.0:5001\n"
                     "admin_listen_allow_remote: true\n",
                     {}},
        SecurityCase{"AdminLoopbackForms", "insecure_mode: true\nadmin_listen: 127.9.9.9:1\n", {}},
        SecurityCase{"AdminLoopbackV6", "insecure_mode: true\nadmin_listen: '[::1]:1'\n", {}},
        SecurityCase{"AdminLocalhost", "insecure_mode: true\nadmin_listen: LocalHost:1\n", {}},
        SecurityCase{"AdminDisabled", "insecure_mode: true\nadmin_listen: ''\n", {}},
        SecurityCase{"SubjectsWithoutCaFile",
                     std::string(kTls) +
                         "clusters:\n  ok: {ca_file: a.pem, allowed_subjects: [x]}\n"
                         "  broken:\n    allowed_subjects: [cucm.example.com]\n",
                     {"key 'clusters.broken': allowed_subjects is set but ca_file is not",
                      "could never match", "add ca_file:"},
                     {},
                     5,
                     "clusters.broken"},
        SecurityCase{"SubjectsWithoutCaFileEvenWhenInsecure",
                     "insecure_mode: true\nclusters: {b: {allowed_subjects: []}}\n",
                     {"allowed_subjects is set but ca_file is not"},
                     {},
                     2,
                     "clusters.b"}),
    [](const testing::TestParamInfo<SecurityCase>& param_info) { return param_info.param.name; });

struct NobodyCase {
  std::string name;
  std::string yaml;
  std::vector<std::string> warnings;  // "FILE:LINE: key 'KEY': " and the rule, in order
};

// ValidateSecurity stops at the first refusal; SecurityRefusals lists them all (for check),
// one per cluster that lists subjects without a ca_file.
TEST(SecurityRefusalsTest, ListsEveryRefusalInOrder) {
  Result<Config> config = ParseConfig(
      "tls_cert_file: s.crt\nadmin_listen: \"0.0.0.0:9\"\nclusters:\n"
      "  a: {allowed_ips: [10.0.0.1], allowed_subjects: [x]}\n"
      "  b: {allowed_ips: [10.0.0.2], ca_file: c.pem, allowed_subjects: [y]}\n"
      "  c: {allowed_ips: [10.0.0.3], allowed_subjects: [z]}\n",
      "sec.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const std::vector<Error> refusals = SecurityRefusals(config.value());
  std::vector<std::string> keys;
  for (const Error& refusal : refusals) keys.push_back(refusal.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"tls_cert_file", "admin_listen", "clusters.a",
                                            "clusters.c"}));
  const Status first = ValidateSecurity(config.value());
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().ToString(), refusals.front().ToString());
  Result<Config> secure = ParseConfig(std::string(kTls) + kCluster, "sec.yaml");
  ASSERT_TRUE(secure.ok());
  EXPECT_TRUE(SecurityRefusals(secure.value()).empty());
}

class ConfiguredForNobodyTest : public testing::TestWithParam<NobodyCase> {};

TEST_P(ConfiguredForNobodyTest, WarnsAboutWhatTheDenyRulesLeaveToNobody) {
  Result<Config> config = ParseConfig(GetParam().yaml, "sec.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const std::vector<Error> warnings = ConfiguredForNobody(config.value());
  ASSERT_EQ(warnings.size(), GetParam().warnings.size());
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    EXPECT_EQ(warnings[i].ToString().rfind(GetParam().warnings[i], 0), 0U)
        << warnings[i].ToString();
  }
}

constexpr const char* kNoIps = "sec.yaml:2: key 'clusters.a': has no allowed_ips";
constexpr const char* kNoSubjects = "sec.yaml:2: key 'clusters.a': has no allowed_subjects";
constexpr const char* kPlainHttp =
    "sec.yaml:2: key 'clusters.a': needs a client certificate (it has ca_file or "
    "allowed_subjects), but callgate serves plain HTTP";

constexpr const char* kPlainListener =
    "sec.yaml:8: key 'http_listen': serves plain HTTP, which carries no client certificate, and "
    "every cluster requires one";

INSTANTIATE_TEST_SUITE_P(
    All, ConfiguredForNobodyTest,
    testing::Values(
        NobodyCase{"EveryRule", kCluster, {}},
        NobodyCase{"NoClusters", "insecure_mode: true\n", {}},
        NobodyCase{"Empty", "clusters:\n  a: {}\n", {kNoIps}},
        NobodyCase{"EmptyIpList", "clusters:\n  a: {allowed_ips: [], ca_file: c.pem}\n", {kNoIps}},
        NobodyCase{"IpsOnly", "clusters:\n  a: {allowed_ips: [10.0.0.1]}\n", {kNoSubjects}},
        NobodyCase{"IpsOnlyWhenInsecureFiltersByAddress",
                   "clusters:\n  a: {allowed_ips: [10.0.0.1]}\ninsecure_mode: true\n",
                   {}},
        NobodyCase{"IpsAndCaFileWhenInsecure",
                   "clusters:\n  a: {allowed_ips: [10.0.0.1], ca_file: c.pem}\n"
                   "insecure_mode: true\n" +
                       std::string(kTls),
                   {kNoSubjects}},
        NobodyCase{"SubjectsThatNoCertificateNameEquals",
                   "clusters:\n  a:\n    allowed_ips: [10.0.0.1]\n    ca_file: c.pem\n"
                   "    allowed_subjects: ['*.example.com', 'CN=cucm-pub.example.com',\n"
                   "      10.1.1.0/24, cucm.example.com., cucm-pub.example.com, 10.1.1.10,\n"
                   "      '2001:db8::/64']\n" +
                       std::string(kTls),
                   {"sec.yaml:5: key 'clusters.a.allowed_subjects': '*.example.com' is compared "
                    "as it is written: callgate does not match wildcards",
                    "sec.yaml:5: key 'clusters.a.allowed_subjects': 'CN=cucm-pub.example.com' "
                    "looks like a distinguished name",
                    "sec.yaml:5: key 'clusters.a.allowed_subjects': '10.1.1.0/24' is a network",
                    "sec.yaml:5: key 'clusters.a.allowed_subjects': 'cucm.example.com.' ends with "
                    "a dot",
                    "sec.yaml:5: key 'clusters.a.allowed_subjects': '2001:db8::/64' is a "
                    "network"}},
        NobodyCase{"EmptySubjectList",
                   "clusters:\n  a: {allowed_ips: [10.0.0.1], ca_file: c.pem, "
                   "allowed_subjects: []}\ninsecure_mode: true\n" +
                       std::string(kTls),
                   {kNoSubjects}},
        // Without TLS no client has a certificate to show.
        NobodyCase{"CertificateRulesOverPlainHttp",
                   "clusters:\n  a: {allowed_ips: [10.0.0.1], ca_file: c.pem, "
                   "allowed_subjects: [x]}\ninsecure_mode: true\n",
                   {kPlainHttp}},
        NobodyCase{"CaFileOverPlainHttp",
                   "clusters:\n  a: {allowed_ips: [10.0.0.1], ca_file: c.pem}\n"
                   "insecure_mode: true\n",
                   {kPlainHttp}},
        NobodyCase{"EachCluster",
                   "clusters:\n  a: {}\n  b: {allowed_ips: [10.0.0.1]}\n  c: {allowed_ips: "
                   "[10.0.0.2], ca_file: c.pem, allowed_subjects: [x]}\n",
                   {kNoIps, "sec.yaml:3: key 'clusters.b': has no allowed_subjects"}},
        // A plain-HTTP listener beside TLS: only a cluster of addresses alone can use it.
        NobodyCase{"PlainListenerBesideTls",
                   std::string(kCluster) + kTls + "http_listen: 127.0.0.1:8080\n",
                   {kPlainListener}},
        NobodyCase{"PlainListenerBesideTlsWhenInsecure",
                   std::string(kCluster) + kTls + "http_listen: 127.0.0.1:8080\n" +
                       "insecure_mode: true\n",
                   {kPlainListener}},
        NobodyCase{"PlainListenerWithAnAddressAloneCluster",
                   std::string(kCluster) + "  lab: {allowed_ips: [10.0.0.9]}\n" + kTls +
                       "http_listen: 127.0.0.1:8080\ninsecure_mode: true\n",
                   {}},
        NobodyCase{"PlainListenerWithoutClusters",
                   std::string(kTls) + "http_listen: 127.0.0.1:8080\ninsecure_mode: true\n",
                   {}}),
    [](const testing::TestParamInfo<NobodyCase>& param_info) { return param_info.param.name; });

// Following the advice for a cluster of addresses only must give a configuration that starts:
// allowed_subjects without ca_file is refused, so the advice names both.
TEST(ConfiguredForNobodyAdviceTest, ACertificateRuleMissingBothKeysNamesBoth) {
  Result<Config> ips_only =
      ParseConfig("clusters:\n  a: {allowed_ips: [10.0.0.1]}\n" + std::string(kTls), "sec.yaml");
  ASSERT_TRUE(ips_only.ok()) << ips_only.error().ToString();
  const std::vector<Error> warnings = ConfiguredForNobody(ips_only.value());
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].ToString(),
            "sec.yaml:2: key 'clusters.a': has no allowed_subjects, so it matches no client; list "
            "its UCM nodes' certificate names in allowed_subjects and the CA certificate that "
            "anchors them (for a self-signed UCM, its CallManager.pem) in ca_file: subjects are "
            "trusted only from a chain verified against the cluster's ca_file");

  Result<Config> with_ca =
      ParseConfig("clusters:\n  a: {allowed_ips: [10.0.0.1], ca_file: c.pem}\n" + std::string(kTls),
                  "sec.yaml");
  ASSERT_TRUE(with_ca.ok()) << with_ca.error().ToString();
  const std::vector<Error> has_ca = ConfiguredForNobody(with_ca.value());
  ASSERT_EQ(has_ca.size(), 1U);
  EXPECT_EQ(has_ca[0].message,
            "has no allowed_subjects, so it matches no client; list its UCM nodes' certificate "
            "names in allowed_subjects");
}

// The parser refuses a blank subject; a Config built otherwise must still be warned about, since
// the authorizer compares subjects trimmed and a blank one matches nobody.
TEST(ConfiguredForNobodyBlankTest, ABlankSubjectIsNoSubject) {
  Result<Config> config = ParseConfig(kCluster, "sec.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  config->clusters[0].allowed_subjects = {{" ", "\t"}};
  const std::vector<Error> warnings = ConfiguredForNobody(config.value());
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].key, "clusters.hq");
  EXPECT_NE(warnings[0].message.find("has no allowed_subjects"), std::string::npos)
      << warnings[0].message;
  config->clusters[0].allowed_subjects = {{" ", " cucm.example.com "}};
  EXPECT_TRUE(ConfiguredForNobody(config.value()).empty());
}

TEST(ApplyEnvironmentTest, LogLevelOverridesTheFile) {
  Result<Config> config = ParseConfig("log_level: ERROR\n", "env.yaml");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(ApplyEnvironment(config.value(), "debug").ok());
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
}

TEST(ApplyEnvironmentTest, LogLevelLeavesConsoleLogLevelAlone) {
  Result<Config> config = ParseConfig("console_log_level: ERROR\n", "env.yaml");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(ApplyEnvironment(config.value(), "debug").ok());
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->console_log_level, LogLevel::kError);
}

TEST(ApplyEnvironmentTest, EmptyValueLeavesTheFileValue) {
  Result<Config> config = ParseConfig("log_level: WARNING\n", "env.yaml");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(ApplyEnvironment(config.value(), "").ok());
  EXPECT_EQ(config->log_level, LogLevel::kWarning);
}

TEST(ApplyEnvironmentTest, InvalidValueNamesTheVariableAndKeepsTheFileValue) {
  Config config;
  config.log_level = LogLevel::kError;
  const Status status = ApplyEnvironment(config, "chatty");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().ToString().find("LOG_LEVEL"), std::string::npos);
  EXPECT_NE(status.error().ToString().find("got 'chatty'"), std::string::npos);
  EXPECT_EQ(config.log_level, LogLevel::kError);
}

}  // namespace
}  // namespace callgate::config
