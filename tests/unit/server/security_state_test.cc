#include "server/security_state.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "unit/security/test_config.h"
#include "unit/security/test_pki.h"

namespace callgate::server {
namespace {

namespace sec = security::testing;

// Counts the opens of each watched file (inotify), from the constructor to OpensSoFar().
class OpenCounter {
 public:
  OpenCounter() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  ~OpenCounter() { close(fd_); }
  OpenCounter(const OpenCounter&) = delete;
  OpenCounter& operator=(const OpenCounter&) = delete;

  bool Watch(const std::string& path) {
    const int watch = inotify_add_watch(fd_, path.c_str(), IN_OPEN);
    if (watch < 0) return false;
    paths_[watch] = path;
    return true;
  }
  std::map<std::string, int> OpensSoFar() {
    std::map<std::string, int> opens;
    for (const auto& [watch, path] : paths_) opens[path] = 0;
    alignas(inotify_event) std::array<char, 4096> events{};
    for (ssize_t n; (n = read(fd_, events.data(), events.size())) > 0;) {
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(events.data() + at);
        if (event->mask & IN_OPEN) ++opens[paths_[event->wd]];
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    return opens;
  }

 private:
  int fd_;
  std::map<int, std::string> paths_;
};

// The authorizer and the TLS trust store are built from one reading of each ca_file, however many
// clusters name it: a file replaced between two readings would give them different versions.
TEST(BuildSecurityStateTest, ReadsEachCaFileOnceForTheAuthorizerAndTheTrustStore) {
  sec::TestPki& pki = sec::TestPki::Get();
  const sec::TempDir dir;
  const std::string shared = dir.Write("shared.pem", sec::CertPem(pki.root_a().cert.get()));
  const std::string own = dir.Write("own.pem", sec::CertPem(pki.root_b().cert.get()));
  const sec::Strings ips{"10.0.0.0/8"};
  const sec::Strings names{"ucm.example.com"};
  const config::Config config =
      sec::ServerConfig(pki.server(), {sec::MakeCluster("hq", ips, shared, names),
                                       sec::MakeCluster("branch", ips, own, names),
                                       sec::MakeCluster("dr", ips, shared, names)});
  OpenCounter counter;
  ASSERT_TRUE(counter.Watch(shared) && counter.Watch(own));

  auto state = BuildSecurityState(config);
  ASSERT_TRUE(state.ok()) << state.error().ToString();
  EXPECT_EQ(counter.OpensSoFar(), (std::map<std::string, int>{{shared, 1}, {own, 1}}));
  ASSERT_NE((*state)->tls, nullptr);
  EXPECT_EQ((*state)->tls->trust_store().size(), 2U);
  EXPECT_TRUE((*state)->authorizer->requires_client_certificate());
}

}  // namespace
}  // namespace callgate::server
