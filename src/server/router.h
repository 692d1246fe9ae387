// Router: one HTTP request in, one response out, for a peer whose identity and authorization the
// session has already established. Never touches a socket, never throws for bad input: every
// failure maps to a status here (see docs/architecture.md for the table).
//
//   HEAD any path           -> 200, empty body (UCM's keep-alive probe)
//   POST <curri path>       -> CURRI decision (always 200 + continue, even for unusable bodies)
//   GET /health             -> JSON status (loopback only when clusters are defined)
//   other method, known path-> 405 with Allow
//   unknown path            -> 404
//   unauthorized peer       -> 403 "Forbidden\n" (except /health, which has its own rule)
//
// Thread-safe: Handle() is const and may run on every I/O thread at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "security/peer_authorizer.h"
#include "security/peer_identity.h"
#include "server/http.h"
#include "server/log_throttle.h"
#include "server/logs.h"
#include "server/metrics.h"
#include "server/snapshot_store.h"

namespace callgate::server {

enum class ListenerKind { kMain, kAdmin };

// What the session knows about the other end of the connection; fixed for its lifetime.
struct PeerContext {
  ListenerKind listener = ListenerKind::kMain;
  security::PeerIdentity identity;
  std::optional<security::AuthDecision> auth;  // nullopt: no clusters, everyone is allowed
  std::string address;  // identity.address as text, made once per connection for log lines
  std::uint64_t security_generation = 0;  // of the security state `auth` was decided under
};

struct RouterOptions {
  std::vector<std::string> curri_paths{"/curri"};
  bool health_loopback_only = false;  // true when clusters are defined
};

class Router {
 public:
  Router(RouterOptions options, const SnapshotStore& snapshots, Metrics& metrics, const Logs& logs);

  Response Handle(const Request& request, const PeerContext& peer) const;

  // A CURRI path or /health: a path that names no personal data. Any other could be anything a
  // client sent, a phone number included.
  bool KnowsPath(std::string_view path) const { return path == "/health" || IsCurriPath(path); }

  // A request's method, and its `path`, for a log line (access.log, the Denied warning): as sent,
  // except that under obfuscate_pii a method HTTP does not define and a path callgate does not
  // know are masked, being what a client sent (a phone number perhaps).
  LogText MethodForLog(const Request& request) const {
    const bool mask = logs_.masking() && request.method() == boost::beast::http::verb::unknown;
    return LogText(mask ? logs_.masker : nullptr, std::string_view{request.method_string()});
  }
  LogText PathForLog(std::string_view path, char quote = '\0') const {
    return LogText(logs_.masking() && !KnowsPath(path) ? logs_.masker : nullptr, path, quote);
  }

 private:
  Response HandleCurri(const Request& request) const;
  Response HandleHealth(const Request& request, const PeerContext& peer) const;
  Response Forbidden(const Request& request, const PeerContext& peer) const;
  Response NotACurriPath(const Request& request, std::string_view path) const;
  // One of curri_paths, also with a '/' added at the end ("/curri/" for "/curri").
  bool IsCurriPath(std::string_view path) const;

  RouterOptions options_;
  const SnapshotStore& snapshots_;
  Metrics& metrics_;
  const Logs& logs_;
  // The warnings for an unusable CURRI body, a POST to a path that is not a CURRI path, a
  // refused /health and a peer no cluster allows: a client can send one with every request (a
  // refused peer with every connection).
  mutable LogThrottle unusable_log_{std::chrono::seconds(10)};
  mutable LogThrottle not_curri_log_{std::chrono::seconds(10)};
  mutable LogThrottle health_denied_log_{std::chrono::seconds(10)};
  mutable LogThrottle denied_log_{std::chrono::seconds(10)};
};

// A response with the request's version and keep-alive, `status`, and a body of `content_type`.
Response MakeResponse(const Request& request, boost::beast::http::status status,
                      std::string body = {}, std::string_view content_type = "text/plain");

}  // namespace callgate::server
