#include "server/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "directory/phone_directory.h"

namespace callgate::server {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::shared_ptr<const engine::Snapshot> TestSnapshot() {
  directory::PhoneDirectoryBuilder builder;
  builder.Add(*PhoneNumber::Parse("+14085550101"), "Ada Lovelace", directory::MatchType::kExact);
  builder.Add(*PhoneNumber::Parse("+1212"), "New York", directory::MatchType::kPrefix);
  auto snapshot = std::make_shared<engine::Snapshot>();
  snapshot->directory = builder.Build();
  return snapshot;
}

security::PeerIdentity From(const char* address) {
  security::PeerIdentity peer;
  peer.address = *IpAddress::Parse(address);
  return peer;
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// What the authorizer decides for a peer whose address no cluster allows.
security::AuthDecision DeniedByAddress() {
  security::AuthDecision denied;
  denied.verdicts.push_back({"hq", false, security::Rule::kIp, "address not in allowed_ips"});
  return denied;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : masker_(false) {
    logs_.app = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
    logs_.masker = &masker_;
  }
  Response Handle(const Router& router, http::verb method, const std::string& target,
                  const PeerContext& peer, const std::string& body = "") {
    Request request{method, target, 11};
    request.body() = body;
    request.prepare_payload();
    return router.Handle(request, peer);
  }
  Router MakeRouter(bool health_loopback_only) {
    return Router(RouterOptions{{"/curri"}, health_loopback_only}, store_, metrics_, logs_);
  }

  std::ostringstream log_;
  security::PiiMasker masker_;
  Logs logs_;
  SnapshotStore store_{TestSnapshot()};
  Metrics metrics_;
};

TEST(PathOfTest, StripsTheQueryAndTheSchemeAndAuthorityOfAbsoluteForm) {
  struct Case {
    std::string_view target;
    std::string_view path;
  };
  const Case cases[] = {
      {"/curri", "/curri"},
      {"/curri?api_key=x", "/curri"},
      {"/curri?next=http://x/y", "/curri"},
      {"http://pdp.example.com:5000/curri", "/curri"},
      {"https://pdp.example.com/curri?q=1", "/curri"},
      {"HTTP://pdp/health", "/health"},
      {"http://pdp.example.com", "/"},
      {"http://pdp.example.com?q=/curri", "/"},
      {"*", "*"},                // asterisk-form: no path, matches nothing
      {"pdp:5000", "pdp:5000"},  // authority-form (CONNECT): matches nothing
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(PathOf(c.target), c.path) << c.target;
}

// RFC 9110 §9.3.2: whatever the status, a response to HEAD has a GET's header and no content;
// a body would be read as the next response on a kept connection.
TEST_F(RouterTest, AResponseToHeadHasNoContent) {
  const Router router = MakeRouter(false);
  PeerContext main{.identity = From("127.0.0.1")};
  PeerContext admin{.listener = ListenerKind::kAdmin, .identity = From("127.0.0.1")};
  struct Case {
    const PeerContext& peer;
    std::string target;
    http::status status;
  };
  for (const Case& c :
       {Case{main, "/curri", http::status::ok}, Case{main, "/health", http::status::ok},
        Case{admin, "/nope", http::status::not_found}, Case{admin, "/health", http::status::ok}}) {
    const Response get = Handle(router, http::verb::get, c.target, c.peer);
    const Response head = Handle(router, http::verb::head, c.target, c.peer);
    EXPECT_EQ(head.result(), c.status) << c.target;
    EXPECT_EQ(head.body(), "") << c.target;
    if (get.result() == head.result()) {
      EXPECT_EQ(head[http::field::content_length], get[http::field::content_length]) << c.target;
    }
    EXPECT_TRUE(head.keep_alive()) << c.target;
  }
}

// RFC 9110 §9.1 and §15.5.6: 501 for a method callgate does not know at all, on any path; 405
// with Allow for one it knows that the path does not take.
TEST_F(RouterTest, AnUnknownMethodGets501AndAKnownOneThePathDoesNotTake405) {
  const Router router = MakeRouter(false);
  const PeerContext peer{.identity = From("127.0.0.1")};
  for (const std::string target : {"/curri", "/health", "/nope"}) {
    Request request{http::verb::unknown, target, 11};
    request.method_string("FROBNICATE");
    const Response response = router.Handle(request, peer);
    EXPECT_EQ(response.result(), http::status::not_implemented) << target;
    EXPECT_EQ(response.count(http::field::allow), 0U) << target;
    EXPECT_TRUE(response.keep_alive()) << target;
  }
  const Response propfind = Handle(router, http::verb::propfind, "/curri", peer);
  EXPECT_EQ(propfind.result(), http::status::method_not_allowed);
  EXPECT_EQ(propfind[http::field::allow], "POST, HEAD");
}

TEST_F(RouterTest, AnAbsoluteFormTargetIsRoutedByItsPath) {
  const Router router = MakeRouter(false);
  PeerContext peer{.identity = From("127.0.0.1")};
  EXPECT_EQ(Handle(router, http::verb::post, "http://pdp.example.com:5000/curri", peer).result(),
            http::status::ok);
  EXPECT_EQ(Handle(router, http::verb::post, "http://pdp.example.com/other", peer).result(),
            http::status::not_found);
}

TEST_F(RouterTest, HealthIsLoopbackOnlyWhenClustersAreDefined) {
  const Router restricted = MakeRouter(true);
  const Router open = MakeRouter(false);
  struct Case {
    const Router* router;
    ListenerKind listener;
    const char* address;
    http::status expected;
  };
  const std::vector<Case> cases = {
      {&restricted, ListenerKind::kMain, "127.0.0.1", http::status::ok},
      {&restricted, ListenerKind::kMain, "::1", http::status::ok},
      {&restricted, ListenerKind::kMain, "::ffff:127.0.0.1", http::status::ok},
      {&restricted, ListenerKind::kMain, "10.1.1.10", http::status::forbidden},
      {&restricted, ListenerKind::kMain, "2001:db8::1", http::status::forbidden},
      {&restricted, ListenerKind::kAdmin, "10.1.1.10", http::status::ok},  // bound by choice
      {&open, ListenerKind::kMain, "10.1.1.10", http::status::ok},
  };
  for (const auto& c : cases) {
    PeerContext peer{c.listener, From(c.address), std::nullopt};
    Response response = Handle(*c.router, http::verb::get, "/health", peer);
    EXPECT_EQ(response.result(), c.expected) << c.address;
    if (c.expected == http::status::forbidden) {
      EXPECT_EQ(response.body(), "Forbidden\n");
    }
  }
  EXPECT_EQ(metrics_.forbidden.load(), 2U);
}

TEST_F(RouterTest, AnUnauthorizedPeerGets403AndAThrottledLogLineNamingTheRule) {
  const Router router = MakeRouter(true);
  const security::AuthDecision denied = DeniedByAddress();
  PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), denied};
  for (http::verb method : {http::verb::post, http::verb::head, http::verb::get}) {
    Response response = Handle(router, method, "/curri", peer, "<Request/>");
    EXPECT_EQ(response.result(), http::status::forbidden);
    EXPECT_EQ(response.body(), method == http::verb::head ? "" : "Forbidden\n");
    EXPECT_EQ(response[http::field::content_length], "10");
  }
  // One line for the three: a peer that reconnects in a loop cannot flood the log.
  const std::string log = log_.str();
  const std::string line = "Denied POST /curri: peer 10.9.9.9";
  ASSERT_NE(log.find(line), std::string::npos) << log;
  EXPECT_EQ(log.find("Denied", log.find(line) + 1), std::string::npos) << log;
  EXPECT_THAT(log, HasSubstr("'hq'"));
  EXPECT_THAT(log, HasSubstr("allowed_ips"));
  EXPECT_EQ(metrics_.forbidden.load(), 3U) << "every refusal is counted";
  EXPECT_EQ(metrics_.curri_requests.load(), 0U) << "a denied request never reaches the codec";
}

// A peer no cluster allows cannot keep its connection (and its slot) by asking for /health; a
// call manager that asks keeps its connection.
// At DEBUG, for troubleshooting a cluster's rules, every denial has its line.
TEST_F(RouterTest, AtDebugEveryDenialIsLogged) {
  logs_.app->set_level(spdlog::level::debug);
  const Router router = MakeRouter(true);
  PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), DeniedByAddress()};
  for (int i = 0; i < 3; ++i) Handle(router, http::verb::post, "/curri", peer, "<Request/>");
  EXPECT_EQ(Occurrences(log_.str(), "Denied POST /curri: peer 10.9.9.9"), 3U) << log_.str();
}

