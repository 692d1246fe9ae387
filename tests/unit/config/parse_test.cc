// ParseConfig on valid input: defaults, every key, aliases and the accepted spellings.
#include "config/config.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

namespace callgate::config {
namespace {

// The parsed config with its bookkeeping (file, key_lines, key_aliases) cleared, to compare
// with Config{}.
Config ParseValues(const std::string& yaml) {
  Result<Config> parsed = ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(parsed.ok()) << yaml << "\n -> " << parsed.error().ToString();
  if (!parsed.ok()) return Config{};
  Config config = std::move(parsed.value());
  config.file.clear();
  config.key_lines.clear();
  config.key_aliases.clear();
  for (Cluster& cluster : config.clusters) cluster.key_lines.clear();  // RecordsClusterKeyLines
  return config;
}

TEST(ParseConfigTest, EmptyOrCommentOnlyTextGivesDefaults) {
  for (const char* yaml : {"", "\n\n", "# only a comment\n  # and another\n", "---\n", "~\n",
                           "--- # comment\n...\n"}) {
    EXPECT_EQ(ParseValues(yaml), Config{}) << "input: " << yaml;
  }
}

TEST(ParseConfigTest, DefaultsMatchThePythonService) {
  const Config config;
  EXPECT_FALSE(config.insecure_mode);
  EXPECT_FALSE(config.obfuscate_pii);
  EXPECT_EQ(config.csv_file_path, "phone_directory.csv");
  EXPECT_EQ(config.log_level, LogLevel::kInfo);
  EXPECT_EQ(config.console_log_level, std::nullopt) << "the console follows log_level";
  EXPECT_EQ(config.log_dir, "");
  EXPECT_EQ(config.log_max_bytes, 10485760u);
  EXPECT_EQ(config.log_backup_count, 5);
  EXPECT_EQ(config.listen, (Endpoint{"0.0.0.0", 5000}));
  EXPECT_EQ(config.tls_cert_file, "");
  EXPECT_EQ(config.tls_key_file, "");
  EXPECT_TRUE(config.clusters.empty());
  EXPECT_EQ(config.ca_bundle_path, "");
  EXPECT_EQ(config.admin_listen, (Endpoint{"127.0.0.1", 5001}));
  EXPECT_FALSE(config.http_listen.enabled());
}

TEST(ParseConfigTest, RecordsFileAndKeyLines) {
  Result<Config> config = ParseConfig("# header\nlog_level: DEBUG\n\nflask_port: 8080\n", "a.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  EXPECT_EQ(config->file, "a.yaml");
  const std::map<std::string, int, std::less<>> expected{{"log_level", 2}, {"listen_port", 4}};
  EXPECT_EQ(config->key_lines, expected);
  const std::map<std::string, std::string, std::less<>> aliases{{"listen_port", "flask_port"}};
  EXPECT_EQ(config->key_aliases, aliases);
  EXPECT_EQ(config->KeyAsWritten("listen_port"), "flask_port");
  EXPECT_EQ(config->KeyAsWritten("log_level"), "log_level");
  EXPECT_EQ(KeyError(*config, "listen_port", "m").ToString(), "a.yaml:4: key 'flask_port': m");
}

// So that an error found after the file is read (a leaf certificate in ca_file, say) names the
// key's line, not the cluster's.
TEST(ParseConfigTest, RecordsClusterKeyLines) {
  Result<Config> config = ParseConfig(
      "clusters:\n  hq:\n    allowed_ips: [10.1.1.10]\n\n    ca_file: hq.pem\n", "a.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const Cluster& hq = config->clusters.at(0);
  EXPECT_EQ(hq.line, 2);
  EXPECT_EQ(hq.LineOf("allowed_ips"), 3);
  EXPECT_EQ(hq.LineOf("ca_file"), 5);
  EXPECT_EQ(hq.LineOf("allowed_subjects"), 2) << "absent: the cluster's line";
}

struct KeyCase {
  std::string yaml;
  std::function<void(Config&)> expect;  // applied to Config{} to get the expected result
};

class EveryKeyTest : public testing::TestWithParam<KeyCase> {};

TEST_P(EveryKeyTest, ParsesIntoTheField) {
  Config expected;
  GetParam().expect(expected);
  EXPECT_EQ(ParseValues(GetParam().yaml), expected) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(
    TopLevel, EveryKeyTest,
    testing::Values(
        KeyCase{"insecure_mode: true", [](Config& c) { c.insecure_mode = true; }},
        KeyCase{"obfuscate_pii: yes", [](Config& c) { c.obfuscate_pii = true; }},
        KeyCase{"obfuscate_pii: !!bool on", [](Config& c) { c.obfuscate_pii = true; }},
        KeyCase{"csv_file_path: data/dir.csv", [](Config& c) { c.csv_file_path = "data/dir.csv"; }},
        KeyCase{"log_level: debug", [](Config& c) { c.log_level = LogLevel::kDebug; }},
        KeyCase{"console_log_level: warning",
                [](Config& c) { c.console_log_level = LogLevel::kWarning; }},
        KeyCase{"console_log_level: DEBUG",
                [](Config& c) { c.console_log_level = LogLevel::kDebug; }},
        KeyCase{"console_log_level:", [](Config&) {}},
        KeyCase{"console_log_level: ''", [](Config&) {}},
        KeyCase{"log_dir: logs", [](Config& c) { c.log_dir = "logs"; }},
        KeyCase{"log_dir:", [](Config&) {}},
        KeyCase{"log_max_bytes: 1048576", [](Config& c) { c.log_max_bytes = 1048576; }},
        KeyCase{"log_backup_count: 9", [](Config& c) { c.log_backup_count = 9; }},
        KeyCase{"listen_host: 127.0.0.1", [](Config& c) { c.listen.host = "127.0.0.1"; }},
        KeyCase{"listen_host: '::'", [](Config& c) { c.listen.host = "::"; }},
        KeyCase{"listen_host: '[::1]'", [](Config& c) { c.listen.host = "::1"; }},
        KeyCase{"listen_host: curri.example.com",
                [](Config& c) { c.listen.host = "curri.example.com"; }},
        KeyCase{"listen_port: 8443", [](Config& c) { c.listen.port = 8443; }},
        KeyCase{"listen_port: 0", [](Config& c) { c.listen.port = 0; }},
        KeyCase{"flask_host: 10.0.0.1", [](Config& c) { c.listen.host = "10.0.0.1"; }},
        KeyCase{"flask_port: \"8080\"", [](Config& c) { c.listen.port = 8080; }},
        KeyCase{"tls_cert_file: certs/server.crt",
                [](Config& c) { c.tls_cert_file = "certs/server.crt"; }},
        KeyCase{"tls_key_file: certs/server.key",
                [](Config& c) { c.tls_key_file = "certs/server.key"; }},
        KeyCase{"tls_cert_file: ''", [](Config&) {}},
        KeyCase{"tls_legacy_ciphers: on", [](Config& c) { c.tls_legacy_ciphers = true; }},
        KeyCase{"ca_bundle_path: /tmp/ca-bundle.pem",
                [](Config& c) { c.ca_bundle_path = "/tmp/ca-bundle.pem"; }},
        KeyCase{"curri_paths: [/curri, /ecc/v1]",
                [](Config& c) {
                  c.curri_paths = {"/curri", "/ecc/v1"};
                }},
        // Kept without a '/' at the end, which the router adds to every path.
        KeyCase{"curri_paths: [/curri/, /]",
                [](Config& c) {
                  c.curri_paths = {"/curri", "/"};
                }},
        KeyCase{"worker_threads: 4", [](Config& c) { c.worker_threads = 4; }},
        KeyCase{"worker_threads: 0", [](Config& c) { c.worker_threads = 0; }},
        KeyCase{"pin_worker_threads: true", [](Config& c) { c.pin_worker_threads = true; }},
        KeyCase{"max_body_bytes: 131072", [](Config& c) { c.max_body_bytes = 131072; }},
        KeyCase{"max_header_bytes: 16384", [](Config& c) { c.max_header_bytes = 16384; }},
        KeyCase{"read_timeout_seconds: 30", [](Config& c) { c.read_timeout_seconds = 30; }},
        KeyCase{"idle_timeout_seconds: 600", [](Config& c) { c.idle_timeout_seconds = 600; }},
        KeyCase{"max_connections: 64", [](Config& c) { c.max_connections = 64; }},
        KeyCase{"shutdown_timeout_seconds: 20", [](Config& c) { c.shutdown_timeout_seconds = 20; }},
        KeyCase{"http_listen: 0.0.0.0:8080",
                [](Config& c) {
                  c.http_listen = {"0.0.0.0", 8080};
                }},
        KeyCase{"http_listen: '[::]:8080'",
                [](Config& c) {
                  c.http_listen = {"::", 8080};
                }},
        KeyCase{"admin_listen: ''", [](Config& c) { c.admin_listen = {}; }},
        KeyCase{"admin_listen: localhost:9000",
                [](Config& c) {
                  c.admin_listen = {"localhost", 9000};
                }},
        KeyCase{"admin_listen: '[::1]:0'",
                [](Config& c) {
                  c.admin_listen = {"::1", 0};
                }},
        KeyCase{"admin_listen_allow_remote: true",
                [](Config& c) { c.admin_listen_allow_remote = true; }},
        KeyCase{"clusters: {}", [](Config&) {}}, KeyCase{"clusters:", [](Config&) {}}));

Cluster MakeCluster(std::string name, int line) {
  Cluster cluster;
  cluster.name = std::move(name);
  cluster.line = line;
  return cluster;
}

INSTANTIATE_TEST_SUITE_P(
    Clusters, EveryKeyTest,
    testing::Values(
        KeyCase{"clusters:\n"
                "  headquarters:\n"
                "    allowed_ips: [10.1.1.10, 10.1.2.0/24, '2001:db8::/32', '::1']\n"
                "    ca_file: certs/hq.pem\n"
                "    allowed_subjects: [cucm-pub.example.com, 10.1.1.10]\n"
                "  branch:\n"
                "    allowed_ips:\n"
                "      - 10.2.1.0/24\n",
                [](Config& c) {
                  Cluster hq = MakeCluster("headquarters", 2);
                  hq.allowed_ips = {{"10.1.1.10", "10.1.2.0/24", "2001:db8::/32", "::1"}};
                  hq.ca_file = "certs/hq.pem";
                  hq.allowed_subjects = {{"cucm-pub.example.com", "10.1.1.10"}};
                  Cluster branch = MakeCluster("branch", 6);
                  branch.allowed_ips = {{"10.2.1.0/24"}};
                  c.clusters = {hq, branch};
                }},
        // Absent and null rules stay nullopt (deny all); an empty list is present but empty.
        KeyCase{"clusters:\n  a: {}\n  b: {allowed_ips: [], allowed_subjects: ~, ca_file: ~}\n",
                [](Config& c) {
                  Cluster b = MakeCluster("b", 3);
                  b.allowed_ips = std::vector<std::string>{};
                  c.clusters = {MakeCluster("a", 2), b};
                }},
        // YAML merge keys, as PyYAML reads them: a mapping's own keys win over merged ones, and
        // the first mapping of a list over the next.
        KeyCase{"clusters:\n"
                "  hq: &hq\n"
                "    allowed_ips: [10.1.1.10]\n"
                "    ca_file: certs/hq.pem\n"
                "    allowed_subjects: [cucm-pub.example.com]\n"
                "  lab: &lab {ca_file: certs/lab.pem, allowed_ips: [10.9.9.9]}\n"
                "  dr:\n"
                "    <<: [*lab, *hq]\n"
                "    allowed_ips: [10.2.2.10]\n"
                "  copy: {<<: *hq}\n",
                [](Config& c) {
                  Cluster hq = MakeCluster("hq", 2);
                  hq.allowed_ips = {{"10.1.1.10"}};
                  hq.ca_file = "certs/hq.pem";
                  hq.allowed_subjects = {{"cucm-pub.example.com"}};
                  Cluster lab = MakeCluster("lab", 6);
                  lab.ca_file = "certs/lab.pem";
                  lab.allowed_ips = {{"10.9.9.9"}};
                  Cluster dr = MakeCluster("dr", 7);
                  dr.allowed_ips = {{"10.2.2.10"}};
                  dr.ca_file = "certs/lab.pem";
                  dr.allowed_subjects = {{"cucm-pub.example.com"}};
                  Cluster copy = hq;
                  copy.name = "copy";
                  copy.line = 10;
                  c.clusters = {hq, lab, dr, copy};
                }},
        // Host bits below the prefix are accepted, as ipaddress.ip_network(strict=False) does.
        KeyCase{"clusters: {x: {allowed_ips: [10.1.2.5/24, 0.0.0.0/0, '::/0']}}", [](Config& c) {
                  Cluster x = MakeCluster("x", 1);
                  x.allowed_ips = {{"10.1.2.5/24", "0.0.0.0/0", "::/0"}};
                  c.clusters = {x};
                }}));

struct SpellingCase {
  std::string value;
  LogLevel level;
};

class LogLevelSpellingTest : public testing::TestWithParam<SpellingCase> {};

TEST_P(LogLevelSpellingTest, AcceptsPythonSpellingsInAnyCase) {
  EXPECT_EQ(ParseValues("log_level: " + GetParam().value).log_level, GetParam().level);
  EXPECT_EQ(ParseValues("console_log_level: " + GetParam().value).console_log_level,
            GetParam().level);
  Config config;
  ASSERT_TRUE(ApplyEnvironment(config, GetParam().value).ok());
  EXPECT_EQ(config.log_level, GetParam().level);
}

INSTANTIATE_TEST_SUITE_P(All, LogLevelSpellingTest,
                         testing::Values(SpellingCase{"DEBUG", LogLevel::kDebug},
                                         SpellingCase{"Info", LogLevel::kInfo},
                                         SpellingCase{"warning", LogLevel::kWarning},
                                         SpellingCase{"WARN", LogLevel::kWarning},
                                         SpellingCase{"error", LogLevel::kError},
                                         SpellingCase{"CRITICAL", LogLevel::kError}));

TEST(ParseConfigTest, BooleanSpellings) {
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"}) {
    EXPECT_TRUE(ParseValues(std::string("insecure_mode: ") + yes).insecure_mode) << yes;
  }
  for (const char* no : {"false", "False", "no", "NO", "off"}) {
    EXPECT_FALSE(ParseValues(std::string("obfuscate_pii: ") + no).obfuscate_pii) << no;
  }
  // PyYAML reads these as strings, which the Python service took as false: refused, not read
  // as true (insecure_mode: tRUE would have turned a secure service insecure).
  for (const char* mixed : {"tRUE", "TrUe", "yES", "oN", "fALSE", "nO"}) {
    const auto parsed = ParseConfig(std::string("insecure_mode: ") + mixed + "\n", "c.yaml");
    ASSERT_FALSE(parsed.ok()) << mixed;
    EXPECT_NE(parsed.error().message.find("in lower case, Capitalised or UPPER case"),
              std::string::npos)
        << parsed.error().message;
  }
}

TEST(ParseConfigTest, IntegerBoundsAreInclusive) {
  EXPECT_EQ(ParseValues("listen_port: 65535").listen.port, 65535);
  EXPECT_EQ(ParseValues("worker_threads: 256").worker_threads, 256);
  EXPECT_EQ(ParseValues("log_max_bytes: 1024").log_max_bytes, 1024u);
  EXPECT_EQ(ParseValues("log_max_bytes: 1099511627776").log_max_bytes, 1099511627776u);
  EXPECT_EQ(ParseValues("max_body_bytes: 16777216").max_body_bytes, 16777216u);
}

// The length limits in docs/configuration.md, at the limit (accepted) and one past it (refused).
TEST(ParseConfigTest, LengthLimitsAreInclusive) {
  const auto path_list = [](int n) {
    std::string list = "curri_paths: [";
    for (int i = 0; i < n; ++i) list += (i == 0 ? "/p" : ", /p") + std::to_string(i);
    return list + "]";
  };
  struct Limit {
    std::string at_limit, past_limit, key;  // the start of the key the error names
  };
  const Limit limits[] = {
      {"csv_file_path: " + std::string(4096, 'a'), "csv_file_path: " + std::string(4097, 'a'),
       "csv_file_path"},
      {"clusters: {" + std::string(128, 'c') + ": {}}",
       "clusters: {" + std::string(129, 'c') + ": {}}", "clusters.ccc"},
      {"clusters: {c: {ca_file: a.pem, allowed_subjects: [" + std::string(256, 's') + "]}}",
       "clusters: {c: {ca_file: a.pem, allowed_subjects: [" + std::string(257, 's') + "]}}",
       "clusters.c.allowed_subjects"},
      {"curri_paths: [/" + std::string(255, 'u') + "]",
       "curri_paths: [/" + std::string(256, 'u') + "]", "curri_paths"},
      {path_list(64), path_list(65), "curri_paths"},
  };
  for (const Limit& limit : limits) {
    const Result<Config> at = ParseConfig(limit.at_limit, "x.yaml");
    EXPECT_TRUE(at.ok()) << at.error().ToString();
    const Result<Config> past = ParseConfig(limit.past_limit, "x.yaml");
    ASSERT_FALSE(past.ok()) << "accepted: " << limit.past_limit;
    EXPECT_EQ(past.error().key.rfind(limit.key, 0), 0U) << past.error().ToString();
  }
}

TEST(ToStringTest, NamesEveryLevel) {
  EXPECT_EQ(ToString(LogLevel::kDebug), "DEBUG");
  EXPECT_EQ(ToString(LogLevel::kInfo), "INFO");
  EXPECT_EQ(ToString(LogLevel::kWarning), "WARNING");
  EXPECT_EQ(ToString(LogLevel::kError), "ERROR");
}

}  // namespace
}  // namespace callgate::config
