// Mutual TLS and cluster access control against the real binary, with a PKI made at test time
// by make_pki.sh: two independent roots (A, B), an intermediate under A, client certificates
// with various CN/SANs, an expired one and a self-signed one.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "harness.h"
#include "support/change_at_first_read.h"

namespace callgate::testing {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

enum class Outcome { kRefused, kForbidden, kAllowed };

const char* ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRefused:
      return "refused";
    case Outcome::kForbidden:
      return "403";
    case Outcome::kAllowed:
      return "allowed";
  }
  return "?";
}

class MutualTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir;
    auto made = RunCommand(
        {"/bin/bash", SourcePath("tests/integration/make_pki.sh"), pki_->path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() { delete pki_; }
  static std::string Pki(const std::string& name) { return (pki_->path() / name).string(); }

  // A key written to dir_ with mode 600, as real ones are (one others can read gets a warning);
  // a later dir_.Write() over it keeps that.
  std::string PrivateKeyFile(const std::string& name, const std::string& pem) {
    const std::string file = dir_.Write(name, pem);
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return file;
  }
  std::string Config(const std::string& listen_host, const std::string& extra) {
    return "listen_host: \"" + listen_host +
           "\"\nlisten_port: 0\n"
           "admin_listen: \"127.0.0.1:0\"\n"
           "tls_cert_file: " +
           dir_.Write("server.crt", ReadFile(Pki("server.crt"))) +
           "\n"
           "tls_key_file: " +
           PrivateKeyFile("server.key", ReadFile(Pki("server.key"))) +
           "\n"
           "csv_file_path: " +
           dir_.Write("d.csv", "phone_number,display_name\n+14085550101,Ada Lovelace\n") +
           "\n"
           "clusters:\n"
           "  hq:\n"
           "    allowed_ips: [127.0.0.1, \"::1\"]\n"
           "    ca_file: " +
           Pki("ca-a.crt") +
           "\n"
           "    allowed_subjects: [CUCM-PUB.example.com, cucm-sub1.example.com, 10.1.1.10,\n"
           "                       cucm-sub2.example.com]\n"
           "  branch:\n"
           "    allowed_ips: [127.0.0.0/8]\n"
           "    ca_file: " +
           Pki("ca-b.crt") +
           "\n"
           "    allowed_subjects: [cucm-branch.example.com]\n" +
           extra;
  }
  void StartServer(const std::string& extra = "", const std::string& listen_host = "127.0.0.1") {
    server_ = CallgateProcess::Start(dir_, Config(listen_host, extra));
    ASSERT_NE(server_, nullptr);
  }
  // hq's ca_file, a copy of CA A the test rewrites to take the CA out.
  std::string HqCaFile() const { return (dir_.path() / "hq-ca.pem").string(); }
  // Starts the server with hq's ca_file the copy above, and opens `open` with a certificate CA A
  // issued, which it has been served once.
  void StartWithAConnectionFromCaA(const std::string& extra, std::unique_ptr<HttpClient>& open) {
    dir_.Write("hq-ca.pem", ReadFile(Pki("ca-a.crt")));
    std::string config = Config("127.0.0.1", extra);
    config.replace(config.find(Pki("ca-a.crt")), Pki("ca-a.crt").size(), HqCaFile());
    server_ = CallgateProcess::Start(dir_, config);
    ASSERT_NE(server_, nullptr);
    open = HttpClient::Connect(server_->port(), Client("a-cn"));
    ASSERT_NE(open, nullptr);
    auto served = open->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
    ASSERT_TRUE(served) << open->last_error();
    ASSERT_EQ(served->result(), http::status::ok);
  }
  static TlsOptions Client(const std::string& name) {
    TlsOptions options;
    options.ca_file = Pki("server-trust.pem");  // the server certificates, before and after reload
    if (!name.empty()) {
      options.cert_file = Pki(name + ".crt");
      options.key_file = Pki(name + ".key");
    }
    return options;
  }
  // Connects, sends one CURRI request and classifies what happened. Under TLS 1.3 a client
  // certificate is checked after the client's handshake completes, so a refusal may only show
  // on the first request.
  Outcome Try(const TlsOptions& options, const std::string& local = "",
              const std::string& host = "127.0.0.1") {
    auto client = HttpClient::Connect(server_->port(), options, host, local);
    if (!client) return Outcome::kRefused;
    auto response = client->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
    if (!response) return Outcome::kRefused;
    if (response->result() == http::status::forbidden) {
      EXPECT_EQ(response->body(), "Forbidden\n");
      return Outcome::kForbidden;
    }
    EXPECT_EQ(response->body(), ExpectedCurriResponse("Ada Lovelace"));
    return response->result() == http::status::ok ? Outcome::kAllowed : Outcome::kRefused;
  }

  static TempDir* pki_;
  TempDir dir_;
  std::unique_ptr<CallgateProcess> server_;
};

TempDir* MutualTlsTest::pki_ = nullptr;

TEST_F(MutualTlsTest, TheAccessMatrix) {
  StartServer("log_level: DEBUG\n");  // every failed handshake's line, not one per interval
  struct Case {
    std::string what;
    std::string client_cert;
    std::string local_address;
    Outcome expected;
  };
  const std::vector<Case> cases = {
      {"no client certificate", "", "", Outcome::kRefused},
      {"unknown CA (self-signed, allowed CN)", "selfsigned", "", Outcome::kRefused},
      {"expired", "a-expired", "", Outcome::kRefused},
      {"trusted CA, subject not allowed", "a-wrong", "", Outcome::kForbidden},
      {"allowed subject via CN (case-insensitive)", "a-cn", "", Outcome::kAllowed},
      {"allowed subject via DNS SAN", "a-dns", "", Outcome::kAllowed},
      {"allowed subject via IP SAN", "a-ip", "", Outcome::kAllowed},
      {"issued by A's intermediate", "a-int-chain", "", Outcome::kAllowed},
      {"cluster B's CA with cluster A's subject", "b-cn", "", Outcome::kForbidden},
      {"allowed IP", "a-cn", "127.0.0.1", Outcome::kAllowed},
      {"denied IP", "a-cn", "127.0.0.2", Outcome::kForbidden},
  };
  for (const auto& c : cases) {
    TlsOptions options = Client(c.client_cert);
    if (c.client_cert == "a-int-chain") options.key_file = Pki("a-int.key");
    EXPECT_EQ(ToString(Try(options, c.local_address)), ToString(c.expected)) << c.what;
  }
  // The denial lines are written before each 403, but reach the test through a pipe reader.
  for (const char* rule : {"'hq': allowed_subjects", "'hq': ca_file", "'hq': allowed_ips"}) {
    EXPECT_TRUE(server_->WaitForOutput(rule)) << rule;
  }
  EXPECT_TRUE(server_->WaitForOutput(
      "(certificate names intruder.example.com) matches no cluster: 'hq': allowed_subjects"));
  // A refused certificate is named in the handshake's log line, with OpenSSL's reason.
  for (const char* refusal :
       {"failed: peer did not return a certificate",
        "self-signed certificate: client certificate CN cucm-pub.example.com, issuer \"C = US",
        "certificate has expired: client certificate CN cucm-pub.example.com, issuer \"O = "
        "callgate tests, CN = callgate test CA A\""}) {
    EXPECT_TRUE(server_->WaitForOutput(refusal)) << refusal;
  }
  // Refused in the handshake: no certificate, an unknown CA, expired. Forbidden: the other three.
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "tls_handshake_failures", 3), 3U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "forbidden", 3), 3U);
}