TEST_F(RouterTest, ANonLocalHealthRequestClosesTheConnectionOfAPeerNoClusterAllows) {
  const Router router = MakeRouter(true);
  const security::AuthDecision denied = DeniedByAddress();
  security::AuthDecision allowed;
  allowed.allowed = true;
  allowed.cluster = "hq";
  for (const auto& [decision, keep_alive] : {std::pair{denied, false}, std::pair{allowed, true}}) {
    PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), decision};
    Response response = Handle(router, http::verb::get, "/health", peer);
    EXPECT_EQ(response.result(), http::status::forbidden);
    EXPECT_EQ(response.keep_alive(), keep_alive) << decision.allowed;
  }
}

// A monitor polling /health from a call manager's address keeps its connection, so each poll
// would be a warning: one line per interval, with the count of those held back.
TEST_F(RouterTest, RefusedHealthRequestsAreLoggedOncePerInterval) {
  const Router router = MakeRouter(true);
  security::AuthDecision allowed;
  allowed.allowed = true;
  PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), allowed};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Handle(router, http::verb::get, "/health", peer).result(), http::status::forbidden);
  }
  const std::string log = log_.str();
  const std::string line = "Denied /health request from non-local address";
  ASSERT_NE(log.find(line), std::string::npos) << log;
  EXPECT_EQ(log.find(line, log.find(line) + 1), std::string::npos) << log;
  EXPECT_EQ(metrics_.forbidden.load(), 5U) << "every refusal is counted";
}

