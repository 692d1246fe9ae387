// ChangedKeys and PlanReload: what a reload puts in force of an edited configuration file, and
// what waits for a restart.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
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

// PlanReload.

const std::string kTls = "tls_cert_file: server.crt\ntls_key_file: server.key\n";
const std::string kHq = "  hq:\n    allowed_ips: [10.0.0.1]\n    ca_file: hq.pem\n";
const std::string kBranch = "  branch:\n    allowed_ips: [10.1.0.0/24]\n    ca_file: branch.pem\n";

TEST(ReloadPlanTest, ReloadableKeysAreTheLogLevelTheTlsKeysAndTheClustersInDocumentationOrder) {
  EXPECT_THAT(ReloadableKeys(), ElementsAre("log_level", "tls_cert_file", "tls_key_file",
                                            "tls_legacy_ciphers", "clusters"));
  const std::vector<std::string_view> all = TopLevelKeys();
  std::vector<std::string_view> reloadable = ReloadableKeys();
  for (const std::string_view key : reloadable) {
    EXPECT_NE(std::find(all.begin(), all.end(), key), all.end()) << key;
  }
  EXPECT_TRUE(std::is_sorted(reloadable.begin(), reloadable.end(), [&](auto a, auto b) {
    return std::find(all.begin(), all.end(), a) < std::find(all.begin(), all.end(), b);
  }));
}

TEST(ReloadPlanTest, ChangedClustersAndTlsKeysGoIntoForce) {
  const Config running = Parse(kTls + "clusters:\n" + kHq);
  const Config edited = Parse(
      "tls_cert_file: new.crt\ntls_key_file: new.key\ntls_legacy_ciphers: true\n"
      "clusters:\n" +
      kHq + kBranch);
  const ReloadPlan plan = PlanReload(running, edited);
  EXPECT_THAT(plan.security,
              ElementsAre("tls_cert_file", "tls_key_file", "tls_legacy_ciphers", "clusters"));
  EXPECT_THAT(plan.logging, IsEmpty());
  EXPECT_THAT(plan.at_restart, IsEmpty());
  EXPECT_EQ(plan.held_back, "");
  EXPECT_EQ(plan.next, edited);
}

TEST(ReloadPlanTest, OtherKeysWaitForARestartAndKeepTheirRunningValues) {
  const Config running = Parse(kTls + "clusters:\n" + kHq + "max_connections: 10\n");
  const Config edited = Parse(kTls + "clusters:\n" + kBranch +
                              "max_connections: 20\nlisten_port: 6000\ncsv_file_path: b.csv\n");
  const ReloadPlan plan = PlanReload(running, edited);
  EXPECT_THAT(plan.security, ElementsAre("clusters"));
  EXPECT_THAT(plan.at_restart, ElementsAre("csv_file_path", "listen_port", "max_connections"));
  EXPECT_EQ(plan.held_back, "");
  EXPECT_EQ(plan.next.clusters, edited.clusters);
  EXPECT_EQ(plan.next.max_connections, 10);
  EXPECT_EQ(plan.next.listen.port, 5000);
  EXPECT_EQ(plan.next.csv_file_path, running.csv_file_path);
  EXPECT_THAT(ChangedKeys(running, plan.next), ElementsAre("clusters"));
}

struct HeldCase {
  std::string running;
  std::string edited;
  std::string held_back;
};

TEST(ReloadPlanTest, EverythingWaitsWhenTheEditChangesWhatTheClustersMean) {
  const std::vector<HeldCase> cases = {
      {kTls + "clusters:\n" + kHq, "insecure_mode: true\n" + kTls + "clusters:\n" + kBranch,
       "insecure_mode changes"},
      {"insecure_mode: true\nclusters:\n" + kHq,
       "insecure_mode: true\n" + kTls + "clusters:\n" + kBranch, "TLS is turned on"},
      {"insecure_mode: true\n" + kTls + "clusters:\n" + kHq,
       "insecure_mode: true\nclusters:\n" + kBranch, "TLS is turned off"},
      {"insecure_mode: true\n" + kTls, "insecure_mode: true\n" + kTls + "clusters:\n" + kBranch,
       "clusters are defined where there were none"},
      {"insecure_mode: true\n" + kTls + "clusters:\n" + kHq, "insecure_mode: true\n" + kTls,
       "no cluster is left"},
  };
  for (const HeldCase& c : cases) {
    SCOPED_TRACE(c.edited);
    const Config running = Parse(c.running);
    const ReloadPlan plan = PlanReload(running, Parse(c.edited));
    EXPECT_THAT(plan.security, IsEmpty());
    EXPECT_NE(std::find(plan.at_restart.begin(), plan.at_restart.end(), "clusters"),
              plan.at_restart.end());
    EXPECT_EQ(plan.held_back, c.held_back);
    EXPECT_THAT(ChangedKeys(running, plan.next), IsEmpty());
  }
}

