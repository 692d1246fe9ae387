#include "server/router.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "codec/curri.h"
#include "engine/policy_engine.h"
#include "security/certificates.h"
#include "server/log_words.h"

namespace callgate::server {
namespace http = boost::beast::http;
namespace {

void CountDecision(Metrics& metrics, engine::NameSource source) {
  switch (source) {
    case engine::NameSource::kExact:
      return Metrics::Add(metrics.names_exact);
    case engine::NameSource::kPrefix:
      return Metrics::Add(metrics.names_prefix);
    case engine::NameSource::kNotFound:
      return Metrics::Add(metrics.names_not_found);
    case engine::NameSource::kNoNumber:
    case engine::NameSource::kNotANumber:
      return Metrics::Add(metrics.curri_unusable);
  }
}

// RFC 9110 §9.1: a method callgate does not know at all ("FOO"), whatever the path: 405 is for a
// method it knows that the path does not allow.
bool NotImplemented(const Request& request) { return request.method() == http::verb::unknown; }

}  // namespace

Response MakeResponse(const Request& request, http::status status, std::string body,
                      std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::content_type, content_type);
  SetKeepAlive(response, request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  // RFC 9110 §9.3.2: the header a GET would get, Content-Length included, and no content. A
  // body here would be read as the start of the next response on a kept connection.
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

Router::Router(RouterOptions options, const SnapshotStore& snapshots, Metrics& metrics,
               const Logs& logs)
    : options_(std::move(options)), snapshots_(snapshots), metrics_(metrics), logs_(logs) {}

bool Router::IsCurriPath(std::string_view path) const {
  const auto listed = [this](std::string_view candidate) {
    return std::find(options_.curri_paths.begin(), options_.curri_paths.end(), candidate) !=
           options_.curri_paths.end();
  };
  // An administrator who typed the URI in UCM's profile with a '/' at the end means the same.
  return listed(path) ||
         (path.size() > 1 && path.ends_with('/') && listed(path.substr(0, path.size() - 1)));
}

Response Router::Handle(const Request& request, const PeerContext& peer) const {
  Metrics::Add(metrics_.requests);
  const std::string_view path = PathOf(request.target());
  if (path == "/health") return HandleHealth(request, peer);
  if (peer.listener == ListenerKind::kAdmin) {
    return MakeResponse(request, http::status::not_found, "Not Found\n");
  }
  if (peer.auth && !peer.auth->allowed) return Forbidden(request, peer);
  if (NotImplemented(request)) {
    return MakeResponse(request, http::status::not_implemented, "Not Implemented\n");
  }
  if (request.method() == http::verb::head) {
    // UCM's keep-alive probe may use any path; answer it like the Python service does.
    Response response = MakeResponse(request, http::status::ok, {}, codec::kCurriContentType);
    return response;
  }
  if (!IsCurriPath(path)) return NotACurriPath(request, path);
  if (request.method() != http::verb::post) {
    Response response =
        MakeResponse(request, http::status::method_not_allowed, "Method Not Allowed\n");
    response.set(http::field::allow, "POST, HEAD");
    return response;
  }
  return HandleCurri(request);
}

Response Router::HandleCurri(const Request& request) const {
  Metrics::Add(metrics_.curri_requests);
  const bool debug = logs_.app->should_log(spdlog::level::debug);
  codec::CurriRequest parsed = codec::ParseCurriRequest(request.body(), debug);
  for (const auto& [id, value] : parsed.attributes) {
    logs_.app->debug("Parsed XACML attribute: {} = {}", logs_.Word(id, IsAttributeNameForLog),
                     logs_.Pii(value));
  }
  if (parsed.status != codec::CurriStatus::kOk) {
    Metrics::Add(metrics_.curri_unusable);
    if (auto held_back = unusable_log_.Admit(LogThrottle::Clock::now())) {
      logs_.app->warn("curri: unusable request ({}{}{}): answering continue{}",
                      codec::ToString(parsed.status), parsed.error.empty() ? "" : ": ",
                      parsed.error, unusable_log_.HeldBack(*held_back));
    }
    return MakeResponse(request, http::status::ok, codec::RenderCurriResponse({}),
                        codec::kCurriContentType);
  }
  const std::shared_ptr<const engine::Snapshot> snapshot = snapshots_.Current();
  const engine::Decision decision = engine::Decide(parsed.query, *snapshot);
  CountDecision(metrics_, decision.source);
  const auto& query = parsed.query;
  LogEveryRequest(*logs_.app, spdlog::level::info,
                  FMT_COMPILE("curri calling={} called={} trigger={} device={} -> {}{}{}"),
                  logs_.Pii(query.calling_number), logs_.Pii(query.called_number),
                  logs_.Word(query.trigger_point, IsTriggerPointForLog),
                  logs_.Pii(query.calling_device), engine::ToString(decision.source),
                  std::string_view(decision.calling_name ? " match: " : ""),
                  logs_.Pii(decision.calling_name.value_or("")));
  return MakeResponse(request, http::status::ok, codec::RenderCurriResponse(decision),
                      codec::kCurriContentType);
}

// 404. A POST there is most likely UCM sent to a path its External Call Control profile names and
// curri_paths does not: UCM marks the PDP active (its HEAD probes get 200 on any path) and gives
// every call its failure treatment. Nothing else would say so outside access.log.
Response Router::NotACurriPath(const Request& request, std::string_view path) const {
  if (request.method() == http::verb::post) {
    if (auto held_back = not_curri_log_.Admit(LogThrottle::Clock::now())) {
      logs_.app->warn(
          "POST {}: not a CURRI path (curri_paths: {}), answered 404, which UCM counts as a "
          "failure of the call: if UCM's External Call Control profile names this path, add it "
          "to curri_paths{}",
          PathForLog(path, '"'), fmt::join(options_.curri_paths, ", "),
          not_curri_log_.HeldBack(*held_back));
    }
  }
  return MakeResponse(request, http::status::not_found, "Not Found\n");
}

Response Router::HandleHealth(const Request& request, const PeerContext& peer) const {
  const bool local = peer.listener == ListenerKind::kAdmin || peer.identity.address.is_loopback();
  if (options_.health_loopback_only && !local) {
    // A monitor that polls from a call manager's address keeps its connection: at most one
    // line per interval, as for the other refusals a client can repeat at will.
    if (auto held_back = health_denied_log_.Admit(LogThrottle::Clock::now())) {
      logs_.app->warn("Denied /health request from non-local address {}{}", logs_.Pii(peer.address),
                      health_denied_log_.HeldBack(*held_back));
    }
    Metrics::Add(metrics_.forbidden);
    Response response = MakeResponse(request, http::status::forbidden, "Forbidden\n");
    // A peer no cluster allows is refused everything else: it may not hold its connection slot
    // by asking for /health (Forbidden() below). A call manager's connection stays open.
    if (peer.auth && !peer.auth->allowed) response.keep_alive(false);
    return response;
  }
  if (NotImplemented(request)) {
    return MakeResponse(request, http::status::not_implemented, "Not Implemented\n");
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Response response =
        MakeResponse(request, http::status::method_not_allowed, "Method Not Allowed\n");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  const std::shared_ptr<const engine::Snapshot> snapshot = snapshots_.Current();
  // When the directory in service was read: a monitor can tell a reload that never took effect
  // (a file left invalid, a reload that hangs) from the age.
  const std::int64_t now = security::UnixNow();
  const std::time_t loaded = std::chrono::system_clock::to_time_t(snapshot->loaded_at);
  // Whole seconds elapsed: the two times' whole seconds apart would read up to 1 s high.
  const std::int64_t age = std::chrono::floor<std::chrono::seconds>(
                               std::chrono::system_clock::now() - snapshot->loaded_at)
                               .count();
  const std::uint64_t lines_lost =
      logs_.lines_lost ? logs_.lines_lost->load(std::memory_order_relaxed) : 0;
  // A stuck worker thread holds up the calls of its connections (WorkerWatch). The check itself
  // is served by a worker that runs (ChooseWorker passes over a stuck one), so the answer must
  // say it, in the status code for a load balancer or Docker.
  const bool stalled = metrics_.worker_threads_stalled.load(std::memory_order_relaxed) > 0;
  std::string body = fmt::format(
      "{{\"status\":\"{}\",\"exact_entries\":{},\"prefix_entries\":{},"
      "\"directory_loaded_at\":\"{:%Y-%m-%dT%H:%M:%SZ}\",\"directory_age_seconds\":{},"
      "\"log_lines_lost\":{},{}}}\n",
      stalled ? "unhealthy" : "healthy", snapshot->directory.exact_entries(),
      snapshot->directory.prefix_entries(), fmt::gmtime(loaded), std::max<std::int64_t>(0, age),
      lines_lost, metrics_.ToJsonFields(now, ReloadStatus::Clock::now()));
  Response response =
      MakeResponse(request, stalled ? http::status::service_unavailable : http::status::ok,
                   std::move(body), "application/json");
  // A proxy or a load balancer between the monitor and callgate must not answer from a copy.
  response.set(http::field::cache_control, "no-store");
  return response;
}

Response Router::Forbidden(const Request& request, const PeerContext& peer) const {
  Metrics::Add(metrics_.forbidden);
  // Each refusal costs the peer only a connection (and a handshake under TLS): one that
  // reconnects in a loop would otherwise flood the log, and journald would drop the warnings
  // that matter. One line per interval, with the number held back; at DEBUG, every one.
  const std::optional<std::uint64_t> held_back = logs_.app->should_log(spdlog::level::debug)
                                                     ? std::optional<std::uint64_t>(0)
                                                     : denied_log_.Admit(LogThrottle::Clock::now());
  if (held_back) {
    logs_.app->warn("Denied {} {}: {}{}", MethodForLog(request),
                    PathForLog(PathOf(request.target())),
                    security::DescribeDenial(*peer.auth, peer.identity, *logs_.masker),
                    denied_log_.HeldBack(*held_back));
  }
  // The peer's identity is fixed for the connection, so every later request would be refused
  // too: close it rather than let it hold a connection slot.
  Response response = MakeResponse(request, http::status::forbidden, "Forbidden\n");
  response.keep_alive(false);
  return response;
}

}  // namespace callgate::server
