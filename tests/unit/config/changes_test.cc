// ChangedKeys: what a reload reports as waiting for a restart.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace callgate::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Config Parse(const std::string& yaml) {
  Result<Config> parsed = ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(parsed.ok()) << yaml << "\n -> " << parsed.error().ToString();
  return parsed.ok() ? std::move(parsed.value()) : Config{};
}

// For every canonical key, a setting that differs from its default.
const std::map<std::string_view, std::string> kChangedFromDefault = {
    {"insecure_mode", "insecure_mode: true"},
    {"obfuscate_pii", "obfuscate_pii: true"},
    {"csv_file_path", "csv_file_path: other.csv"},
    {"log_level", "log_level: DEBUG"},
    {"console_log_level", "console_log_level: WARNING"},
    {"log_dir", "log_dir: logs"},
    {"log_max_bytes", "log_max_bytes: 2048"},
    {"log_backup_count", "log_backup_count: 2"},
    {"listen_host", "listen_host: 127.0.0.1"},
    {"listen_port", "listen_port: 6000"},
    {"tls_cert_file", "tls_cert_file: server.crt"},
    {"tls_key_file", "tls_key_file: server.key"},
    {"tls_legacy_ciphers", "tls_legacy_ciphers: true"},
    {"clusters", "clusters:\n  a:\n    allowed_ips: [10.0.0.1]"},
    {"ca_bundle_path", "ca_bundle_path: bundle.pem"},
    {"curri_paths", "curri_paths: [/other]"},
    {"http_listen", "http_listen: \"127.0.0.1:8080\""},
    {"admin_listen", "admin_listen: \"127.0.0.1:6001\""},
    {"admin_listen_allow_remote", "admin_listen_allow_remote: true"},
    {"worker_threads", "worker_threads: 3"},
    {"pin_worker_threads", "pin_worker_threads: true"},
    {"max_connections", "max_connections: 10"},
    {"max_body_bytes", "max_body_bytes: 2048"},
    {"max_header_bytes", "max_header_bytes: 2048"},
    {"read_timeout_seconds", "read_timeout_seconds: 3"},
    {"idle_timeout_seconds", "idle_timeout_seconds: 3"},
    {"shutdown_timeout_seconds", "shutdown_timeout_seconds: 3"},
};

TEST(ChangedKeysTest, NamesEachKeyWhoseValueChanged) {
  for (const std::string_view key : TopLevelKeys()) {
    if (key == "flask_host" || key == "flask_port") continue;  // aliases: below
    const auto setting = kChangedFromDefault.find(key);
    ASSERT_NE(setting, kChangedFromDefault.end()) << "no test value for " << key;
    EXPECT_THAT(ChangedKeys(Config{}, Parse(setting->second)), ElementsAre(key));
    EXPECT_THAT(ChangedKeys(Parse(setting->second), Config{}), ElementsAre(key));
  }
}

TEST(ChangedKeysTest, NamesSeveralInDocumentationOrder) {
  EXPECT_THAT(ChangedKeys(Parse("max_connections: 10\nlisten_port: 1\n"), Config{}),
              ElementsAre("listen_port", "max_connections"));
  std::string every;
  std::vector<std::string_view> keys;
  for (const std::string_view key : TopLevelKeys()) {
    if (key == "flask_host" || key == "flask_port") continue;
    every = kChangedFromDefault.at(key) + "\n" + every;  // in reverse, to be put in order
    keys.push_back(key);
  }
  EXPECT_EQ(ChangedKeys(Config{}, Parse(every)), keys);
}

TEST(ChangedKeysTest, HowTheFileWritesAValueIsNoChange) {
  const Config running = Parse("listen_port: 6000\nlog_level: INFO\nmax_connections: 10\n");
  // Other lines, an alias, a default left out, comments: the same configuration.
  const Config edited = Parse("# edited\n\nmax_connections: 10\nflask_port: 6000\n");
  EXPECT_THAT(ChangedKeys(running, edited), IsEmpty());
  EXPECT_THAT(ChangedKeys(running, Parse("flask_port: 6001\nmax_connections: 10\n")),
              ElementsAre("listen_port"));
}

TEST(ChangedKeysTest, AnyChangeToTheClustersIsClusters) {
  const std::string a = "  a:\n    allowed_ips: [10.0.0.1]\n";
  const std::string b = "  b:\n    allowed_ips: [10.0.0.2]\n";
  const Config running = Parse("clusters:\n" + a + b);
  EXPECT_THAT(ChangedKeys(running, Parse("\n\nclusters:\n" + a + "\n" + b)), IsEmpty());
  EXPECT_THAT(ChangedKeys(running, Parse("clusters:\n" + b + a)), ElementsAre("clusters"));
  EXPECT_THAT(ChangedKeys(running, Parse("clusters:\n" + a)), ElementsAre("clusters"));
  EXPECT_THAT(
      ChangedKeys(running, Parse("clusters:\n" + a + "  b:\n    allowed_ips: [10.0.0.3]\n")),
      ElementsAre("clusters"));
}

// An address or a network written another way, or allowed_ips in another order, is the same
// rule: a reload says nothing waits for a restart.
TEST(ChangedKeysTest, AddressesWrittenAnotherWayAreNoChange) {
  const Config running = Parse(
      "admin_listen: \"[::1]:5001\"\nhttp_listen: \"127.0.0.1:8080\"\nlisten_host: \"::1\"\n"
      "clusters:\n  a:\n    allowed_ips: [127.0.0.2, \"::1\", 10.1.2.0/24]\n");
  EXPECT_THAT(ChangedKeys(running, Parse("admin_listen: \"[0:0::1]:5001\"\n"
                                         "http_listen: \"127.0.0.1:8080\"\n"
                                         "listen_host: \"0::1\"\n"
                                         "clusters:\n  a:\n    allowed_ips: [\"0:0::1\", "
                                         "10.1.2.7/24, 127.0.0.2/32, 127.0.0.2]\n")),
              IsEmpty());
  // localhost is 127.0.0.1, which callgate listens on for it without asking the resolver.
  EXPECT_THAT(ChangedKeys(Parse("admin_listen: \"127.0.0.1:5001\"\nlisten_host: LocalHost\n"),
                          Parse("admin_listen: \"localhost:5001\"\nlisten_host: 127.0.0.1\n")),
              IsEmpty());
  EXPECT_THAT(ChangedKeys(Parse("listen_host: localhost\n"), Parse("listen_host: \"::1\"\n")),
              ElementsAre("listen_host"));
  EXPECT_THAT(ChangedKeys(running, Parse("admin_listen: \"[::2]:5001\"\n"
                                         "http_listen: \"127.0.0.1:8080\"\n"
                                         "listen_host: \"::1\"\n"
                                         "clusters:\n  a:\n    allowed_ips: [127.0.0.2, \"::1\", "
                                         "10.1.2.0/23]\n")),
              ElementsAre("clusters", "admin_listen"));
}

}  // namespace
}  // namespace callgate::config