// A client can fail handshakes as fast as it reconnects: at INFO the first failure has its line,
// the others are counted.
TEST_F(MutualTlsTest, FailedHandshakesAreLoggedOncePerIntervalAndAllCounted) {
  StartServer();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ToString(Try(Client("a-expired"))), ToString(Outcome::kRefused));
  }
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "tls_handshake_failures", 3), 3U);
  // Logged after the failures: once it has come through the pipe, so have their lines.
  EXPECT_EQ(ToString(Try(Client("a-wrong"))), ToString(Outcome::kForbidden));
  ASSERT_TRUE(server_->WaitForOutput("'hq': allowed_subjects"));
  const std::string output = server_->output();
  EXPECT_EQ(Occurrences(output, "TLS handshake with 127.0.0.1 failed"), 1U) << output;
  EXPECT_NE(output.find("certificate has expired"), std::string::npos) << output;
}

// As over plain HTTP (ServerTest.SigtermAnswersRequestsThatArrivedBeforeIt): a request that
// reached the server before SIGTERM is answered, also on a connection idle until then, whose
// cancelled TLS read is made again.
TEST_F(MutualTlsTest, SigtermAnswersRequestsThatArrivedBeforeIt) {
  StartServer();
  ExpectRequestsSentJustBeforeSigtermAnswered(
      *server_, [this] { return HttpClient::Connect(server_->port(), Client("a-cn")); }, 20);
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(server_->output().find("Operation canceled"), std::string::npos)
      << "a handshake or read the stop cancelled is not a failure: " << server_->output();
}

TEST_F(MutualTlsTest, ProtocolVersions) {
  StartServer();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsOptions options = Client("a-cn");
    options.min_version = options.max_version = version;
    auto client = HttpClient::Connect(server_->port(), options);
    ASSERT_NE(client, nullptr) << version;
    EXPECT_EQ(client->tls_version(), version == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3");
    auto response = client->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result(), http::status::ok);
  }
  TlsOptions old = Client("a-cn");
  old.min_version = old.max_version = TLS1_1_VERSION;
  EXPECT_EQ(ToString(Try(old)), ToString(Outcome::kRefused)) << "TLS 1.1";
}

TEST_F(MutualTlsTest, IPv6Loopback) {
  StartServer("", "::1");
  EXPECT_EQ(ToString(Try(Client("a-cn"), "", "::1")), ToString(Outcome::kAllowed));
}

TEST_F(MutualTlsTest, HealthFromLoopbackWithoutAClientCertificateThroughTheAdminListener) {
  StartServer();
  auto admin = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(admin, nullptr);
  auto health = admin->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result(), http::status::ok);
  EXPECT_THAT(health->body(), HasSubstr("\"exact_entries\":1"));
  // make_pki.sh's server certificate is valid for 3650 days from when the test made it.
  EXPECT_THAT(health->body(), ::testing::AnyOf(HasSubstr("\"tls_certificate_days_left\":3650}"),
                                               HasSubstr("\"tls_certificate_days_left\":3649}")));
  // On the main listener /health needs a client certificate, like everything there; the
  // loopback-only rule for it is covered by the router's unit tests (tests cannot connect from
  // a non-loopback address).
  auto anonymous = HttpClient::Connect(server_->port(), Client(""));
  EXPECT_TRUE(anonymous == nullptr || !anonymous->Get("/health"));
  auto main = HttpClient::Connect(server_->port(), Client("a-wrong"), "127.0.0.1", "127.0.0.2");
  ASSERT_NE(main, nullptr);
  auto local = main->Get("/health");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->result(), http::status::ok) << "127.0.0.2 is a loopback address";
}

