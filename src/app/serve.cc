// `callgate serve`: load everything, refuse unsafe or broken configurations, then serve.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/ca_bundle.h"
#include "app/commands.h"
#include "app/effective_config.h"
#include "app/logging.h"
#include "app/security_loader.h"
#include "app/service_notifier.h"
#include "app/snapshot_loader.h"
#include "common/file_stream.h"
#include "common/log_text.h"
#include "server/reminder.h"
#include "server/server.h"
#include "server/signal_guard.h"
#include "server/worker_watch.h"

namespace callgate::app {
namespace {

constexpr std::string_view kInsecureBanner = R"(
*************************************************************************
*  WARNING: insecure_mode is on.                                        *
*  Clients are not authenticated and traffic may be unencrypted.        *
*  For development and testing only: never use it in production.        *
*  To run securely: scripts/setup-certs.sh --hostname <name>, set       *
*  tls_cert_file / tls_key_file, define clusters, and remove            *
*  insecure_mode (see docs/configuration.md).                           *
*************************************************************************
)";

constexpr std::string_view kSampleNumber = "+14085550101";

// Start-up facts an operator always needs (where callgate listens, that it is ready): logged at
// INFO, and also printed on stdout when the console does not show INFO (log_level or
// console_log_level hides it), so that the console, the journal under systemd, still says them.
template <typename... Args>
void Announce(const server::Logs& logs, fmt::format_string<Args...> format, Args&&... args) {
  const std::string line = fmt::format(format, std::forward<Args>(args)...);
  if (logs.app->should_log(spdlog::level::info)) {
    logs.app->info("{}", line);
    logs.app->flush();
  }
  if (!logs.ConsoleShows(spdlog::level::info)) {
    fmt::print("{}\n", line);
    std::fflush(stdout);
  }
}

void LogLoadWarnings(const server::Logs& logs, const LoadedSnapshot& loaded) {
  for (const auto& warning : loaded.warnings) {
    logs.app->warn("{}:{}: {}", loaded.snapshot->directory_path, warning.line, warning.message);
  }
  if (loaded.warning_count > loaded.warnings.size()) {
    logs.app->warn("{}: {} more warnings not shown", loaded.snapshot->directory_path,
                   loaded.warning_count - loaded.warnings.size());
  }
}

void LogLoaded(const server::Logs& logs, const LoadedSnapshot& loaded) {
  const auto& directory = loaded.snapshot->directory;
  logs.app->info("Phone directory {}: {} exact and {} prefix entries from {} rows in {} ms",
                 loaded.snapshot->directory_path, directory.exact_entries(),
                 directory.prefix_entries(), loaded.rows, loaded.took.count());
  LogLoadWarnings(logs, loaded);
}

// What a TLS state serves, so that a renewal can be confirmed from the log: the server
// certificate (the administrator's own, not masked) and the number of client CAs trusted.
std::string ServingText(const security::TlsContext& tls) {
  const security::CertificateSummary& leaf = tls.server_chain().front();
  return fmt::format(
      "certificate \"{}\" (serial {}, valid until {}), {} trusted client CA certificate(s)",
      leaf.subject, leaf.serial, leaf.not_after, tls.trust_store().size());
}

void LogTrustStore(const server::Logs& logs, const server::SecurityState& state) {
  if (!state.tls) return;
  for (const auto& warning : state.tls->warnings()) logs.app->warn("TLS: {}", warning);
  if (!logs.app->should_log(spdlog::level::debug)) return;
  logs.app->debug("TLS trust store holds {} certificate(s)", state.tls->trust_store().size());
  for (const auto& trusted : state.tls->trust_store()) {
    const auto& cert = trusted.certificate;
    logs.app->debug("  trusted: subject={} issuer={} serial={} valid={}..{} from {}", cert.subject,
                    cert.issuer, cert.serial, cert.not_before, cert.not_after, trusted.ca_file);
  }
}

// `url` as this machine reaches it: a listener on every address (0.0.0.0, [::]) through loopback.
std::string LocalUrl(std::string url) {
  for (const auto& [any, loopback] :
       {std::pair{"://0.0.0.0:", "://127.0.0.1:"}, std::pair{"://[::]:", "://[::1]:"}}) {
    if (auto at = url.find(any); at != std::string::npos) {
      url.replace(at, std::string_view(any).size(), loopback);
    }
  }
  return url;
}

// A command a developer can paste to see a name come back (plain HTTP main listener only).
void PrintCurlHint(const server::Logs& logs, const server::BoundListener& main,
                   const engine::Snapshot& snapshot) {
  if (main.tls) return;
  const auto number = PhoneNumber::Parse(kSampleNumber);
  const bool known = !logs.masking() && number && snapshot.directory.Lookup(*number).has_value();
  logs.app->info(
      "Try it: curl -s {}/curri -H 'Content-Type: text/xml' -d '<Request "
      "xmlns=\"urn:oasis:names:tc:xacml:2.0:context:schema:os\"><Subject><Attribute "
      "AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"><AttributeValue>{}</AttributeValue>"
      "</Attribute></Subject></Request>'",
      LocalUrl(main.url), known ? kSampleNumber : "<a number from your CSV>");
}

// "callgate ready (2 worker threads, pinned to CPUs 0,1)": said once the workers run, so that
// the CPUs named are those the threads were really pinned to.
void AnnounceReady(const server::Logs& logs, const server::Server& server) {
  const unsigned threads = server.worker_threads();
  const std::vector<int> cpus = server.worker_cpus();
  Announce(logs, "callgate ready ({} worker thread{}{}{})", threads, threads == 1 ? "" : "s",
           cpus.empty() ? "" : ", pinned to CPUs ", fmt::join(cpus, ","));
}

// ca_bundle_path, kept for the Python service's tools (ca_bundle.h). Failing to write it is not
// fatal, as in the reference: callgate itself does not read it.
void WriteCaBundleOrWarn(const config::Config& config, const server::Logs& logs) {
  if (config.ca_bundle_path.empty()) return;
  const Result<std::size_t> written = WriteCaBundle(config);
  if (!written) {
    logs.app->warn("could not write ca_bundle_path {}: {}; the file there is as it was",
                   config.ca_bundle_path, written.error().ToString());
    return;
  }
  logs.app->info("Wrote {} cluster CA file(s) to ca_bundle_path {} (callgate does not need it)",
                 *written, config.ca_bundle_path);
}

std::size_t Entries(const engine::Snapshot& snapshot) {
  return snapshot.directory.exact_entries() + snapshot.directory.prefix_entries();
}

// Why a directory that loaded cleanly should still not replace one of `in_service` entries, if
// it should not: an empty file in place of a directory with entries is far more often one caught
// half-written than one meant to be empty, unless it has rows, which its warnings say were all
// skipped.
std::optional<std::string> RefuseDirectory(const LoadedSnapshot& next, std::size_t in_service) {
  const engine::Snapshot& snapshot = *next.snapshot;
  if (Entries(snapshot) != 0 || in_service == 0) return std::nullopt;
  if (next.rows != 0) {
    return fmt::format(
        "{} has no entries, and the directory in service has {}: every one of its {} rows was "
        "skipped (the warnings before this line say why). To serve an empty directory, restart "
        "callgate",
        snapshot.directory_path, in_service, next.rows);
  }
  return fmt::format(
      "{} has no entries, and the directory in service has {} (a file caught while being "
      "written? Write the new file beside it and rename it into place). To serve an empty "
      "directory, restart callgate",
      snapshot.directory_path, in_service);
}

// The directory half of a reload. True if the new directory is in service.
bool ReloadDirectory(const config::Config& config, const server::Logs& logs,
                     server::SnapshotStore& store) {
  const std::size_t before = Entries(*store.Current());
  auto loaded = LoadSnapshot(config, LoadFor::kReload);
  std::optional<std::string> refusal;
  if (!loaded) {
    refusal = CapLogMessage(loaded.error().ToString());
  } else if ((refusal = RefuseDirectory(*loaded, before))) {
    LogLoadWarnings(logs, *loaded);  // why its rows were skipped
  }
  if (refusal) {
    logs.app->error("Reload failed, the previous phone directory stays in service: {}", *refusal);
    return false;
  }
  auto retired = store.Publish(loaded->snapshot);
  LogLoaded(logs, *loaded);
  if (const std::size_t after = Entries(*loaded->snapshot); after < before / 2) {
    logs.app->warn(
        "The new phone directory has fewer than half the entries of the one it replaced ({} "
        "against {}): check {}",
        after, before, loaded->snapshot->directory_path);
  }
  server::FreeWhenUnpinned(std::move(retired));
  return true;
}

// The configuration file as a start would take it: loaded, and not refused (StartRefusal).
Result<config::Config> LoadForStart(const ConfigSource& source) {
  auto config = LoadEffectiveConfig(source);
  if (!config) return config;
  if (Status refused = StartRefusal(*config); !refused) return refused.error();
  return config;
}

// An error about the configuration file, for the log. Its reason may quote a value from the file
// (an address, a subject), so under obfuscate_pii only the place is said: check shows the rest.
// Of several errors, the first: the line says how many more `callgate check` lists.
std::string ConfigErrorText(const Error& error, const server::Logs& logs) {
  const std::string more =
      error.more.empty()
          ? ""
          : fmt::format(" (and {} more error(s): callgate check lists them)", error.more.size());
  if (!logs.masking()) return CapLogMessage(error.ToString()) + more;
  Error place = error;
  place.message = "the reason is left out under obfuscate_pii; callgate check shows it";
  return CapLogMessage(place.ToString()) + more;
}

std::string KeysAsWritten(const config::Config& config, const std::vector<std::string_view>& keys) {
  std::vector<std::string_view> as_written;
  for (const std::string_view key : keys) as_written.push_back(config.KeyAsWritten(key));
  return fmt::format("{}", fmt::join(as_written, ", "));
}

// The configuration file, read again: what of it a reload puts in force over `running`
// (config::PlanReload), after a WARNING naming the changed keys that wait for a restart; or
// nullopt, after an ERROR, when a start would refuse the file or it changed while it was read:
// callgate goes on with `running`, and an administrator who sent SIGHUP after editing the file,
// or a monitor (/health), learns now that the next start would fail.
std::optional<config::ReloadPlan> ReadConfigFile(const ConfigSource& source,
                                                 const config::Config& running,
                                                 const server::Logs& logs) {
  const auto edited = LoadForStart(source);
  if (!edited && ChangedWhileRead(edited.error())) {
    logs.app->error(
        "Reload failed, the configuration in force stays: {}",
        CapLogMessage(WithWhenToLoadAgain(edited.error(), LoadFor::kReload).ToString()));
    return std::nullopt;
  }
  if (!edited) {
    logs.app->error(
        "Reload: callgate would refuse to start with its configuration file as it is now, and "
        "goes on with the configuration it has in force; fix the file before the next restart "
        "(callgate check tests it): {}",
        ConfigErrorText(edited.error(), logs));
    return std::nullopt;
  }
  config::ReloadPlan plan = config::PlanReload(running, *edited);
  if (!plan.at_restart.empty()) {
    const std::string why =
        plan.held_back.empty()
            ? "they are read only at start-up"
            : "a reload puts clusters and the TLS keys in force, but not when " + plan.held_back;
    logs.app->warn(
        "Reload: {} changes {}: this takes effect at the next restart; {} (the phone directory "
        "this reload reads is the one the configuration in force names)",
        source.path, KeysAsWritten(*edited, plan.at_restart), why);
  }
  return plan;
}

// `state` into service: new connections use it, open ones are authorized again by it.
void PublishSecurity(std::shared_ptr<const server::SecurityState> state, const server::Logs& logs,
                     server::Server& server) {
  LogTrustStore(logs, *state);
  const std::string serving = state->tls ? ServingText(*state->tls) : "";
  server.PublishSecurity(std::move(state));
  if (!serving.empty()) {
    logs.app->info("Reloaded TLS certificate, key and CA files: serving {}", serving);
  }
}

// The TLS half of a reload without a change to the configuration: the TLS context and the
// authorizer built again from the files `running` names (renewed certificates, edited
// ca_files). True if they are in service.
bool ReloadSecurityFiles(const config::Config& running, const server::Logs& logs,
                         server::Server& server) {
  auto state = LoadSecurityState(running, LoadFor::kReload);
  if (!state) {
    logs.app->error("Reload failed, the previous TLS certificates stay in service: {}",
                    CapLogMessage(state.error().ToString()));
    return false;
  }
  PublishSecurity(std::move(state).value(), logs, server);
  WriteCaBundleOrWarn(running, logs);
  return true;
}

// The security keys of the configuration file `plan` puts in force (plan.security), with the files
// their configuration names, checked as a start would check them: true once in service, plan.next
// then being the configuration in force (`running`); false, with an ERROR, when they do not
// load, `running` and what is in service staying as they were.
bool ApplyConfigFile(const config::ReloadPlan& plan, config::Config& running,
                     const ConfigSource& source, const server::Logs& logs, server::Server& server) {
  const std::string keys = KeysAsWritten(plan.next, plan.security);
  Status refused = StartRefusal(plan.next);  // the keys waiting for a restart beside the new ones
  auto state = refused ? LoadSecurityState(plan.next, LoadFor::kReload)
                       : Result<std::shared_ptr<const server::SecurityState>>(refused.error());
  if (!state) {
    logs.app->error("Reload failed, the previous {} stay in force: {}", keys,
                    CapLogMessage(state.error().ToString()));
    return false;
  }
  PublishSecurity(std::move(state).value(), logs, server);
  running = plan.next;
  logs.app->info("Reload: {} of {} now in force", keys, source.path);
  for (const Error& warning : config::ConfiguredForNobody(running)) {
    logs.app->warn("{}", warning.ToString());
  }
  WriteCaBundleOrWarn(running, logs);
  return true;
}

// The edited log_level (plan.logging), into force at once. Said at INFO while the more verbose of
// the two levels is in force, so that the line shows whichever way the level moves.
void ApplyLogLevel(const config::ReloadPlan& plan, config::Config& running,
                   const ConfigSource& source, const server::Logs& logs) {
  if (plan.logging.empty()) return;
  const auto say = [&] {
    logs.app->info("Reload: {} of {} now in force: {}", KeysAsWritten(plan.next, plan.logging),
                   source.path, config::ToString(plan.next.log_level));
  };
  const bool more_verbose = plan.next.log_level < running.log_level;
  if (!more_verbose) say();
  SetLogLevel(logs, plan.next.log_level);
  if (more_verbose) say();
  running.log_level = plan.next.log_level;
  if (const auto unwritten = UnwrittenLevelsWarning(running)) {
    logs.app->warn("{}", unwritten->ToString());
  }
}

// What the TLS half of a reload did.
struct SecurityReload {
  bool ok = false;              // what it was to put in service is in service
  bool config_file_ok = false;  // a start would take the configuration file and its TLS files
};

// The TLS half of a reload: the configuration file's edited clusters and TLS keys into force
// (ApplyConfigFile), or, when it has none or they do not load, the files the configuration in
// force names read again (ReloadSecurityFiles).
SecurityReload ReloadSecurity(const std::optional<config::ReloadPlan>& plan,
                              config::Config& running, const ConfigSource& source,
                              const server::Logs& logs, server::Server& server) {
  if (!plan || plan->security.empty()) {
    return {.ok = ReloadSecurityFiles(running, logs, server), .config_file_ok = plan.has_value()};
  }
  if (ApplyConfigFile(*plan, running, source, logs, server)) {
    return {.ok = true, .config_file_ok = true};
  }
  ReloadSecurityFiles(running, logs, server);  // a renewal beside the edit still takes effect
  return {.ok = false, .config_file_ok = false};
}

// SIGHUP: read the configuration file again, then rebuild the TLS/authorization state and the
// directory snapshot. The two halves are independent: a half that fails keeps what it would have
// replaced, and the other half still takes effect. The configuration file (small, and what says
// who may connect) and the TLS half go first: a cluster or a CA taken out must stop letting
// clients in even while the directory's read hangs (a FIFO no one writes, a network file system
// that does not answer) or takes seconds. True if both halves took effect.
bool Reload(const ConfigSource& source, config::Config& running, const server::Logs& logs,
            server::SnapshotStore& store, server::Server& server) {
  const std::optional<config::ReloadPlan> plan = ReadConfigFile(source, running, logs);
  if (plan) ApplyLogLevel(*plan, running, source, logs);
  // Without edited security keys, the plan differs from what is in force only in where the file
  // has its keys now: errors about the files below point there.
  if (plan && plan->security.empty()) running = plan->next;
  const SecurityReload security = ReloadSecurity(plan, running, source, logs, server);
  const bool directory = ReloadDirectory(running, logs, store);
  if (directory && security.ok) logs.app->info("Reload complete");
  logs.app->flush();
  server.metrics().reloads.Finished(directory && security.ok, security.config_file_ok);
  return directory && security.ok;
}

// A start-up failure once logging runs: an error line on the console and in app.log, where
// whoever reads the logs of a service that did not start looks for the reason. The loaders made
// what the error quotes from their files log-safe (common/result.h): escaped again here, it would
// read differently from `callgate check` (`\\xe9` for `\xe9`).
int StartFailed(const server::Logs& logs, const Error& error) {
  logs.app->error("refusing to start: {}", CapLogMessage(error.ToString()));
  logs.app->flush();
  return 1;
}

// A standard descriptor closed at start (by a supervisor, or `2>&-`) would be the next file or
// socket opened: console lines would be written into a log file, or a connection. /dev/null
// takes its place.
void FillClosedStandardDescriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null = ::open("/dev/null", O_RDWR);  // the lowest free descriptor: `fd`
    if (null >= 0 && null != fd) ::close(null);
  }
}

}  // namespace