TEST_F(RouterTest, HealthIsNotCached) {
  PeerContext peer{ListenerKind::kAdmin, From("127.0.0.1"), std::nullopt};
  for (http::verb method : {http::verb::get, http::verb::head}) {
    const Response response = Handle(MakeRouter(true), method, "/health", peer);
    EXPECT_EQ(response.result(), http::status::ok);
    EXPECT_EQ(response[http::field::cache_control], "no-store");
  }
}

TEST_F(RouterTest, UnderObfuscatePiiADenialMasksAPathCallgateDoesNotServe) {
  const security::PiiMasker masking(true);
  logs_.masker = &masking;
  const security::AuthDecision denied = DeniedByAddress();
  const PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), denied};
  // A router each: a second denial within 10 s would be held back.
  Handle(MakeRouter(true), http::verb::post, "/curri", peer, "<Request/>");
  Handle(MakeRouter(true), http::verb::post, "/curri/+14085550101", peer, "<Request/>");
  EXPECT_THAT(log_.str(), HasSubstr("Denied POST /curri: "));
  EXPECT_THAT(log_.str(), HasSubstr("Denied POST {! "));
  EXPECT_THAT(log_.str(), Not(HasSubstr("4085550101")));
}

// A method HTTP does not define is the client's text too (the Denied line comes before the 501).
TEST_F(RouterTest, UnderObfuscatePiiADenialMasksAMethodHttpDoesNotDefine) {
  const security::PiiMasker masking(true);
  logs_.masker = &masking;
  const security::AuthDecision denied = DeniedByAddress();
  const PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), denied};
  Request request{http::verb::get, "/curri", 11};
  request.method_string("+14085550101");
  EXPECT_EQ(MakeRouter(true).Handle(request, peer).result(), http::status::forbidden);
  Handle(MakeRouter(true), http::verb::get, "/curri", peer);  // a router each, as above
  EXPECT_THAT(log_.str(), HasSubstr("Denied {! "));
  EXPECT_THAT(log_.str(), HasSubstr("Denied GET /curri: "));  // a method HTTP defines is shown
  EXPECT_THAT(log_.str(), Not(HasSubstr("4085550101")));
}