TEST_F(MutualTlsTest, DenialsAreLoggedWithPiiMasked) {
  StartServer("obfuscate_pii: true\n");
  EXPECT_EQ(ToString(Try(Client("a-cn"), "127.0.0.2")), ToString(Outcome::kForbidden));
  ASSERT_TRUE(server_->WaitForOutput("matches no cluster"));
  const std::string log = server_->output();
  const std::string line =
      log.substr(log.find("Denied"), log.find('\n', log.find("Denied")) - log.find("Denied"));
  EXPECT_THAT(line, HasSubstr("{! "));
  EXPECT_THAT(line, Not(HasSubstr("127.0.0.2")));
  EXPECT_THAT(line, Not(HasSubstr("cucm-pub.example.com")));
}

// make_pki.sh's server-chain.crt is a leaf for 3650 days under an intermediate for 20: UCM
// refuses the chain when the intermediate expires, so that is what start-up and /health report.
TEST_F(MutualTlsTest, AnIntermediateThatExpiresFirstIsWarnedAboutAndCountedDown) {
  const std::string config = Config("127.0.0.1", "");  // writes server.crt and .key
  dir_.Write("server.crt", ReadFile(Pki("server-chain.crt")));
  dir_.Write("server.key", ReadFile(Pki("server-chain.key")));
  server_ = CallgateProcess::Start(dir_, config);
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->output(),
              HasSubstr("TLS: tls_cert_file '" + (dir_.path() / "server.crt").string() +
                        "': certificate #2 \"O = callgate tests, CN = callgate test short-lived "
                        "intermediate\" of the chain callgate sends expires on "));
  auto admin = HttpClient::Connect(server_->port("admin"));
  ASSERT_NE(admin, nullptr);
  auto health = admin->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_THAT(health->body(), ::testing::AnyOf(HasSubstr("\"tls_certificate_days_left\":20}"),
                                               HasSubstr("\"tls_certificate_days_left\":19}")));
}

// Three common handshake failures whose OpenSSL wording misleads, as the log explains them.
TEST_F(MutualTlsTest, CommonHandshakeFailuresAreExplained) {
  StartServer("log_level: DEBUG\n");
  TlsOptions distrustful = Client("a-cn");
  distrustful.ca_file = Pki("ca-b.crt");  // not what issued callgate's certificate
  EXPECT_EQ(HttpClient::Connect(server_->port(), distrustful), nullptr);
  EXPECT_TRUE(server_->WaitForOutput(
      "failed: tlsv1 alert unknown ca (SSL routines); the client does not trust callgate's "
      "certificate: check that UCM's CallManager-trust holds it"))
      << server_->output();

  auto plain = HttpClient::Connect(server_->port());  // plain HTTP to the TLS port
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->Get("/curri"));
  EXPECT_TRUE(server_->WaitForOutput(
      "failed: http request (SSL routines); the client sent plain HTTP to this TLS listener: the "
      "PDP URL must start with https://"))
      << server_->output();

  HttpClient::Connect(server_->port()).reset();  // connect and close, as a TCP health check does
  EXPECT_TRUE(
      server_->WaitForOutput("[debug] callgate: TLS connection from 127.0.0.1 closed "
                             "before its ClientHello: not a TLS client"))
      << server_->output();
  EXPECT_THAT(server_->output(), Not(HasSubstr("stream truncated")));
  // The TCP check has a counter of its own: tls_handshake_failures counts the two TLS clients.
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "tls_closed_before_hello", 1), 1U);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "tls_handshake_failures", 2), 2U);
}

// Connects to 127.0.0.1:`port` and resets the connection at once (SO_LINGER 0), as many load
// balancers end their TCP check. False if it could not connect.
bool ConnectAndReset(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const linger reset{1, 0};
  const bool connected =
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0 &&
      connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

// A TCP check that resets is counted as one that closes, whether the reset comes before
// callgate has served the connection (it was counted nowhere) or during its handshake (it was a
// handshake failure).
TEST_F(MutualTlsTest, ConnectionsResetBeforeAClientHelloAreCountedAsClosedBeforeIt) {
  StartServer();
  constexpr int kChecks = 20;
  for (int i = 0; i < kChecks; ++i) ASSERT_TRUE(ConnectAndReset(server_->port()));
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "tls_closed_before_hello", kChecks),
            static_cast<std::uint64_t>(kChecks));
  EXPECT_EQ(HealthField(server_->port("admin"), "tls_handshake_failures"), "0");
}

// Under obfuscate_pii the DEBUG certificate line masks the address and, as the Denied line
// does, the certificate's subject and names (a refused client may present a person's
// certificate), and its serial, which the unmasked trust-store lines would otherwise link to
// the subject; its issuer, a CA, is shown, and so is its validity.
TEST_F(MutualTlsTest, DebugCertificateLineMasksTheAddressAndTheCertificatesNames) {
  StartServer("obfuscate_pii: true\nlog_level: DEBUG\n");
  EXPECT_EQ(ToString(Try(Client("a-dns"))), ToString(Outcome::kAllowed));
  ASSERT_TRUE(server_->WaitForOutput("Client certificate from {! "));
  const std::string log = server_->output();
  const std::size_t start = log.find("Client certificate from");
  const std::string line = log.substr(start, log.find('\n', start) - start);
  EXPECT_THAT(line, Not(HasSubstr("127.0.0.1")));
  EXPECT_THAT(line, Not(HasSubstr("cucm-sub1.example.com"))) << line;  // the DNS SAN
  EXPECT_THAT(line, HasSubstr("subject={! ")) << line;
  EXPECT_THAT(line, HasSubstr("sans=[{! ")) << line;
  EXPECT_THAT(line, HasSubstr("serial={! ")) << line;
  EXPECT_THAT(line, HasSubstr(" valid=20")) << line;
  EXPECT_THAT(line, HasSubstr("callgate test CA A")) << line;  // the issuer
}