int RunServe(const CommandLine& command_line) {
  FillClosedStandardDescriptors();    // before anything is opened
  std::signal(SIGPIPE, SIG_IGN);      // NOLINT: a closed peer is an error code, not a signal
  server::HoldHangupsForTheServer();  // a reload asked for while loading happens once serving
  const ConfigSource source = ResolveConfigSource(command_line);
  auto config = LoadEffectiveConfig(source);
  if (!config) return PrintError(config.error());
  // Before the log files are opened: ca_bundle_path may be one of them.
  if (Status refused = StartRefusal(*config); !refused) {
    std::cerr << "callgate: refusing to start: " << refused.error().ToString() << "\n";
    return 1;
  }
  const security::PiiMasker masker(config->obfuscate_pii);
  auto logs = SetupLogging(*config, masker);
  if (!logs) return PrintError(logs.error());
  if (config->insecure_mode) {
    std::cerr << kInsecureBanner << std::flush;
    logs->app->log(server::UnhiddenWarningLevel(*logs),
                   "SECURITY WARNING: insecure_mode is on (development only)");
  }
  for (const Error& warning : LogWarnings(*config)) {
    logs->app->log(server::UnhiddenWarningLevel(*logs), "{}", warning.ToString());
  }
  auto loaded = LoadSnapshot(*config, LoadFor::kStart);
  if (!loaded) return StartFailed(*logs, loaded.error());
  LogLoaded(*logs, *loaded);
  auto security = LoadSecurityState(*config, LoadFor::kStart);
  if (!security) return StartFailed(*logs, security.error());
  LogTrustStore(*logs, **security);
  if ((*security)->tls) logs->app->info("TLS: serving {}", ServingText(*(*security)->tls));
  for (const Error& warning : config::ConfiguredForNobody(*config)) {
    logs->app->warn("{}", warning.ToString());
  }
  WriteCaBundleOrWarn(*config, *logs);
  // The store holds the only reference: a reload must be able to free this directory.
  server::SnapshotStore store(std::move(loaded->snapshot));
  auto server = server::Server::Create(*config, store, *logs, std::move(security).value());
  if (!server) return StartFailed(*logs, server.error());
  for (const auto& listener : (*server)->listeners()) {
    Announce(*logs, "callgate {} listening on {} ({})", CALLGATE_VERSION, listener.url,
             listener.name);
  }
  PrintCurlHint(*logs, (*server)->listeners().front(), *store.Current());
  const ServiceNotifier notifier = ServiceNotifier::FromEnvironment();
  ServiceStatus service(
      notifier,
      [&store] { return fmt::format("Serving {} directory entries", Entries(*store.Current())); },
      [&logs](const Error& not_sent) { logs->app->warn("{}", not_sent.ToString()); });
  (*server)->SetReloadHandler(
      [&] { service.Reload([&] { return Reload(source, *config, *logs, store, **server); }); });
  auto watchdog = ServiceNotifier::WatchdogTimeoutFromEnvironment();
  if (!watchdog) logs->app->warn("{}", watchdog.error().ToString());
  // Without $NOTIFY_SOCKET there is no one to tell.
  const bool watched = watchdog && watchdog->has_value() && notifier.active();
  if (watched) {
    logs->app->info(
        "systemd's watchdog: telling it every {} ms that callgate runs (WatchdogSec={} ms)",
        std::chrono::duration_cast<std::chrono::milliseconds>(server::WatchdogPingEvery(**watchdog))
            .count(),
        std::chrono::duration_cast<std::chrono::milliseconds>(**watchdog).count());
  }
  (*server)->Run({.ready =
                      [&] {
                        AnnounceReady(*logs, **server);
                        service.Serving();
                      },
                  .stopping =
                      [&] {
                        server::HoldStopSignalsUntilExit();  // the exit must not end by one
                        service.Stopping();
                      },
                  .stopped = [&] { Announce(*logs, "callgate stopped"); },
                  .alive = watched ? std::function<void()>([&] { service.Alive(); }) : nullptr,
                  .watchdog = watched ? **watchdog : std::chrono::microseconds(0)});
  logs->app->flush();
  return 0;
}

}  // namespace callgate::app