TEST_F(RouterTest, AnAuthorizedPeerGetsItsName) {
  const Router router = MakeRouter(true);
  security::AuthDecision allowed;
  allowed.allowed = true;
  allowed.cluster = "hq";
  PeerContext peer{ListenerKind::kMain, From("10.1.1.10"), allowed};
  Response response =
      Handle(router, http::verb::post, "/curri", peer,
             "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>"
             "+14085550101</AttributeValue></Attribute></Request>");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_THAT(response.body(), HasSubstr("callingname=\"Ada Lovelace\""));
  EXPECT_EQ(metrics_.names_exact.load(), 1U);
  EXPECT_THAT(log_.str(), HasSubstr("exact"));
}

std::string CurriCalling(const std::string& number) {
  return "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>" +
         number + "</AttributeValue></Attribute></Request>";
}

// A URI typed with a '/' at the end in UCM's profile names the same path.
TEST_F(RouterTest, ACurriPathWithASlashAddedIsTheSamePath) {
  const Router router = MakeRouter(false);
  const PeerContext peer{.identity = From("127.0.0.1")};
  const Response response =
      Handle(router, http::verb::post, "/curri/?q=1", peer, CurriCalling("+14085550101"));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_THAT(response.body(), HasSubstr("callingname=\"Ada Lovelace\""));
  EXPECT_EQ(Handle(router, http::verb::post, "/curri//", peer).result(), http::status::not_found);
  EXPECT_EQ(Handle(router, http::verb::post, "/", peer).result(), http::status::not_found);
}

// UCM posting to a path curri_paths does not list would fail every call while its HEAD probes
// (200 on any path) keep the PDP active: a POST to another path is warned about, at most once per
// interval, with the paths callgate serves.
TEST_F(RouterTest, APostToAnotherPathIsWarnedAboutOncePerIntervalNamingCurriPaths) {
  const Router router = MakeRouter(false);
  const PeerContext peer{.identity = From("127.0.0.1")};
  EXPECT_EQ(Handle(router, http::verb::get, "/favicon.ico", peer).result(),
            http::status::not_found);
  EXPECT_EQ(log_.str(), "") << "only a POST looks like UCM";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Handle(router, http::verb::post, "/pdp/AuthorizationEndPoint", peer,
                     CurriCalling("+14085550101"))
                  .result(),
              http::status::not_found);
  }
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("POST /pdp/AuthorizationEndPoint: not a CURRI path (curri_paths: "
                             "/curri), answered 404"));
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

TEST_F(RouterTest, UnderObfuscatePiiThePathOfAPostToAnotherPathIsMasked) {
  const security::PiiMasker masking(true);
  logs_.masker = &masking;
  const Router router = MakeRouter(false);
  Handle(router, http::verb::post, "/+14085550101", {.identity = From("127.0.0.1")});
  EXPECT_THAT(log_.str(), HasSubstr("POST {! "));
  EXPECT_THAT(log_.str(), Not(HasSubstr("4085550101")));
}

// /health says when the directory in service was read, as a time and as an age, so that a
// monitor can alert on a directory that should have been reloaded by now.
TEST_F(RouterTest, HealthSaysWhenTheDirectoryWasLoaded) {
  auto snapshot = std::make_shared<engine::Snapshot>();
  // 2026-11-24 02:00:00 UTC
  snapshot->loaded_at = std::chrono::system_clock::from_time_t(1795485600);
  (void)store_.Publish(snapshot);
  const PeerContext peer{ListenerKind::kAdmin, From("127.0.0.1"), std::nullopt};
  const std::string body = Handle(MakeRouter(false), http::verb::get, "/health", peer).body();
  EXPECT_THAT(body, HasSubstr("\"directory_loaded_at\":\"2026-11-24T02:00:00Z\","));
  const std::string key = "\"directory_age_seconds\":";
  const std::size_t at = body.find(key);
  ASSERT_NE(at, std::string::npos) << body;
  const std::int64_t age = std::stoll(body.substr(at + key.size()));
  const std::int64_t expected = security::UnixNow() - 1795485600;
  EXPECT_GE(age, expected - 5);
  EXPECT_LE(age, expected);
}