TEST_F(MutualTlsTest, ASelfSignedClusterCertificateIsItsOwnCa) {
  StartServer("  lab:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + Pki("selfsigned.crt") +
              "\n    allowed_subjects: [cucm-pub.example.com]\n");
  EXPECT_EQ(ToString(Try(Client("selfsigned"))), ToString(Outcome::kAllowed));
}

// A self-signed client certificate trusted through its ca_file is the administrator's
// configuration, shown as it is in the DEBUG trust-store lines; under obfuscate_pii the client
// certificate line must not give its serial, which would name the subject it masks.
TEST_F(MutualTlsTest, UnderObfuscatePiiTheClientLineDoesNotRepeatTheTrustStoresSerial) {
  StartServer("  lab:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + Pki("selfsigned.crt") +
              "\n    allowed_subjects: [cucm-pub.example.com]\nobfuscate_pii: true\n"
              "log_level: DEBUG\n");
  EXPECT_EQ(ToString(Try(Client("selfsigned"))), ToString(Outcome::kAllowed));
  ASSERT_TRUE(server_->WaitForOutput("Client certificate from {! "));
  const std::string log = server_->output();
  const std::size_t trusted =
      log.find("trusted: subject=C = US, O = Example Corp, OU = Voice, CN = cucm-pub");
  ASSERT_NE(trusted, std::string::npos) << log;
  const std::size_t serial = log.find("serial=", trusted) + 7;
  const std::string serial_text = log.substr(serial, log.find(' ', serial) - serial);
  ASSERT_GE(serial_text.size(), 8U) << log;
  const std::size_t start = log.find("Client certificate from");
  const std::string line = log.substr(start, log.find('\n', start) - start);
  EXPECT_THAT(line, Not(HasSubstr(serial_text))) << line;
  EXPECT_THAT(line, HasSubstr("serial={! ")) << line;
}

// During a renewal of a self-signed UCM node, its ca_file holds the old and the new
// CallManager.pem: the same subject, no authorityKeyIdentifier. Both must be let in, whichever
// is listed first (OpenSSL's lookup by subject finds only the first).
TEST_F(MutualTlsTest, BothCertificatesOfARenewalAreTrustedInEitherOrder) {
  const std::string old_pem = ReadFile(Pki("renewed-old.crt"));
  const std::string new_pem = ReadFile(Pki("renewed-new.crt"));
  for (const std::string& bundle : {old_pem + new_pem, new_pem + old_pem}) {
    const std::string order = bundle.starts_with(old_pem) ? "old first" : "new first";
    StartServer(
        "  lab:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + dir_.Write("renewal.pem", bundle) +
        "\n    allowed_subjects: [cucm-renewed.example.com]\n");
    for (const char* name : {"renewed-old", "renewed-new"}) {
      EXPECT_EQ(ToString(Try(Client(name))), ToString(Outcome::kAllowed)) << name << ", " << order;
    }
    server_.reset();
  }
}

TEST_F(MutualTlsTest, LegacyCipherOnlyWhenEnabled) {
  TlsOptions legacy = Client("a-cn");
  legacy.ca_file.clear();
  legacy.min_version = legacy.max_version = TLS1_2_VERSION;
  legacy.ciphers = "AES256-SHA";
  std::string config = Config("127.0.0.1", "");
  // Replace the ECDSA server certificate with the RSA one (the suite needs an RSA key).
  dir_.Write("server.crt", ReadFile(Pki("server-rsa.crt")));
  dir_.Write("server.key", ReadFile(Pki("server-rsa.key")));
  server_ = CallgateProcess::Start(dir_, config);
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(ToString(Try(legacy)), ToString(Outcome::kRefused)) << "off by default";
  EXPECT_TRUE(
      server_->WaitForOutput("no shared cipher (SSL routines); the client offered: AES256-SHA. "
                             "AES256-SHA, what old UCM releases offer, needs tls_legacy_ciphers"))
      << server_->output();
  server_.reset();
  server_ = CallgateProcess::Start(dir_, config + "tls_legacy_ciphers: true\n");
  ASSERT_NE(server_, nullptr);
  EXPECT_EQ(ToString(Try(legacy)), ToString(Outcome::kAllowed)) << "tls_legacy_ciphers: true";
}

TEST_F(MutualTlsTest, SighupReloadsCertificatesWhileAConnectionStaysOpen) {
  StartServer();
  auto open = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->server_common_name(), "localhost");
  // The log says which certificate is served, so that a renewal can be confirmed from it (and
  // the trust store: CA A and CA B, the two clusters' ca_files).
  EXPECT_THAT(server_->output(), HasSubstr("TLS: serving certificate \"CN = localhost\" (serial "));
  EXPECT_THAT(server_->output(), HasSubstr(", 2 trusted client CA certificate(s)"));

  dir_.Write("server.crt", ReadFile(Pki("server2.crt")));
  dir_.Write("server.key", ReadFile(Pki("server2.key")));
  std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reloaded TLS", mark)) << server_->output();
  EXPECT_THAT(server_->output().substr(mark),
              HasSubstr("Reloaded TLS certificate, key and CA files: serving certificate \"CN = "
                        "callgate-reloaded\" (serial "));
  auto fresh = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->server_common_name(), "callgate-reloaded");
  auto still = open->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
  ASSERT_TRUE(still) << "the open connection carries on";
  EXPECT_EQ(still->result(), http::status::ok);

  dir_.Write("server.key", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n");
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload failed, the previous TLS", mark));
  auto after_bad = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(after_bad, nullptr) << "a bad new key keeps the old certificate in service";
  EXPECT_EQ(after_bad->server_common_name(), "callgate-reloaded");
  EXPECT_TRUE(open->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}})));

  // An expired certificate reads fine, but UCM would refuse it on every new connection.
  dir_.Write("server.crt", ReadFile(Pki("a-expired.crt")));
  dir_.Write("server.key", ReadFile(Pki("a-expired.key")));
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload failed, the previous TLS", mark));
  EXPECT_THAT(server_->output().substr(mark), HasSubstr("the certificate expired on"));
  auto after_expired = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(after_expired, nullptr);
  EXPECT_EQ(after_expired->server_common_name(), "callgate-reloaded");
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 2), 2U);
}

