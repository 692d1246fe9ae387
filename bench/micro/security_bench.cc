// Micro-benchmarks of the security layer: what a connection pays once (handshake, IdentifyPeer,
// Authorize) and what a log line pays (PiiMasker::Mask). Certificates are made at start-up with
// the unit tests' helper (ECDSA P-256, milliseconds). Every case is small, so the smoke run
// (CALLGATE_BENCH_SMOKE=1, --benchmark_min_time=0.001) needs no special sizes.
#include <benchmark/benchmark.h>

#include <string>

#include "../../tests/unit/security/test_config.h"
#include "../../tests/unit/security/test_pki.h"
#include "../../tests/unit/security/tls_test_client.h"
#include "common/ip_network.h"
#include "security/peer_authorizer.h"
#include "security/peer_identity.h"
#include "security/pii_masker.h"
#include "security/tls_context.h"

namespace callgate::security {
namespace {

using testing::MakeCluster;
using testing::Strings;
using testing::TestPki;

void BM_PiiMask(benchmark::State& state) {
  PiiMasker masker(true);
  const std::string number = "+12125551212";
  for (auto _ : state) benchmark::DoNotOptimize(masker.Mask(number));
}
BENCHMARK(BM_PiiMask);

void BM_IpAddressParse(benchmark::State& state, const char* text) {
  for (auto _ : state) benchmark::DoNotOptimize(IpAddress::Parse(text));
}
BENCHMARK_CAPTURE(BM_IpAddressParse, v4, "10.1.2.3");
BENCHMARK_CAPTURE(BM_IpAddressParse, v4_mapped, "::ffff:10.1.2.3");
BENCHMARK_CAPTURE(BM_IpAddressParse, v6, "2001:db8:1:2::9");

void BM_NetworkContains(benchmark::State& state) {
  const IpNetwork network = *IpNetwork::Parse("2001:db8::/33");
  const IpAddress address = *IpAddress::Parse("2001:db8:7fff::1");
  for (auto _ : state) benchmark::DoNotOptimize(network.Contains(address));
}
BENCHMARK(BM_NetworkContains);

config::Config MtlsConfig() {
  TestPki& pki = TestPki::Get();
  return testing::ServerConfig(
      pki.server(),
      {MakeCluster("hq", Strings{"10.1.1.10", "10.1.1.11", "10.1.2.0/24"}, pki.root_a().cert_file,
                   Strings{"cucm-pub.example.com", "cucm-sub1.example.com"}),
       MakeCluster("branch", Strings{"10.2.1.0/24"}, pki.root_b().cert_file,
                   Strings{"cucm-branch.example.com"})});
}

PeerIdentity VerifiedPeer(const std::string& ip) {
  PeerIdentity peer;
  peer.address = *IpAddress::Parse(ip);
  peer.has_certificate = peer.chain_verified = true;
  peer.names = {"ucm node", "cucm-sub1.example.com"};
  peer.trust_anchor_sha256 = TestPki::Get().root_a().sha256;
  return peer;
}

void BM_Authorize(benchmark::State& state, const char* ip) {
  const PeerAuthorizer authorizer = std::move(PeerAuthorizer::Build(MtlsConfig())).value();
  const PeerIdentity peer = VerifiedPeer(ip);
  for (auto _ : state) benchmark::DoNotOptimize(authorizer.Authorize(peer));
}
BENCHMARK_CAPTURE(BM_Authorize, allowed, "10.1.2.77");
BENCHMARK_CAPTURE(BM_Authorize, denied, "10.9.9.9");

// A full handshake with a client certificate, both sides in this thread: roughly twice the
// server's CPU cost per new connection.
void BM_MtlsHandshake(benchmark::State& state, int version) {
  auto context = std::move(BuildTlsContext(MtlsConfig())).value();
  testing::ClientOptions options;
  options.credential = &TestPki::Get().client_a_dns();
  options.min_version = options.max_version = version;
  for (auto _ : state) {
    auto result = testing::RunHandshake(context->native(), options);
    if (!result.server_ok) state.SkipWithError(result.server_error.c_str());
  }
}
BENCHMARK_CAPTURE(BM_MtlsHandshake, tls12_ecdsa, TLS1_2_VERSION)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_MtlsHandshake, tls13_ecdsa, TLS1_3_VERSION)->Unit(benchmark::kMicrosecond);

void BM_IdentifyPeer(benchmark::State& state) {
  auto context = std::move(BuildTlsContext(MtlsConfig())).value();
  testing::ClientOptions options;
  options.credential = &TestPki::Get().client_a_dns();
  auto result = testing::RunHandshake(context->native(), options);
  const IpAddress address = *IpAddress::Parse("10.1.2.77");
  for (auto _ : state) benchmark::DoNotOptimize(IdentifyPeer(address, result.server.get()));
}
BENCHMARK(BM_IdentifyPeer);

}  // namespace
}  // namespace callgate::security

BENCHMARK_MAIN();