// The age is the whole seconds elapsed, not the difference of the two times' whole seconds: a
// directory read just before the current second began is 0 s old, not 1.
TEST_F(RouterTest, HealthsDirectoryAgeIsTheWholeSecondsElapsed) {
  using std::chrono::system_clock;
  // Early in a second, so that the request below is answered within the same one.
  while (system_clock::now() - std::chrono::floor<std::chrono::seconds>(system_clock::now()) >
         std::chrono::milliseconds(500)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto snapshot = std::make_shared<engine::Snapshot>();
  snapshot->loaded_at =
      std::chrono::floor<std::chrono::seconds>(system_clock::now()) - std::chrono::microseconds(1);
  (void)store_.Publish(snapshot);
  const PeerContext peer{ListenerKind::kAdmin, From("127.0.0.1"), std::nullopt};
  const std::string body = Handle(MakeRouter(false), http::verb::get, "/health", peer).body();
  EXPECT_THAT(body, HasSubstr("\"directory_age_seconds\":0,")) << body;
}

// /health says how many log-file lines could not be written (Logs::lines_lost, counted by the
// log files' sinks), as it is when asked; 0 without log files.
TEST_F(RouterTest, HealthSaysHowManyLogLinesWereLost) {
  const PeerContext peer{ListenerKind::kAdmin, From("127.0.0.1"), std::nullopt};
  EXPECT_THAT(Handle(MakeRouter(false), http::verb::get, "/health", peer).body(),
              HasSubstr(",\"log_lines_lost\":0,"));
  auto lost = std::make_shared<std::atomic<std::uint64_t>>(7);
  logs_.lines_lost = lost;
  const Router router = MakeRouter(false);
  EXPECT_THAT(Handle(router, http::verb::get, "/health", peer).body(),
              HasSubstr(",\"log_lines_lost\":7,"));
  *lost += 5;
  EXPECT_THAT(Handle(router, http::verb::get, "/health", peer).body(),
              HasSubstr(",\"log_lines_lost\":12,"));
}

// While a worker thread is stuck, /health fails (503, "unhealthy") on whichever worker serves
// it, so that a load balancer or Docker's health check sees it; it passes again once none is.
TEST_F(RouterTest, HealthFailsWhileAWorkerThreadIsStalled) {
  const Router router = MakeRouter(false);
  const PeerContext peer{ListenerKind::kAdmin, From("127.0.0.1"), std::nullopt};
  metrics_.worker_threads_stalled = 1;
  const Response stalled = Handle(router, http::verb::get, "/health", peer);
  EXPECT_EQ(stalled.result(), http::status::service_unavailable);
  EXPECT_THAT(stalled.body(), StartsWith("{\"status\":\"unhealthy\","));
  EXPECT_THAT(stalled.body(), HasSubstr("\"worker_threads_stalled\":1,"));
  EXPECT_EQ(stalled[http::field::content_type], "application/json");
  metrics_.worker_threads_stalled = 0;
  const Response running = Handle(router, http::verb::get, "/health", peer);
  EXPECT_EQ(running.result(), http::status::ok);
  EXPECT_THAT(running.body(), StartsWith("{\"status\":\"healthy\","));
}

// A client can send an unusable body with every request: one warning per 10 s, the rest counted
// (and each still answered continue).
TEST_F(RouterTest, UnusableRequestsAreWarnedAboutOncePerIntervalAndAllCounted) {
  const Router router = MakeRouter(false);
  const PeerContext peer{ListenerKind::kMain, From("127.0.0.1"), std::nullopt};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Handle(router, http::verb::post, "/curri", peer, "<Request>").result(),
              http::status::ok);
  }
  const std::string log = log_.str();
  EXPECT_EQ(log.find("unusable request"), log.rfind("unusable request")) << log;
  EXPECT_NE(log.find("unusable request (malformed"), std::string::npos) << log;
  EXPECT_EQ(metrics_.curri_unusable.load(), 3U);
}