// As over plain TCP (ServerTest.RequestsPipelinedPastACloseDoNotCostTheResponsesBeforeIt): the TLS
// close (close_notify, then the wait for the client's) and the lingering close after it read and
// drop what the client still sends, so nothing resets the connection under its responses.
TEST_F(MutualTlsTest, RequestsPipelinedPastACloseDoNotCostTheResponsesBeforeIt) {
  StartServer();
  auto client = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->WriteRaw(PipelinedPastAClose(500, 500)));
  ASSERT_EQ(AwaitHealthCounter(server_->port("admin"), "curri_requests", 1), 1U);
  const std::string reply = client->ReadUntilClosed();
  EXPECT_EQ(Occurrences(reply, "HTTP/1.1 200 OK\r\n"), 501U) << client->last_error();
}

// UCM keeps its connections for hours: a CA taken out of ca_file must end the connections it let
// in, not only refuse new ones. One kept in ca_file keeps them open.
TEST_F(MutualTlsTest, ACaTakenOutOfCaFileEndsTheConnectionsItLetIn) {
  std::unique_ptr<HttpClient> open;
  ASSERT_NO_FATAL_FAILURE(StartWithAConnectionFromCaA("", open));
  const std::string hq_ca = HqCaFile();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});

  // The same CA, and B's added beside it: the connection is authorized again, and allowed.
  dir_.Write("hq-ca.pem", ReadFile(Pki("ca-a.crt")) + ReadFile(Pki("ca-b.crt")));
  std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output();
  auto kept = open->Post("/curri", body);
  ASSERT_TRUE(kept) << open->last_error();
  EXPECT_EQ(kept->result(), http::status::ok);

  // A's CA gone from every ca_file: the next request, a call waiting, is still answered, and the
  // connection is closed; a new connection with that certificate is refused in its handshake.
  dir_.Write("hq-ca.pem", ReadFile(Pki("ca-b.crt")));
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output();
  auto last = open->Post("/curri", body);
  ASSERT_TRUE(last) << open->last_error();
  EXPECT_EQ(last->result(), http::status::ok);
  EXPECT_EQ(last->body(), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_FALSE(last->keep_alive());
  EXPECT_EQ(open->ReadUntilClosed(), "");
  EXPECT_TRUE(server_->WaitForOutput(
      "After the reload, peer 127.0.0.1 (certificate names cucm-pub.example.com) matches no "
      "cluster: 'hq': ca_file (certificate chain does not lead to a CA in ca_file '" +
          hq_ca + "')",
      mark))
      << server_->output();
  EXPECT_TRUE(server_->WaitForOutput("closing its connection after the request in progress", mark));
  EXPECT_EQ(ToString(Try(Client("a-cn"))), ToString(Outcome::kRefused));
}

