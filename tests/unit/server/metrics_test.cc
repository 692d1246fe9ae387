#include "server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

namespace callgate::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 24 * 60 * 60;

TEST(MetricsTest, CountersAsJsonFields) {
  Metrics metrics;
  Metrics::Add(metrics.requests);
  Metrics::Add(metrics.requests);
  Metrics::Add(metrics.write_timeouts);
  metrics.reloads.Finished(false, true);
  metrics.worker_threads_stalled = 1;
  metrics.worker_thread_stalls = 3;
  const std::string fields = metrics.ToJsonFields(0, {});
  EXPECT_THAT(fields, HasSubstr("\"requests\":2,"));
  EXPECT_THAT(fields, HasSubstr("\"read_timeouts\":0,\"write_timeouts\":1,"));
  EXPECT_THAT(fields, HasSubstr("\"write_timeouts\":1,\"worker_threads_stalled\":1,"
                                "\"worker_thread_stalls\":3,\"reloads_ok\":0,\"reloads_failed\":1,"
                                "\"last_reload_ok\":false,"));
  EXPECT_THAT(fields, Not(HasSubstr("tls_certificate_days_left"))) << "plain HTTP";
}

// Whole days left, rounded down; negative, rounded down too, once the certificate has expired.
TEST(MetricsTest, CertificateDaysLeft) {
  Metrics metrics;
  const std::int64_t not_after = 1'800'000'000;
  metrics.tls_certificate_not_after = not_after;
  const struct {
    std::int64_t now;
    std::string field;
  } cases[] = {
      {not_after - 30 * kDay, "\"tls_certificate_days_left\":30"},
      {not_after - 30 * kDay + 1, "\"tls_certificate_days_left\":29"},
      {not_after - 1, "\"tls_certificate_days_left\":0"},
      {not_after, "\"tls_certificate_days_left\":0"},
      {not_after + 1, "\"tls_certificate_days_left\":-1"},
      {not_after + kDay, "\"tls_certificate_days_left\":-1"},
      {not_after + kDay + 1, "\"tls_certificate_days_left\":-2"},
  };
  for (const auto& c : cases) {
    const std::string fields = metrics.ToJsonFields(c.now, {});
    EXPECT_TRUE(fields.ends_with("," + c.field)) << c.now - not_after << ": " << fields;
  }
}

}  // namespace
}  // namespace callgate::server