// The counters /health reports, one outcome at a time.
TEST_F(RouterTest, CountsEveryOutcome) {
  const Router router = MakeRouter(false);
  const PeerContext peer{ListenerKind::kMain, From("127.0.0.1"), std::nullopt};
  struct Case {
    http::verb method;
    std::string target;
    std::string body;
    Metrics::Counter* counter;  // the outcome counter this request must move, if any
  };
  const std::vector<Case> cases = {
      {http::verb::post, "/curri", CurriCalling("+14085550101"), &metrics_.names_exact},
      {http::verb::post, "/curri", CurriCalling("+12125550100"), &metrics_.names_prefix},
      {http::verb::post, "/curri", CurriCalling("+33155550100"), &metrics_.names_not_found},
      {http::verb::post, "/curri", CurriCalling("anonymous"), &metrics_.curri_unusable},
      {http::verb::post, "/curri", "<Request/>", &metrics_.curri_unusable},  // no number
      {http::verb::post, "/curri", "<Request>", &metrics_.curri_unusable},   // malformed
      {http::verb::head, "/curri", "", nullptr},
      {http::verb::get, "/curri", "", nullptr},
      {http::verb::get, "/nowhere", "", nullptr},
  };
  std::uint64_t curri = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.target + " " + c.body);
    const std::uint64_t before = c.counter ? c.counter->load() : 0;
    Handle(router, c.method, c.target, peer, c.body);
    if (c.method == http::verb::post) ++curri;
    EXPECT_EQ(metrics_.requests.load(), i + 1);
    EXPECT_EQ(metrics_.curri_requests.load(), curri);
    if (c.counter) {
      EXPECT_EQ(c.counter->load(), before + 1);
    }
    const std::uint64_t decided = metrics_.names_exact + metrics_.names_prefix +
                                  metrics_.names_not_found + metrics_.curri_unusable;
    EXPECT_EQ(decided, curri) << "each CURRI request is counted as exactly one outcome";
  }
}

TEST_F(RouterTest, PiiIsMaskedInDecisionLogs) {
  security::PiiMasker masking(true);
  logs_.masker = &masking;
  const Router router = MakeRouter(false);
  PeerContext peer{ListenerKind::kMain, From("127.0.0.1"), std::nullopt};
  Handle(router, http::verb::post, "/curri", peer,
         "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>"
         "+14085550101</AttributeValue></Attribute></Request>");
  EXPECT_THAT(log_.str(), HasSubstr("{! "));
  EXPECT_THAT(log_.str(), ::testing::Not(HasSubstr("4085550101")));
  EXPECT_THAT(log_.str(), ::testing::Not(HasSubstr("Ada")));
  logs_.masker = &masker_;
}

