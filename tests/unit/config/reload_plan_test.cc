// PlanReload: what a reload puts in force of an edited configuration file, and what waits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/config.h"

namespace callgate::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Config Parse(const std::string& yaml) {
  Result<Config> parsed = ParseConfig(yaml, "test.yaml");
  EXPECT_TRUE(parsed.ok()) << yaml << "\n -> " << parsed.error().ToString();
  return parsed.ok() ? std::move(parsed.value()) : Config{};
}

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