// A reload reads the TLS files before the directory: a CA taken out of ca_file stops being
// trusted even while the directory's read hangs (here a FIFO no one writes to, as a network file
// system that does not answer would hold it), and the directory still loads once it answers.
TEST_F(MutualTlsTest, ACaTakenOutOfCaFileStopsBeingTrustedWhileTheDirectoryReadHangs) {
  std::unique_ptr<HttpClient> open;
  ASSERT_NO_FATAL_FAILURE(StartWithAConnectionFromCaA("shutdown_timeout_seconds: 1\n", open));
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});

  const std::string csv = (dir_.path() / "d.csv").string();
  std::filesystem::remove(csv);
  ASSERT_EQ(mkfifo(csv.c_str(), 0600), 0);
  dir_.Write("hq-ca.pem", ReadFile(Pki("ca-b.crt")));
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reloaded TLS", mark)) << server_->output().substr(mark);
  auto last = open->Post("/curri", body);
  ASSERT_TRUE(last) << open->last_error();
  EXPECT_EQ(last->body(), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_FALSE(last->keep_alive()) << "the connection A's CA let in is closed";
  EXPECT_EQ(ToString(Try(Client("a-cn"))), ToString(Outcome::kRefused));
  EXPECT_THAT(server_->output().substr(mark), ::testing::Not(HasSubstr("Reload complete")))
      << "the directory's read is still held";

  const int writer = ::open(csv.c_str(), O_WRONLY);  // the reload holds the read end
  ASSERT_GE(writer, 0);
  const std::string content = "phone_number,display_name\n+14085550101,Ada King\n";
  EXPECT_EQ(write(writer, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(writer);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output().substr(mark);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_ok", 1), 1U);
}

// Who may connect changes with a SIGHUP, without a restart: an address taken out of allowed_ips
// ends the connections it let in (the request in progress is answered, as for a CA taken out), a
// subject added to allowed_subjects lets its node in, and putting the file back undoes both. A
// key a reload does not apply is named as waiting for a restart.
TEST_F(MutualTlsTest, ClustersEditedInTheConfigurationFileTakeEffectAtAReload) {
  StartServer();
  const std::string config_file = (dir_.path() / "callgate.yaml").string();
  const std::string body = CurriBody({{"callingnumber", "+14085550101"}});
  auto open = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(open, nullptr);
  auto first = open->Post("/curri", body);
  ASSERT_TRUE(first) << open->last_error();
  ASSERT_EQ(first->result(), http::status::ok);
  EXPECT_EQ(ToString(Try(Client("a-wrong"), "127.0.0.2")), ToString(Outcome::kForbidden));

  const std::string started = Config("127.0.0.1", "");
  std::string edited = Config("127.0.0.1", "max_connections: 100\n");
  const std::string hq_ips = "allowed_ips: [127.0.0.1, \"::1\"]";
  edited.replace(edited.find(hq_ips), hq_ips.size(), "allowed_ips: [127.0.0.2]");
  const std::string hq_subjects = "allowed_subjects: [";
  edited.insert(edited.find(hq_subjects) + hq_subjects.size(), "intruder.example.com, ");
  dir_.Write("callgate.yaml", edited);
  std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output().substr(mark);
  const std::string reload = server_->output().substr(mark);
  EXPECT_THAT(reload,
              HasSubstr("[info] callgate: Reload: clusters of " + config_file + " now in force"));
  EXPECT_THAT(reload, HasSubstr("Reload: " + config_file +
                                " changes max_connections: this takes effect at the next "
                                "restart; they are read only at start-up"));

  auto last = open->Post("/curri", body);
  ASSERT_TRUE(last) << open->last_error();
  EXPECT_EQ(last->body(), ExpectedCurriResponse("Ada Lovelace"));
  EXPECT_FALSE(last->keep_alive()) << "127.0.0.1 is no longer in hq's allowed_ips";
  EXPECT_EQ(open->ReadUntilClosed(), "");
  EXPECT_TRUE(
      server_->WaitForOutput("After the reload, peer 127.0.0.1 (certificate names "
                             "cucm-pub.example.com) matches no cluster: 'hq': allowed_ips",
                             mark))
      << server_->output().substr(mark);
  EXPECT_EQ(ToString(Try(Client("a-cn"))), ToString(Outcome::kForbidden));
  EXPECT_EQ(ToString(Try(Client("a-cn"), "127.0.0.2")), ToString(Outcome::kAllowed));
  EXPECT_EQ(ToString(Try(Client("a-wrong"), "127.0.0.2")), ToString(Outcome::kAllowed));
  const std::uint16_t admin = server_->port("admin");
  EXPECT_EQ(AwaitHealthCounter(admin, "reloads_ok", 1), 1U);
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "true");

  dir_.Write("callgate.yaml", started);
  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output().substr(mark);
  EXPECT_EQ(ToString(Try(Client("a-cn"))), ToString(Outcome::kAllowed));
  EXPECT_EQ(ToString(Try(Client("a-wrong"), "127.0.0.2")), ToString(Outcome::kForbidden));
}

// Edited clusters whose ca_file does not load would stop a start: the reload puts none of the
// edit in force (hq still allows 127.0.0.1, which the edit takes out), fails, and says so in the
// log and in /health; the certificates the configuration in force names are read again all the
// same.
TEST_F(MutualTlsTest, EditedClustersThatDoNotLoadLeaveTheOnesInForce) {
  StartServer();
  const std::string config_file = (dir_.path() / "callgate.yaml").string();
  const std::string missing = (dir_.path() / "missing-ca.pem").string();
  std::string edited = Config("127.0.0.1", "");
  edited.replace(edited.find(Pki("ca-b.crt")), Pki("ca-b.crt").size(), missing);
  const std::string hq_ips = "allowed_ips: [127.0.0.1, \"::1\"]";
  edited.replace(edited.find(hq_ips), hq_ips.size(), "allowed_ips: [127.0.0.2]");
  dir_.Write("callgate.yaml", edited);
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  const std::uint16_t admin = server_->port("admin");
  ASSERT_EQ(AwaitHealthCounter(admin, "reloads_failed", 1), 1U) << server_->output().substr(mark);
  EXPECT_EQ(HealthField(admin, "config_file_ok"), "false");
  EXPECT_EQ(HealthField(admin, "last_reload_ok"), "false");
  const std::string reload = server_->output().substr(mark);
  EXPECT_THAT(reload, HasSubstr("[error] callgate: Reload failed, the previous clusters stay in "
                                "force: " +
                                config_file + ":"));
  EXPECT_THAT(reload, HasSubstr("key 'clusters.branch.ca_file'")) << reload;
  EXPECT_THAT(reload, HasSubstr(missing));
  EXPECT_THAT(reload, HasSubstr("Reloaded TLS certificate, key and CA files: serving"));
  EXPECT_THAT(reload, ::testing::Not(HasSubstr("Reload complete")));
  EXPECT_EQ(ToString(Try(Client("a-cn"))), ToString(Outcome::kAllowed));
}

// New certificate and key paths in the configuration file are served from a reload on (a renewal
// written to new files, not over the old ones), and ca_bundle_path is written again for the
// clusters in force: here without the branch cluster, taken out of the file.
TEST_F(MutualTlsTest, NewCertificatePathsAndClustersAtAReloadAreServedAndBundled) {
  const std::string bundle = (dir_.path() / "ca-bundle.pem").string();
  const std::string extra = "ca_bundle_path: " + bundle + "\n";
  StartServer(extra);
  EXPECT_EQ(ReadFile(bundle), ReadFile(Pki("ca-a.crt")) + "\n" + ReadFile(Pki("ca-b.crt")) + "\n");
  const std::string config_file = (dir_.path() / "callgate.yaml").string();
  std::string edited = Config("127.0.0.1", extra);
  const std::string old_cert = (dir_.path() / "server.crt").string();
  const std::string old_key = (dir_.path() / "server.key").string();
  edited.replace(edited.find(old_cert), old_cert.size(),
                 dir_.Write("renewed.crt", ReadFile(Pki("server2.crt"))));
  edited.replace(edited.find(old_key), old_key.size(),
                 PrivateKeyFile("renewed.key", ReadFile(Pki("server2.key"))));
  const std::size_t branch = edited.find("  branch:\n");
  const std::string branch_end = "[cucm-branch.example.com]\n";
  edited.erase(branch, edited.find(branch_end) + branch_end.size() - branch);
  dir_.Write("callgate.yaml", edited);
  const std::size_t mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output().substr(mark);
  EXPECT_THAT(server_->output().substr(mark),
              HasSubstr("Reload: tls_cert_file, tls_key_file, clusters of " + config_file +
                        " now in force"));
  auto fresh = HttpClient::Connect(server_->port(), Client("a-cn"));
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->server_common_name(), "callgate-reloaded");
  EXPECT_EQ(ReadFile(bundle), ReadFile(Pki("ca-a.crt")) + "\n");
}