// A trigger point and an attribute name are a client's text: shown when they are what UCM sends
// (one of its trigger points, a URN of protocol words), masked otherwise under obfuscate_pii.
TEST_F(RouterTest, UnderObfuscatePiiATriggerPointOrAttributeNameUcmDoesNotSendIsMasked) {
  security::PiiMasker masking(true);
  logs_.masker = &masking;
  const Router router = MakeRouter(false);
  PeerContext peer{ListenerKind::kMain, From("127.0.0.1"), std::nullopt};
  const auto body = [](const std::string& trigger, const std::string& extra_id) {
    return "<Request><Attribute "
           "AttributeId=\"urn:Cisco:uc:1.0:triggerpointtype\"><AttributeValue>" +
           trigger + "</AttributeValue></Attribute><Attribute AttributeId=\"" + extra_id +
           "\"><AttributeValue>x</AttributeValue></Attribute><Attribute "
           "AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>+1</AttributeValue>"
           "</Attribute></Request>";
  };
  logs_.app->set_level(spdlog::level::debug);
  Handle(router, http::verb::post, "/curri", peer,
         body("translationpattern", "urn:Cisco:uc:1.0:callednumber"));
  Handle(router, http::verb::post, "/curri", peer, body("trig+15105550133", "urn:x:15555550122"));
  Handle(router, http::verb::post, "/curri", peer, body("x", "+15555550122"));
  // Not URNs of protocol words, though they start as one (log_words_test.cc has the rule).
  for (const char* id : {"urn:+33 1 23 45 67 89", "urn:Cisco:uc:1.0:callingnumber:14-08-55-59-87-6",
                         "urn:zelda.quux@example.com", "urn:Zelda Quux"}) {
    Handle(router, http::verb::post, "/curri", peer, body("translationpattern", id));
  }
  Handle(router, http::verb::post, "/curri", peer,
         body("ZeldaQuux", "urn:Cisco:uc:1.0:callednumber"));  // a word, but not UCM's
  Handle(router, http::verb::post, "/curri", peer,
         body("DirectoryNumber", "urn:Cisco:uc:1.0:callednumber"));
  logs_.app->set_level(spdlog::level::info);
  logs_.masker = &masker_;
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("trigger=translationpattern "));
  EXPECT_THAT(log, HasSubstr("trigger=DirectoryNumber "));
  EXPECT_THAT(log, HasSubstr("Parsed XACML attribute: urn:Cisco:uc:1.0:callednumber = {! "));
  EXPECT_THAT(log, HasSubstr("trigger={! "));
  EXPECT_THAT(log, HasSubstr("Parsed XACML attribute: {! "));
  EXPECT_THAT(log, Not(HasSubstr("5105550133")));
  EXPECT_THAT(log, Not(HasSubstr("5555550122")));
  EXPECT_THAT(log, Not(HasSubstr("45 67 89")));
  EXPECT_THAT(log, Not(HasSubstr("55-59-87")));
  EXPECT_THAT(log, Not(HasSubstr("Zelda")));
  EXPECT_THAT(log, Not(HasSubstr("zelda")));
}

// Every value from the request is written log-safe: one request, one line, whatever it holds.
TEST_F(RouterTest, RequestValuesCannotForgeLogLines) {
  const Router router = MakeRouter(false);
  PeerContext peer{ListenerKind::kMain, From("127.0.0.1"), std::nullopt};
  const std::string forged = "&#13;&#10;2026-01-01 00:00:00.000 [error] callgate: FORGED&#27;[2J";
  std::string body = "<Request>";
  for (const char* id :
       {"callingnumber", "callednumber", "triggerpointtype", "callingdevicename"}) {
    body += std::string("<Attribute AttributeId=\"urn:Cisco:uc:1.0:") + id +
            "\"><AttributeValue>x" + forged + "</AttributeValue></Attribute>";
  }
  body += "</Request>";
  logs_.app->set_level(spdlog::level::debug);  // the attribute lines too
  Handle(router, http::verb::post, "/curri", peer, body);
  logs_.app->set_level(spdlog::level::info);
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("trigger=x\\x0d\\x0a2026-01-01"));
  EXPECT_THAT(log, HasSubstr("FORGED\\x1b[2J"));
  EXPECT_EQ(log.find('\x1b'), std::string::npos);
  std::size_t lines = 0;
  for (const char c : log) lines += c == '\n';
  EXPECT_EQ(lines, 5U) << log;  // four attribute lines and the decision line
  EXPECT_EQ(log.find("\n2026-01-01"), std::string::npos) << log;
}

TEST_F(RouterTest, ADeniedRequestsPathIsLoggedSafely) {
  const Router router = MakeRouter(false);
  security::AuthDecision denied;
  PeerContext peer{ListenerKind::kMain, From("10.9.9.9"), denied};
  Handle(router, http::verb::post, "/curri\x1b]0;owned\x07", peer);
  EXPECT_THAT(log_.str(), HasSubstr("Denied POST /curri\\x1b]0;owned\\x07: "));
}

}  // namespace
}  // namespace callgate::server