// log_level goes into force by itself, also when the security keys wait for a restart.
TEST(ReloadPlanTest, TheLogLevelGoesIntoForceByItself) {
  const Config running = Parse(kTls + "clusters:\n" + kHq);
  ReloadPlan plan = PlanReload(running, Parse(kTls + "clusters:\n" + kHq + "log_level: DEBUG\n"));
  EXPECT_THAT(plan.logging, ElementsAre("log_level"));
  EXPECT_THAT(plan.security, IsEmpty());
  EXPECT_EQ(plan.next.log_level, LogLevel::kDebug);
  EXPECT_EQ(plan.next.LineOf("log_level"), 7);

  plan = PlanReload(running, Parse("insecure_mode: true\n" + kTls + "clusters:\n" + kBranch +
                                   "log_level: WARNING\n"));
  EXPECT_THAT(plan.logging, ElementsAre("log_level"));
  EXPECT_THAT(plan.at_restart, ElementsAre("insecure_mode", "clusters"));
  EXPECT_EQ(plan.held_back, "insecure_mode changes");
  EXPECT_EQ(plan.next.log_level, LogLevel::kWarning);
  EXPECT_EQ(plan.next.clusters, running.clusters);
}

TEST(ReloadPlanTest, NothingIsSaidHeldBackWhenNoReloadableKeyChanged) {
  const ReloadPlan plan =
      PlanReload(Parse("clusters:\n" + kHq + "insecure_mode: true\n"), Parse("clusters:\n" + kHq));
  EXPECT_THAT(plan.at_restart, ElementsAre("insecure_mode"));
  EXPECT_EQ(plan.held_back, "");
}

TEST(ReloadPlanTest, TheLinesAreWhereTheFileHasTheKeysNow) {
  const Config running =
      Parse(kTls + "csv_file_path: a.csv\nmax_connections: 10\nclusters:\n" + kHq);
  const Config edited = Parse("# two\n# comments\n" + kTls +
                              "csv_file_path: a.csv\nmax_connections: 20\nclusters:\n" + kHq);
  const ReloadPlan plan = PlanReload(running, edited);
  EXPECT_THAT(plan.security, IsEmpty());
  EXPECT_THAT(plan.at_restart, ElementsAre("max_connections"));
  EXPECT_EQ(plan.next.LineOf("csv_file_path"), 5);  // unchanged, moved: where it is now
  EXPECT_EQ(plan.next.LineOf("tls_key_file"), 4);
  EXPECT_EQ(plan.next.clusters.front().line, edited.clusters.front().line);
  EXPECT_EQ(plan.next.clusters.front().LineOf("ca_file"), 10);
  // Waiting for a restart: the running value, and the line it was read from.
  EXPECT_EQ(plan.next.LineOf("max_connections"), 4);
}

TEST(ReloadPlanTest, AnAliasOfAKeyLeftForARestartStaysAsTheRunningFileWroteIt) {
  const ReloadPlan plan = PlanReload(Parse("flask_port: 6000\n"), Parse("\nlisten_port: 7000\n"));
  EXPECT_THAT(plan.at_restart, ElementsAre("listen_port"));
  EXPECT_EQ(plan.next.KeyAsWritten("listen_port"), "flask_port");
  EXPECT_EQ(plan.next.LineOf("listen_port"), 1);
}

}  // namespace
}  // namespace callgate::config