// `cat a.pem b.pem > hq-ca.pem` still writing when a reload reads the file (held at the reload's
// first read of it while B's CA is appended): the reload takes nothing from it, the trust in
// service stays (the connection CA A let in is served, B's certificate with hq's subject is
// still refused) and the log says why and what to do. Once the file is written, a SIGHUP takes
// both CAs.
TEST_F(MutualTlsTest, ACaFileBeingWrittenWhenAReloadReadsItKeepsTheTrustInService) {
  if (!ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  std::unique_ptr<HttpClient> open;
  ASSERT_NO_FATAL_FAILURE(StartWithAConnectionFromCaA("", open));
  const std::string hq_ca = HqCaFile();
  const std::string ca_a = ReadFile(Pki("ca-a.crt"));
  const std::string ca_b = ReadFile(Pki("ca-b.crt"));
  std::size_t mark = server_->output().size();
  {
    const ChangeAtFirstRead cat(hq_ca, [&] { std::ofstream(hq_ca, std::ios::app) << ca_b; });
    server_->Signal(SIGHUP);
    ASSERT_TRUE(server_->WaitForOutput("Reload failed", mark)) << server_->output().substr(mark);
    EXPECT_TRUE(cat.changed());
  }
  EXPECT_TRUE(server_->WaitForOutput(
      "Reload failed, the previous TLS certificates stay in service: " +
          (dir_.path() / "callgate.yaml").string() + ":10: key 'clusters.hq.ca_file': '" + hq_ca +
          "': changed while it was read (its size went from " + std::to_string(ca_a.size()) +
          " to " + std::to_string(ca_a.size() + ca_b.size()) +
          " bytes): a file being written, or replaced, is not used. Write the new file beside it "
          "and rename it into place, which replaces it in one step. Send SIGHUP again once the "
          "new file is written",
      mark))
      << server_->output().substr(mark);
  EXPECT_EQ(AwaitHealthCounter(server_->port("admin"), "reloads_failed", 1), 1U);
  EXPECT_EQ(HealthField(server_->port("admin"), "last_reload_ok"), "false");
  auto kept = open->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
  ASSERT_TRUE(kept) << open->last_error();
  EXPECT_EQ(kept->result(), http::status::ok);
  EXPECT_TRUE(kept->keep_alive());
  EXPECT_EQ(ToString(Try(Client("b-cn"))), ToString(Outcome::kForbidden));

  mark = server_->output().size();
  server_->Signal(SIGHUP);
  ASSERT_TRUE(server_->WaitForOutput("Reload complete", mark)) << server_->output().substr(mark);
  EXPECT_EQ(ToString(Try(Client("b-cn"))), ToString(Outcome::kAllowed));
}

// At start-up there is nothing in service to keep: a certificate file being written (its chain
// appended as it is read) stops the start, and check, which reads it the same way, fails too.
TEST_F(MutualTlsTest, ACertificateFileBeingWrittenStopsAStartAndFailsCheck) {
  if (!ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  const std::string config = dir_.Write("callgate.yaml", Config("127.0.0.1", ""));
  const std::string certificate = (dir_.path() / "server.crt").string();
  const auto append_the_chain = [&] {
    std::ofstream(certificate, std::ios::app) << ReadFile(Pki("ca-a.crt"));
  };
  const std::string changed = config + ":4: key 'tls_cert_file': '" + certificate +
                              "': changed while it was read (its size went from ";
  {
    const ChangeAtFirstRead writer(certificate, append_the_chain);
    const auto check = RunCommand({CallgateBinary(), "check", "--config", config});
    EXPECT_TRUE(writer.changed());
    EXPECT_EQ(check.exit_code, 1) << check.output;
    EXPECT_THAT(check.output, HasSubstr("security: " + changed)) << check.output;
    EXPECT_THAT(check.output, HasSubstr("rename it into place, which replaces it in one step. Run "
                                        "this command again once the new file is written"));
  }
  {
    const ChangeAtFirstRead writer(certificate, append_the_chain);
    const auto start = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
    EXPECT_TRUE(writer.changed());
    EXPECT_EQ(start.exit_code, 1) << start.output;
    EXPECT_THAT(start.output, HasSubstr("refusing to start: " + changed)) << start.output;
    EXPECT_THAT(start.output, HasSubstr("rename it into place, which replaces it in one step. At "
                                        "start-up there are no TLS certificates in service to "
                                        "keep: start callgate again once the new file is written"));
  }
}

// A peer no cluster allows cannot hold a connection slot by staying silent after its handshake.
TEST_F(MutualTlsTest, ASilentRefusedPeerIsClosedAfterTheReadTimeout) {
  StartServer("read_timeout_seconds: 1\n");
  auto refused = HttpClient::Connect(server_->port(), Client("a-wrong"));
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->ReadUntilClosed(), "");  // fails after 30 s if it waits idle_timeout
}

TEST_F(MutualTlsTest, APlainHttpListenerBesideTlsStillEnforcesClusters) {
  StartServer("http_listen: \"127.0.0.1:0\"\n");
  ASSERT_NE(server_->port("http"), 0) << server_->output();
  // Start-up said so: no cluster here accepts a client without a certificate.
  EXPECT_THAT(server_->output(), HasSubstr("key 'http_listen': serves plain HTTP, which carries no "
                                           "client certificate"));
  auto plain = HttpClient::Connect(server_->port("http"));
  ASSERT_NE(plain, nullptr);
  auto curri = plain->Post("/curri", CurriBody({{"callingnumber", "+14085550101"}}));
  ASSERT_TRUE(curri);
  EXPECT_EQ(curri->result(), http::status::forbidden) << "no certificate over plain HTTP";
  EXPECT_FALSE(curri->keep_alive()) << "a refused peer's connection is closed";
  EXPECT_FALSE(plain->Get("/health")) << "closed after the 403";
  auto again = HttpClient::Connect(server_->port("http"));
  ASSERT_NE(again, nullptr);
  auto health = again->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result(), http::status::ok) << "loopback may read /health";
}

// A refused peer's body is not read: no "100 Continue" invites it, and the 403 does not wait
// for it (RFC 9110 §10.1.1: a final response before the content, the connection closed after).
TEST_F(MutualTlsTest, ARefusedPeerIsAnsweredAtItsHeaderWithoutContinue) {
  StartServer("http_listen: \"127.0.0.1:0\"\n");
  for (const std::string expect : {"Expect: 100-continue\r\n", ""}) {
    auto plain = HttpClient::Connect(server_->port("http"));
    ASSERT_NE(plain, nullptr);
    // The header promises 500 bytes that never come: only an answer at the header gets back.
    ASSERT_TRUE(plain->WriteRaw("POST /curri HTTP/1.1\r\nHost: x\r\n" + expect +
                                "Content-Length: 500\r\n\r\n<Request"));
    const std::string reply = plain->ReadUntilClosed();
    EXPECT_EQ(reply.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0U) << expect << reply;
    EXPECT_THAT(reply, HasSubstr("Connection: close\r\n"));
  }
}

TEST_F(MutualTlsTest, DebugLogsShowTheTrustStoreTheClientCertificateAndEachClusterDecision) {
  StartServer("log_level: DEBUG\n");
  EXPECT_EQ(ToString(Try(Client("a-dns"))), ToString(Outcome::kAllowed));
  ASSERT_TRUE(server_->WaitForOutput("Client certificate from 127.0.0.1"));
  // DEBUG lines are not flushed at once: the console is flushed every second.
  ASSERT_TRUE(server_->WaitForOutput("Parsed XACML attribute: urn:Cisco:uc:1.0:callingnumber"));
  const std::string log = server_->output();
  EXPECT_THAT(log, HasSubstr("trusted: subject="));
  EXPECT_THAT(log, HasSubstr("callgate test CA A"));
  EXPECT_THAT(log, HasSubstr("cucm-sub1.example.com"));  // the client's DNS SAN
  EXPECT_THAT(log, HasSubstr("cluster 'hq': matched"));
}

// In a directory that does not exist yet: made, as log_dir is (callgate check counts on it).
TEST_F(MutualTlsTest, CaBundlePathGetsEveryClusterCaForOldTools) {
  const std::string bundle = (dir_.path() / "state" / "callgate" / "ca-bundle.pem").string();
  StartServer("ca_bundle_path: " + bundle + "\n");
  EXPECT_EQ(ReadFile(bundle), ReadFile(Pki("ca-a.crt")) + "\n" + ReadFile(Pki("ca-b.crt")) + "\n");
}

// An old bundle is replaced whole by the new one, renamed into place: nothing is left beside it.
TEST_F(MutualTlsTest, CaBundlePathReplacesAnOldBundleWhole) {
  const std::string bundle = dir_.Write("bundles/ca-bundle.pem", "an old bundle\n");
  StartServer("ca_bundle_path: " + bundle + "\n");
  EXPECT_EQ(ReadFile(bundle), ReadFile(Pki("ca-a.crt")) + "\n" + ReadFile(Pki("ca-b.crt")) + "\n");
  EXPECT_THAT(server_->output(),
              HasSubstr("Wrote 2 cluster CA file(s) to ca_bundle_path " + bundle));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "bundles")) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"ca-bundle.pem"});
}

// A FIFO there would hold start-up until something read it: warned about, and the server starts.
TEST_F(MutualTlsTest, ACaBundlePathThatIsAFifoIsNotWritten) {
  const std::string bundle = (dir_.path() / "ca-bundle.pem").string();
  ASSERT_EQ(mkfifo(bundle.c_str(), 0600), 0);
  StartServer("ca_bundle_path: " + bundle + "\n");
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(server_->output(), HasSubstr("could not write ca_bundle_path " + bundle +
                                           ": it is a FIFO (named pipe)"));
}

TEST_F(MutualTlsTest, ClustersThatCanMatchNobodyAreReported) {
  StartServer("  empty:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + Pki("ca-a.crt") + "\n");
  EXPECT_THAT(server_->output(),
              HasSubstr("key 'clusters.empty': has no allowed_subjects, so it matches no client"));
}

}  // namespace
}  // namespace callgate::testing
