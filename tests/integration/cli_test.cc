// The command line: check, lookup, --help/--version, configuration errors and the
// secure-by-default refusals, each with its message.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness.h"

namespace callgate::testing {
namespace {

using ::testing::HasSubstr;

class CliTest : public ::testing::Test {
 protected:
  std::string Csv() {
    return dir_.Write("directory.csv",
                      "phone_number,display_name,match_type\n"
                      "+14085550101,Ada Lovelace,exact\n"
                      ",No Number,exact\n"
                      "+1408,San Jose,prefix\n");
  }
  // Every command ends within 20 s: a serve that should have refused to start fails its test
  // instead of hanging it.
  CommandResult Run(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/timeout", "20", CallgateBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  // Run() in the working directory `cwd`, which relative paths in the configuration are read from.
  CommandResult RunIn(const std::filesystem::path& cwd, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/env",     "-C", cwd.string(),
                                  "/usr/bin/timeout", "20", CallgateBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  std::string WriteConfig(const std::string& yaml) { return dir_.Write("config.yaml", yaml); }
  // For a start-up warning about `yaml` (insecure_mode, and the CSV with its one bad row):
  // check passes with three warnings, `warning` (after the file's name) among them, right after
  // the line that ends in `after`; serve starts, and logs `warning` at `level`.
  void ExpectCheckAndServeWarn(const std::string& yaml, const std::string& after,
                               const std::string& level, const std::string& warning) {
    const std::string config = WriteConfig(yaml);
    auto check = Run({"check", "--config", config});
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_THAT(check.output, HasSubstr(after + "\n  warning: " + config + warning));
    EXPECT_THAT(check.output, HasSubstr("check: OK (3 warning(s))"));

    auto serve = CallgateProcess::Start(dir_, yaml);
    ASSERT_NE(serve, nullptr);
    EXPECT_THAT(serve->output(), HasSubstr("[" + level + "] callgate: " +
                                           (dir_.path() / "callgate.yaml").string() + warning));
    EXPECT_EQ(serve->Stop(), 0);
  }

  TempDir dir_;
};

TEST_F(CliTest, HelpAndVersion) {
  auto help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("callgate lookup [--config FILE] [--] NUMBER"));
  EXPECT_THAT(help.output, HasSubstr("-c FILE and --config=FILE are --config FILE"));
  EXPECT_THAT(help.output, HasSubstr("--help | -h"));
  EXPECT_EQ(Run({"lookup", "-h"}).output, help.output);
  auto version = Run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.output, HasSubstr("callgate 0."));
  auto bad = Run({"--frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("unknown option '--frobnicate'"));
  auto empty = Run({"lookup", "", "1001"});  // `callgate lookup "$UNSET" 1001`
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.output, HasSubstr("lookup needs a NUMBER, not an empty argument"));
}

// "--" ends the options: a NUMBER that starts with '-' is looked up, not taken for an option.
TEST_F(CliTest, LookupTakesANumberAfterTheEndOfOptions) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  auto dashed = Run({"lookup", "--config", config, "--", "-1 408 555 0101"});
  EXPECT_EQ(dashed.exit_code, 0) << dashed.output;
  EXPECT_THAT(dashed.output, HasSubstr("number: -1 408 555 0101 (normalised: 14085550101)"));
  auto option = Run({"lookup", "--config", config, "-1001"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_THAT(option.output, HasSubstr("unknown option '-1001'"));
}

// Without --config and CONFIG_FILE, callgate reads config.yaml in the working directory; when
// there is none, the error says so and how to name a file.
TEST_F(CliTest, AMissingDefaultConfigurationFileSaysWhereItWasLookedFor) {
  const std::string cwd = dir_.path().string();
  auto result = RunCommand({"/usr/bin/env", "-u", "CONFIG_FILE", "-C", cwd, "/usr/bin/timeout",
                            "20", CallgateBinary(), "check"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output,
              HasSubstr("config.yaml: cannot open the configuration file: No such file or "
                        "directory (neither --config nor CONFIG_FILE names a file, so callgate "
                        "looked for it in the working directory " +
                        cwd + "; name yours with --config FILE"));
  // Named, a missing file is only said to be missing.
  auto named = Run({"check", "--config", dir_.path() / "missing.yaml"});
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_THAT(named.output, HasSubstr("missing.yaml: cannot open the configuration file"));
  EXPECT_THAT(named.output, ::testing::Not(HasSubstr("working directory")));
}

// Every error of the configuration file at once, each with its line and key, from check (on
// stdout, with its verdict) and from serve (on stderr): an administrator fixes them in one go.
TEST_F(CliTest, CheckAndServeListEveryErrorOfTheConfigurationFile) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                                         "\nlisten_port: http\nlog_levle: INFO\n"
                                         "clusters:\n  hq:\n    ca_fil: x.pem\n");
  const auto lines = [&config](const std::string& prefix) {
    return prefix + config +
           ":3: key 'listen_port': expected an integer from 0 to 65535, got 'http'\n" + prefix +
           config + ":4: key 'log_levle': unknown key; did you mean 'log_level'?\n" + prefix +
           config + ":7: key 'clusters.hq.ca_fil': unknown key in a cluster";
  };
  auto check = Run({"check", "--config", config});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.output, HasSubstr(lines("config: "))) << check.output;
  EXPECT_THAT(check.output, HasSubstr("check: FAILED"));
  auto serve = Run({"--config", config});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_THAT(serve.output, HasSubstr(lines("callgate: "))) << serve.output;
}

// A report that could not be written is a failure, whatever it said.
TEST_F(CliTest, AReportThatCannotBeWrittenFails) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  for (const std::string& command :
       {"check --config " + config, "lookup --config " + config + " +14085550101",
        std::string("--version")}) {
    SCOPED_TRACE(command);
    auto result = RunCommand({"/bin/sh", "-c", CallgateBinary() + " " + command + " > /dev/full"});
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_THAT(result.output, HasSubstr("callgate: could not write to standard output"));
  }
  auto written = Run({"check", "--config", config});
  EXPECT_EQ(written.exit_code, 0) << written.output;
}

TEST_F(CliTest, CheckSummarisesAndCountsWarnings) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("1 exact and 1 prefix entries from 3 rows"));
  EXPECT_THAT(result.output, HasSubstr("1 warning(s)"));
  EXPECT_THAT(result.output, HasSubstr(":3: "));  // the line of the row without a number
  EXPECT_THAT(result.output, HasSubstr("check: OK (2 warning(s))"));  // and insecure_mode
  auto strict = Run({"check", "--strict", "--config", config});
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
  EXPECT_THAT(strict.output, HasSubstr("check: FAILED (--strict, 2 warning(s))"));
}

TEST_F(CliTest, CheckShowsTheFirstHundredDirectoryWarningsAndCountsTheRest) {
  std::string rows = "phone_number,display_name\n";
  for (int i = 0; i < 105; ++i) rows += "+1408555" + std::to_string(1000 + i) + ",\n";  // no name
  const std::string csv = dir_.Write("nameless.csv", rows);
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr(csv + ":101: "));  // the 100th bad row
  EXPECT_THAT(result.output, Not(HasSubstr(csv + ":102: ")));
  EXPECT_THAT(result.output,
              HasSubstr("  warning: " + csv + ": 6 more warnings not shown (the first 100 are)\n"));
  // and "every row was skipped", and insecure_mode
  EXPECT_THAT(result.output, HasSubstr("check: OK (107 warning(s))"));
}

// serve warns about insecure_mode at start-up and every hour: a configuration reviewed with
// --strict before it is deployed must not pass with it.
// A header-only file loads (an empty directory), but check and start-up say what it means.
TEST_F(CliTest, CheckWarnsOfAnEmptyDirectory) {
  const std::string csv = dir_.Write("empty.csv", "phone_number,display_name\n");
  auto result =
      Run({"check", "--config", WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n")});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("  warning: " + csv +
                                       ":1: no rows after the header: the directory is empty, "
                                       "and every call gets a plain continue, without a name\n"));
}

// A directory file that blocks (here a FIFO nobody writes to) hangs check until a timeout kills
// it; what check had found by then must have reached its redirected stdout.
TEST_F(CliTest, AKilledCheckHasWrittenWhatItFound) {
  const std::string fifo = (dir_.path() / "directory.csv").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string config =
      WriteConfig("insecure_mode: true\nlisten_host: 127.0.0.1\ncsv_file_path: " + fifo + "\n");
  auto result =
      RunCommand({"/usr/bin/timeout", "1", CallgateBinary(), "check", "--config", config});
  EXPECT_EQ(result.exit_code, 124) << result.output;  // killed by the timeout
  EXPECT_THAT(result.output, HasSubstr("config: " + config + ": OK\n"));
  EXPECT_THAT(result.output, HasSubstr("\nsecurity: plain HTTP"));
}

// An IPv6 listener is written as in a URL, so that its port stands apart.
TEST_F(CliTest, CheckWritesAnIpv6ListenerInBrackets) {
  auto result = Run({"check", "--config",
                     WriteConfig("insecure_mode: true\nlisten_host: \"::1\"\nlisten_port: 5000\n"
                                 "csv_file_path: " +
                                 Csv() + "\n")});
  EXPECT_THAT(result.output, HasSubstr("listeners: [::1]:5000 (main), 127.0.0.1:5001 (admin)\n"));
}

// Runs `callgate ARGS` for at most `seconds` with `hosts` in place of /etc/hosts, in a mount
// namespace of its own; nullopt where this process may not make one (a container without
// CAP_SYS_ADMIN).
std::optional<CommandResult> RunWithHostsFile(const std::string& hosts, const std::string& seconds,
                                              const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/unshare",
                                "--mount",
                                "/bin/sh",
                                "-c",
                                "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
                                hosts,
                                "/usr/bin/timeout",
                                seconds,
                                CallgateBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (RunCommand(
          {"/usr/bin/unshare", "--mount", "/bin/sh", "-c", "mount --bind /etc/hosts /etc/hosts"})
          .exit_code != 0) {
    return std::nullopt;
  }
  return RunCommand(argv);
}

// localhost is the loopback address whatever the resolver says (RFC 6761 §6.3): a hosts file
// that maps it elsewhere must not move a listener, least of all the admin listener, which
// admin_listen allows on localhost as loopback. A host name with several addresses is listened
// on at one, which serve and check warn about.
TEST_F(CliTest, LocalhostIsLoopbackAndANameWithSeveralAddressesIsWarnedAbout) {
  const std::string hosts =
      dir_.Write("hosts", "192.0.2.1 localhost\n127.0.0.2 twice\n127.0.0.3 twice\n");
  const std::string config = WriteConfig(
      "insecure_mode: true\nlisten_host: twice\nlisten_port: 0\n"
      "admin_listen: \"localhost:0\"\ncsv_file_path: " +
      Csv() + "\n");
  auto check = RunWithHostsFile(hosts, "20", {"check", "--config", config});
  if (!check) GTEST_SKIP() << "cannot make a mount namespace here";
  EXPECT_EQ(check->exit_code, 0) << check->output;  // 192.0.2.1 is no address of this machine
  EXPECT_THAT(check->output, HasSubstr("listeners: twice:0 (main), localhost:0 (admin)\n"));
  EXPECT_THAT(check->output,
              HasSubstr("  warning: " + config +
                        ":2: key 'listen_host': 'twice' resolves to 127.0.0.3 as well as "
                        "127.0.0.2, and callgate listens on 127.0.0.2 only"));
  // insecure_mode, the CSV's row without a number, and the host name
  EXPECT_THAT(check->output, HasSubstr("check: OK (3 warning(s))"));

  auto serve = RunWithHostsFile(hosts, "2", {"--config", config});  // stopped after 2 s
  EXPECT_THAT(serve->output, HasSubstr("listening on http://127.0.0.1:"));
  EXPECT_THAT(serve->output, HasSubstr(" (admin)"));
  EXPECT_THAT(serve->output, HasSubstr("listening on http://127.0.0.2:"));
  EXPECT_THAT(serve->output, HasSubstr("'twice' resolves to 127.0.0.3 as well as 127.0.0.2"));
}

TEST_F(CliTest, StrictCheckFailsOnInsecureMode) {
  const std::string csv = dir_.Write("clean.csv", "phone_number,display_name\n+14085550101,Ada\n");
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n");
  auto result = Run({"check", "--strict", "--config", config});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("  warning: SECURITY WARNING: insecure_mode is on: traffic "
                                       "is not encrypted and clients are not authenticated."));
  EXPECT_THAT(result.output, HasSubstr("check: FAILED (--strict, 1 warning(s))"));
}

// Start-up's warning about an open-file limit too low for max_connections.
TEST_F(CliTest, CheckWarnsWhenTheOpenFileLimitIsTooLow) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  auto result = RunCommand(
      {"/usr/bin/prlimit", "--nofile=100:100", CallgateBinary(), "check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("  warning: callgate may open only 100 files (its hard "
                                       "limit; systemd LimitNOFILE=, ulimit -Hn), but serving "
                                       "max_connections (1024) and the admin listener's 16"));
  EXPECT_THAT(result.output, HasSubstr("check: OK (3 warning(s))"));
}

TEST_F(CliTest, CheckWarnsAboutAClusterThatMatchesNobody) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                                         "\nclusters:\n  branch:\n    ca_file:\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output,
              HasSubstr("warning: " + config + ":4: key 'clusters.branch': has no allowed_ips"));
  EXPECT_THAT(result.output, HasSubstr("check: OK (3 warning(s))"));  // CSV row 3, insecure_mode
}

TEST_F(CliTest, RelativePathsAreFromTheWorkingDirectoryNotTheConfigFile) {
  Csv();  // in dir_, the working directory below; the config file is in a directory of its own
  const std::string config =
      dir_.Write("etc/config.yaml", "insecure_mode: true\ncsv_file_path: directory.csv\n");
  auto result = RunCommand(
      {"/usr/bin/env", "-C", dir_.path().string(), CallgateBinary(), "check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("1 exact and 1 prefix entries"));
  // Run from elsewhere (a service's working directory is /), the errors say where they looked.
  const std::string elsewhere = dir_.path().string() + "/etc";
  auto moved = RunCommand({"/usr/bin/env", "-C", elsewhere, CallgateBinary(), "check", "--config",
                           WriteConfig("insecure_mode: true\ncsv_file_path: directory.csv\n"
                                       "tls_cert_file: server.crt\ntls_key_file: server.key\n")});
  EXPECT_EQ(moved.exit_code, 1) << moved.output;
  const std::string note = "No such file or directory (a relative path, looked for in " +
                           std::filesystem::canonical(elsewhere).string() + ")";
  EXPECT_THAT(moved.output, HasSubstr("'directory.csv': cannot open the file: " + note));
  EXPECT_THAT(moved.output, HasSubstr("'server.crt': cannot open: " + note));
  auto no_config = RunCommand(
      {"/usr/bin/env", "-C", elsewhere, CallgateBinary(), "check", "--config", "absent.yaml"});
  EXPECT_THAT(no_config.output,
              HasSubstr("absent.yaml: cannot open the configuration file: " + note));
  auto absolute = Run({"check", "--config", elsewhere + "/absent.yaml"});
  EXPECT_THAT(absolute.output, HasSubstr("No such file or directory\n"));  // nothing to add
}

TEST_F(CliTest, CheckFailsOnAMissingDirectoryNamingIt) {
  const std::string config =
      WriteConfig("insecure_mode: true\ncsv_file_path: /nonexistent/d.csv\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 1);
  // The configuration's line and key, as for a TLS file, then the file and the system's reason.
  EXPECT_THAT(result.output, HasSubstr(config + ":2: key 'csv_file_path': '/nonexistent/d.csv': "
                                                "cannot open the file: No such file or directory"));
  EXPECT_THAT(result.output, HasSubstr("check: FAILED"));
}

// Once the log files are open, a reason not to start is in app.log too: that is where whoever
// looks into a service that did not start reads first.
TEST_F(CliTest, ServeWritesWhyItDidNotStartToAppLog) {
  const std::string logs = (dir_.path() / "logs").string();
  const std::string config = WriteConfig(
      "insecure_mode: true\ncsv_file_path: /nonexistent/d.csv\nlog_dir: " + logs + "\n");
  auto serve = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr("key 'csv_file_path': '/nonexistent/d.csv': cannot open"));
  EXPECT_THAT(ReadFile(logs + "/app.log"),
              HasSubstr("key 'csv_file_path': '/nonexistent/d.csv': cannot open"));
}

// Under obfuscate_pii, the header of a file without one (its first row: data) stays out of the
// logs, and out of check's report when it is not written to a terminal (the systemd unit runs
// check into the journal); at a terminal, check shows it.
TEST_F(CliTest, UnderObfuscatePiiAHeaderlessDirectoryIsNotQuotedInTheLogs) {
  const std::string logs = (dir_.path() / "logs").string();
  const std::string csv = dir_.Write("d.csv", "14085550177;Zelda Quux\n");
  const std::string config =
      WriteConfig("insecure_mode: true\nobfuscate_pii: true\ncsv_file_path: " + csv +
                  "\nlog_dir: " + logs + "\n");
  auto serve = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr("names are left out under obfuscate_pii"));
  EXPECT_THAT(serve.output, Not(HasSubstr("Zelda")));
  EXPECT_THAT(ReadFile(logs + "/app.log"), Not(HasSubstr("Zelda")));
  auto check = Run({"check", "--config", config});  // to a pipe
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_THAT(check.output, HasSubstr("names are left out under obfuscate_pii"));
  EXPECT_THAT(check.output, Not(HasSubstr("Zelda")));
  // At a terminal (script(1) gives check one), the administrator sees the row.
  auto at_terminal = RunCommand(
      {"/usr/bin/script", "-qec", CallgateBinary() + " check --config " + config, "/dev/null"});
  EXPECT_THAT(at_terminal.output, HasSubstr("(it has '14085550177;Zelda Quux')"));
}

// A reason not to start is callgate's own text, often with how to fix it at the end: it is not
// cut like a value from outside (256 bytes).
TEST_F(CliTest, ServeLogsTheWholeReasonItDidNotStart) {
  const std::string missing = "/nonexistent/" + std::string(300, 'd') + ".csv";
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + missing +
                                         "\nlog_dir: " + (dir_.path() / "logs").string() + "\n");
  auto serve = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr("key 'csv_file_path': '" + missing + "': cannot open"));
  EXPECT_THAT(serve.output, Not(HasSubstr(" bytes]")));
}

// serve creates log_dir and opens app.log and access.log in it; check must fail where serve
// would, without creating anything.
TEST_F(CliTest, CheckFailsWhenTheLogFilesCouldNotBeOpened) {
  const std::string blocker = dir_.Write("not-a-directory", "");
  const std::string config =
      WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\nlog_dir: " + blocker +
                  "/logs\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("logs: " + config +
                                       ":3: key 'log_dir': cannot open log "
                                       "files: cannot create '" +
                                       blocker + "/logs'"));
  EXPECT_THAT(result.output, HasSubstr("check: FAILED"));
  // The failure check predicted (timeout: should serve start after all, the test fails, not hangs).
  auto serve = RunCommand({"/usr/bin/timeout", "20", CallgateBinary(), "--config", config});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr(config + ":3: key 'log_dir': cannot open log files"));

  std::filesystem::create_directories(dir_.path() / "logs" / "app.log");
  const std::string occupied = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                                           "\nlog_dir: " + (dir_.path() / "logs").string() + "\n");
  auto taken = Run({"check", "--config", occupied});
  EXPECT_EQ(taken.exit_code, 1) << taken.output;
  EXPECT_THAT(taken.output, HasSubstr("app.log' is a directory"));
}

TEST_F(CliTest, CheckCreatesNoLogDirectory) {
  const std::string logs = (dir_.path() / "var" / "log" / "callgate").string();
  const std::string config =
      WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\nlog_dir: " + logs + "\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(
      result.output,
      HasSubstr("logs: console (INFO and above), app.log (INFO and above) and access.log in " +
                logs));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "var"));
}

// The console keeps the higher of log_level and console_log_level; app.log keeps log_level.
TEST_F(CliTest, CheckShowsTheLevelEachLogKeeps) {
  const std::string logs = (dir_.path() / "logs").string();
  const std::string base = "insecure_mode: true\ncsv_file_path: " + Csv() + "\nlog_dir: " + logs;
  auto quiet_console =
      Run({"check", "--config", WriteConfig(base + "\nconsole_log_level: WARNING\n")});
  EXPECT_EQ(quiet_console.exit_code, 0) << quiet_console.output;
  EXPECT_THAT(quiet_console.output,
              HasSubstr("logs: console (WARNING and above), app.log (INFO and above) and "
                        "access.log in " +
                        logs + "\n"));
  auto chatty_console = Run(
      {"check", "--config", WriteConfig(base + "\nlog_level: ERROR\nconsole_log_level: DEBUG\n")});
  EXPECT_EQ(chatty_console.exit_code, 0) << chatty_console.output;
  EXPECT_THAT(chatty_console.output,
              HasSubstr("logs: console (ERROR and above), app.log (ERROR and above) and "
                        "access.log in " +
                        logs + "\n"));
}

TEST_F(CliTest, CheckAndServeNameALogDirThatLinksToNothing) {
  const std::filesystem::path link = dir_.path() / "logs";
  std::filesystem::create_symlink(dir_.path() / "volume" / "logs", link);
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                                         "\nlog_dir: " + link.string() + "\n");
  const std::string why = config + ":3: key 'log_dir': cannot open log files: '" + link.string() +
                          "' is a symbolic link to '" + (dir_.path() / "volume" / "logs").string() +
                          "', which does not exist";
  auto check = Run({"check", "--config", config});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_THAT(check.output, HasSubstr(why));
  auto serve = Run({"--config", config});
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr(why));
}

TEST_F(CliTest, CheckWarnsWhenCaBundlePathCannotBeWritten) {
  const std::string blocker = dir_.Write("not-a-directory", "");
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                                         "\nca_bundle_path: " + blocker + "/bundle.pem\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;  // serve only warns: callgate does not need it
  EXPECT_THAT(result.output, HasSubstr("warning: " + config +
                                       ":3: key 'ca_bundle_path': cannot "
                                       "create '" +
                                       blocker + "/bundle.pem'"));
  EXPECT_THAT(result.output, HasSubstr("check: OK (3 warning(s))"));  // CSV row 3, insecure_mode
}

// A console_log_level above log_level without log_dir leaves some lines nowhere: check says so,
// and serve says so at a level its console shows (a WARNING line would be lost as well).
TEST_F(CliTest, CheckAndServeWarnOfLinesWrittenNowhere) {
  const std::string yaml =
      "insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n"
      "console_log_level: ERROR\ncsv_file_path: " +
      Csv() + "\n";
  ExpectCheckAndServeWarn(
      yaml, "logs: console (ERROR and above)", "error",
      ":5: key 'console_log_level': INFO and WARNING lines are written nowhere: log_level (INFO) "
      "lets them through, this key keeps them off the console, and log_dir is unset, so there "
      "is no app.log; set log_dir to keep them in app.log, or log_level: ERROR if they are not "
      "wanted\n");
}

// Log files small for their number of backups are rotated often, each rotation
// renaming every backup while calls wait: check and serve say so, and serve still starts.
TEST_F(CliTest, CheckAndServeWarnOfRotationsThatHoldUpCalls) {
  const std::string yaml =
      "insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n"
      "log_dir: " +
      (dir_.path() / "logs").string() +
      "\nlog_backup_count: 100\nlog_max_bytes: 65536\ncsv_file_path: " + Csv() + "\n";
  ExpectCheckAndServeWarn(
      yaml, " and access.log in " + (dir_.path() / "logs").string(), "warning",
      ":7: key 'log_max_bytes': 65536 bytes is small for log_backup_count (100): at INFO, app.log "
      "is rotated about every 409 calls and access.log every 936, and each rotation renames up "
      "to 100 files while calls wait for their log lines; keep log_max_bytes at least 4096 bytes "
      "per backup (409600 here), or fewer backups\n");
}

// Log files allowed to grow past what their file system has left lose lines once it is full:
// check and serve say so at log_dir's line, and serve still starts.
TEST_F(CliTest, CheckAndServeWarnOfLogFilesTheFileSystemCannotHold) {
  const std::string logs = (dir_.path() / "logs").string();
  const std::string yaml =
      "insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\n"
      "admin_listen: \"\"\nlog_dir: " +
      logs + "\nlog_max_bytes: 1099511627776\ncsv_file_path: " + Csv() + "\n";
  const std::string warning =
      ":5: key 'log_dir': its file system has ";  // then how much, which depends on the machine
  // Then what the files take now: serve has written its first lines by then.
  const std::string reason =
      " more (app.log and access.log are each up to 6 files of log_max_bytes, 1.0 TiB, and take ";
  const std::string advice =
      " now): once it is full, log lines are lost (/health counts them as log_lines_lost); make "
      "room, or lower log_max_bytes or log_backup_count";
  const std::string config = WriteConfig(yaml);
  auto check = Run({"check", "--config", config});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("  warning: " + config + warning));
  EXPECT_THAT(check.output, HasSubstr(reason + "0 bytes" + advice));
  EXPECT_EQ(Run({"check", "--strict", "--config", config}).exit_code, 1);

  auto serve = CallgateProcess::Start(dir_, yaml);
  ASSERT_NE(serve, nullptr);
  EXPECT_THAT(
      serve->output(),
      HasSubstr("[warning] callgate: " + (dir_.path() / "callgate.yaml").string() + warning));
  EXPECT_THAT(serve->output(), HasSubstr(reason));
  EXPECT_THAT(serve->output(), HasSubstr(advice));
  EXPECT_EQ(serve->Stop(), 0);
}

TEST_F(CliTest, LookupExplainsTheDecision) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  auto exact = Run({"lookup", "--config", config, "+1 (408) 555-0101"});
  EXPECT_EQ(exact.exit_code, 0) << exact.output;
  EXPECT_THAT(exact.output, HasSubstr("normalised: +14085550101"));
  EXPECT_THAT(exact.output, HasSubstr("exact match: \"Ada Lovelace\""));
  EXPECT_THAT(exact.output, HasSubstr("callingname=\"Ada Lovelace\""));
  EXPECT_THAT(exact.output, Not(HasSubstr("entry +1")));  // the number is the entry
  auto prefix = Run({"lookup", "--config", config, "+14089999999"});
  EXPECT_THAT(prefix.output,
              HasSubstr("prefix match: \"San Jose\" (prefix entry +1408; no exact entry)\n"));
  auto none = Run({"lookup", "--config", config, "+33123456789"});
  EXPECT_THAT(none.output, HasSubstr("no entry"));
  EXPECT_THAT(none.output, Not(HasSubstr("hint:")));
  auto text = Run({"lookup", "--config", config, "anonymous"});
  EXPECT_THAT(text.output,
              HasSubstr("not a phone number (contains a character that is not a digit)"));
  auto plus = Run({"lookup", "--config", config, "+"});  // the '+' is fine; nothing follows it
  EXPECT_THAT(plus.output, HasSubstr("not a phone number (no digits after the '+')"));
}

// A row skipped as the directory was read is a common reason for "no entry": lookup says how
// many warnings the file gave, and that check lists them, and says so when nothing is left.
TEST_F(CliTest, LookupSaysWhatItMadeOfTheDirectory) {
  auto with_warning =
      Run({"lookup", "--config", WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n"),
           "+33123456789"});
  EXPECT_EQ(with_warning.exit_code, 0) << with_warning.output;
  EXPECT_THAT(with_warning.output,
              HasSubstr("directory: " + Csv() +
                        ": 1 exact and 1 prefix entries from 3 rows; 1 warning(s) about its "
                        "header or rows skipped, replaced or changed (callgate check lists "
                        "them)\n"));
  EXPECT_THAT(with_warning.output, HasSubstr("result: no entry: the call"));
  const std::string clean = dir_.Write("clean.csv", "phone_number,display_name\n+1,A\n");
  auto quiet = Run({"lookup", "--config",
                    WriteConfig("insecure_mode: true\ncsv_file_path: " + clean + "\n"), "+1"});
  EXPECT_THAT(quiet.output, HasSubstr("directory: " + clean +
                                      ": 1 exact and 0 prefix entries "
                                      "from 1 rows\n"));
  const std::string header = dir_.Write("header.csv", "phone_number,display_name\n");
  auto empty = Run({"lookup", "--config",
                    WriteConfig("insecure_mode: true\ncsv_file_path: " + header + "\n"), "+1"});
  EXPECT_THAT(empty.output,
              HasSubstr("directory: " + header + ": empty: no rows after the header\n"));
  EXPECT_THAT(empty.output, HasSubstr("result: no entry (the directory is empty): the call"));
  const std::string skipped = dir_.Write("skipped.csv", "phone_number,display_name\n+1,\n+2,\n");
  auto all_skipped =
      Run({"lookup", "--config",
           WriteConfig("insecure_mode: true\ncsv_file_path: " + skipped + "\n"), "+1"});
  EXPECT_THAT(all_skipped.output, HasSubstr("directory: " + skipped +
                                            ": empty: all 2 row(s) skipped (callgate check says "
                                            "why)\n"));
  EXPECT_THAT(all_skipped.output, HasSubstr("result: no entry (the directory is empty)"));
}

// The usual reason for "no entry": UCM sends 14085550101 and the directory says +14085550101,
// or the other way round. lookup says so when the other form has an entry.
TEST_F(CliTest, LookupPointsOutALeadingPlusMismatch) {
  const std::string csv = dir_.Write("plus.csv",
                                     "phone_number,display_name,match_type\n"
                                     "+14085550101,Ada Lovelace,exact\n"
                                     "1212,New York City,prefix\n");
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n");
  auto added = Run({"lookup", "--config", config, "1 408 555 0101"});
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_THAT(added.output, HasSubstr("no entry"));
  EXPECT_THAT(added.output, HasSubstr("hint: +14085550101 would match the exact entry "
                                      "+14085550101 (\"Ada Lovelace\")"));
  auto removed = Run({"lookup", "--config", config, "+12125551001"});
  EXPECT_THAT(removed.output, HasSubstr("hint: 12125551001 would match the prefix entry 1212 "
                                        "(\"New York City\")"));
  auto neither = Run({"lookup", "--config", config, "+33123456789"});
  EXPECT_THAT(neither.output, Not(HasSubstr("hint:")));
}

// A prefix entry in one form can hide an exact entry written in the other: the call gets the
// prefix's name, and lookup says which exact entry the other form would have matched.
TEST_F(CliTest, LookupPointsOutAnExactEntryInTheOtherFormBehindAPrefixMatch) {
  const std::string csv = dir_.Write("prefix.csv",
                                     "phone_number,display_name,match_type\n"
                                     "+14085,SJ5,prefix\n"
                                     "14085550101,NoPlus,exact\n"
                                     "1212,New York City,prefix\n"
                                     "+12125,Manhattan,prefix\n");
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n");
  auto hidden = Run({"lookup", "--config", config, "+14085550101"});
  EXPECT_EQ(hidden.exit_code, 0) << hidden.output;
  EXPECT_THAT(hidden.output,
              HasSubstr("prefix match: \"SJ5\" (prefix entry +14085; no exact entry)\nhint: "
                        "14085550101 would match the exact entry 14085550101 (\"NoPlus\")"));
  // Another prefix in the other form is no better a match: no hint.
  auto prefixes = Run({"lookup", "--config", config, "+12125551001"});
  EXPECT_THAT(prefixes.output, HasSubstr("prefix match: \"Manhattan\""));
  EXPECT_THAT(prefixes.output, Not(HasSubstr("hint:")));
}

// A name is shown whole, but a quote in it cannot end the quoted name early nor a backslash
// pass for an escape; a character that would reorder the terminal's line (U+202E) is not in it:
// the directory removed it, so the phone does not get it either.
TEST_F(CliTest, LookupShowsNamesSafelyOnATerminal) {
  const std::string csv = dir_.Write("odd.csv",
                                     "phone_number,display_name\n+1,\"Ab\"\"c\\d\xE2\x80\xAE"
                                     "ef\"\n+2,Jos\xC3\xA9\n");
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + csv + "\n");
  auto odd = Run({"lookup", "--config", config, "+1"});
  EXPECT_EQ(odd.exit_code, 0) << odd.output;
  EXPECT_THAT(odd.output, HasSubstr("exact match: \"Ab\\\"c\\\\def\"\n"));
  EXPECT_THAT(odd.output, HasSubstr("callingname=\"Ab&amp;quot;c\\\\def\""));
  EXPECT_THAT(odd.output, Not(HasSubstr("\xE2\x80\xAE")));
  EXPECT_THAT(odd.output, Not(HasSubstr("\\xe2\\x80\\xae")));
  auto plain = Run({"lookup", "--config", config, "+2"});
  EXPECT_THAT(plain.output, HasSubstr("exact match: \"Jos\xC3\xA9\"\n"));  // UTF-8 as it is
}

// Started with stderr closed (a supervisor's `2>&-`), serve would have its next file or socket
// as descriptor 2, and write its console lines into it: /dev/null takes its place.
TEST_F(CliTest, ServeStartedWithStderrClosedWritesItsConsoleToDevNull) {
  const std::string config = WriteConfig(
      "insecure_mode: true\nlisten_host: 127.0.0.1\n"
      "listen_port: 0\nadmin_listen: \"\"\ncsv_file_path: " +
      Csv() + "\n");
  // Once it has its event descriptors and listener (6 or more open), what is descriptor 2?
  const std::string script =
      "\"$0\" --config \"$1\" 2>&- > /dev/null & p=$!; i=0; "
      "while [ $i -lt 100 ] && [ \"$(ls /proc/$p/fd 2> /dev/null | wc -l)\" -lt 6 ]; do "
      "sleep 0.1; i=$((i + 1)); done; readlink /proc/$p/fd/2; kill $p; wait $p; true";
  // (Its exit is not the point: a SIGTERM before it is ready ends it, and sh says "Terminated".)
  auto result = RunCommand({"/bin/sh", "-c", script, CallgateBinary(), config});
  EXPECT_EQ(result.output.substr(0, result.output.find('\n') + 1), "/dev/null\n") << result.output;
}

// lookup still answers for a configuration serve refuses, but says that serve would refuse it.
TEST_F(CliTest, LookupNotesThatServeWouldRefuseTheConfiguration) {
  const std::string config = WriteConfig("csv_file_path: " + Csv() + "\n");
  auto refused = Run({"lookup", "--config", config, "+14085550101"});
  EXPECT_EQ(refused.exit_code, 0) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("result: exact match: \"Ada Lovelace\""));
  EXPECT_THAT(refused.output, HasSubstr("note: serve would refuse to start with this "
                                        "configuration: " +
                                        config + ": callgate is secure by default"));
  auto allowed = Run({"lookup", "--config",
                      WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n"), "+1"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_THAT(allowed.output, Not(HasSubstr("note:")));
}

TEST_F(CliTest, ConfigErrorsNameFileLineAndKey) {
  const std::string config =
      WriteConfig("insecure_mode: true\nlisten_port: 5000\nmax_body_bytes: lots\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr(config + ":3"));
  EXPECT_THAT(result.output, HasSubstr("max_body_bytes"));
  EXPECT_THAT(result.output, HasSubstr("check: FAILED"));  // whatever failed, the last line says so
  // The reason is on stdout with the verdict: `check > report.txt` keeps both.
  auto report = RunCommand(
      {"/bin/sh", "-c", CallgateBinary() + " check --config '" + config + "' 2>/dev/null"});
  EXPECT_THAT(report.output, HasSubstr("config: " + config + ":3: key 'max_body_bytes'"));
  const std::string unknown = WriteConfig("insecure_mode: true\nflask_prot: 5000\n");
  auto typo = Run({"--config", unknown});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.output, HasSubstr(":2"));
  EXPECT_THAT(typo.output, HasSubstr("flask_prot"));
  // An empty --config (an unset shell variable) is not "no --config": nothing else is read.
  auto empty = Run({"check", "--config", ""});
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_THAT(empty.output, HasSubstr("--config needs a file name"));
  auto missing = Run({"--config", (dir_.path() / "nope.yaml").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("nope.yaml"));
}

// A listener serve could not bind: named by the key (and line) that set it, by check as well as
// by serve. Nothing is sent anywhere: a name under .invalid never resolves, and 192.0.2.1
// (TEST-NET-1) is not an address of this machine, so binding it fails at once.
TEST_F(CliTest, ListenersThatCannotBeBoundAreNamedByTheirKey) {
  const std::string head = "insecure_mode: true\ncsv_file_path: " + Csv() + "\n";
  for (const std::string key : {"listen_host", "flask_host"}) {
    const std::string unresolvable = WriteConfig(head + key + ": no-such-host.invalid\n");
    for (const auto& command : {std::vector<std::string>{"check", "--config", unresolvable},
                                std::vector<std::string>{"--config", unresolvable}}) {
      auto result = Run(command);
      EXPECT_EQ(result.exit_code, 1) << result.output;
      EXPECT_THAT(result.output, HasSubstr(unresolvable + ":3: key '" + key +
                                           "': cannot resolve 'no-such-host.invalid'"));
    }
  }

  // flask_port: 5001 is also admin_listen's default port: the line the file set is blamed, by
  // the name the file gave it.
  const std::string clash = WriteConfig(head + "flask_port: 5001\n");
  for (const auto& command : {std::vector<std::string>{"check", "--config", clash},
                              std::vector<std::string>{"--config", clash}}) {
    auto result = Run(command);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_THAT(result.output,
                HasSubstr(clash + ":3: key 'flask_port': flask_port and admin_listen both ask "
                                  "for port 5001 (0.0.0.0 and 127.0.0.1)"));
  }

  const std::string foreign =
      WriteConfig(head + "listen_host: 192.0.2.1\nlisten_port: 0\nadmin_listen: \"\"\n");
  // It resolves, but is not an address of this machine: check tries a bind to a port of the
  // system's choosing, which takes no port a running server holds.
  for (const auto& command : {std::vector<std::string>{"check", "--config", foreign},
                              std::vector<std::string>{"--config", foreign}}) {
    auto result = Run(command);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_THAT(result.output,
                HasSubstr(foreign + ":3: key 'listen_host': cannot listen on 192.0.2.1:0: Cannot "
                                    "assign requested address (it is not an address of this "
                                    "machine)"));
  }

  // A port taken on an IPv6 address is written as in a URL, so that the port stands apart.
  const int taken = socket(AF_INET6, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  socklen_t length = sizeof address;
  ASSERT_EQ(bind(taken, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(listen(taken, 1), 0);
  ASSERT_EQ(getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin6_port));
  const std::string in_use =
      WriteConfig(head + "listen_host: \"::1\"\nlisten_port: " + port + "\nadmin_listen: \"\"\n");
  auto result = Run({"--config", in_use});
  close(taken);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr(in_use + ":4: key 'listen_port': cannot listen on [::1]:" +
                                       port + ": Address already in use"));
}

// check is run beside the server it checks: a port that server holds is no error.
TEST_F(CliTest, CheckPassesWhileTheServerHoldsItsPorts) {
  const int held = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(held, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(held, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(listen(held, 1), 0);
  ASSERT_EQ(getsockname(held, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));
  const std::string config =
      WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() +
                  "\nlisten_host: 127.0.0.1\nlisten_port: " + port + "\nadmin_listen: \"\"\n");
  auto check = Run({"check", "--config", config});
  close(held);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_THAT(check.output, HasSubstr("listeners: 127.0.0.1:" + port + " (main)\n"));
}

TEST_F(CliTest, ConfigFileAndLogLevelComeFromTheEnvironmentToo) {
  const std::string config = WriteConfig("insecure_mode: true\ncsv_file_path: " + Csv() + "\n");
  auto result = RunCommand(
      {"/usr/bin/env", "CONFIG_FILE=" + config, "LOG_LEVEL=loud", CallgateBinary(), "check"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("LOG_LEVEL"));
  auto ok = RunCommand(
      {"/usr/bin/env", "CONFIG_FILE=" + config, "LOG_LEVEL=debug", CallgateBinary(), "check"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

// CONFIG_FILE may have been set long ago, where whoever reads the error does not look.
TEST_F(CliTest, AMissingConfigurationFileNamedByConfigFileSaysSo) {
  const std::string cwd = dir_.path().string();
  auto result = RunCommand({"/usr/bin/env", "-C", cwd, "CONFIG_FILE=nope.yaml", "/usr/bin/timeout",
                            "20", CallgateBinary(), "check"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output,
              HasSubstr("config: nope.yaml: cannot open the configuration file: No such file or "
                        "directory (named by the environment variable CONFIG_FILE) (a relative "
                        "path, looked for in " +
                        cwd + ")\n"));
  auto named = RunIn(dir_.path(), {"check", "--config", "nope.yaml"});
  EXPECT_EQ(named.exit_code, 1) << named.output;
  EXPECT_THAT(named.output, Not(HasSubstr("CONFIG_FILE")));
}

// Secure by default: each refusal exits non-zero before listening and says how to fix it.
class SecureByDefaultTest : public CliTest {
 protected:
  void SetUp() override {
    auto pki = RunCommand(
        {"/bin/bash", SourcePath("tests/integration/make_pki.sh"), pki_.path().string()});
    ASSERT_EQ(pki.exit_code, 0) << pki.output;
  }
  std::string Pki(const std::string& name) { return (pki_.path() / name).string(); }
  std::string Cluster(const std::string& ca_file) {
    return "clusters:\n  hq:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + ca_file +
           "\n    allowed_subjects: [cucm-pub.example.com]\n";
  }
  std::string Tls(const std::string& key) {
    return "tls_cert_file: " + Pki("server.crt") + "\ntls_key_file: " + key + "\n";
  }
  CommandResult Serve(const std::string& yaml) {
    return Run(
        {"--config", WriteConfig("listen_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n"
                                 "csv_file_path: " +
                                 Csv() + "\n" + yaml)});
  }
  TempDir pki_;
};

TEST_F(SecureByDefaultTest, RefusesWithoutTls) {
  auto result = Serve(Cluster(Pki("ca-a.crt")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("refusing to start"));
  EXPECT_THAT(result.output, Not(HasSubstr("config.yaml: refusing to start")));  // said once
  EXPECT_THAT(result.output, HasSubstr("tls_cert_file"));
  EXPECT_THAT(result.output, HasSubstr("setup-certs.sh"));
}

TEST_F(SecureByDefaultTest, RefusesWithoutACluster) {
  auto result = Serve(Tls(Pki("server.key")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("refusing to start"));
  EXPECT_THAT(result.output, HasSubstr("clusters"));
}

TEST_F(SecureByDefaultTest, RefusesALeafCertificateAsCaFile) {
  auto result = Serve(Tls(Pki("server.key")) + Cluster(Pki("leaf-as-ca.crt")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("leaf-as-ca.crt"));
  EXPECT_THAT(result.output, HasSubstr("leaf"));
}

TEST_F(SecureByDefaultTest, RefusesAnUnreadableKey) {
  const std::string garbage = pki_.Write("garbage.key", "not a key\n");
  auto result = Serve(Tls(garbage) + Cluster(Pki("ca-a.crt")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output, HasSubstr("garbage.key"));
  auto missing = Serve(Tls(Pki("absent.key")) + Cluster(Pki("ca-a.crt")));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("absent.key"));
}

// What serve would log about its TLS set-up at start-up, check prints too.
TEST_F(SecureByDefaultTest, CheckReportsTlsWarnings) {
  const std::string config = WriteConfig("csv_file_path: " + Csv() + "\n" + Tls(Pki("server.key")) +
                                         Cluster(Pki("ca-a.crt")) + "tls_legacy_ciphers: true\n");
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output,
              HasSubstr("security: TLS, 1 cluster(s), client certificates required"));
  EXPECT_THAT(result.output,
              HasSubstr("warning: TLS: tls_legacy_ciphers is on but the server key is not RSA"));
  EXPECT_THAT(result.output, HasSubstr("check: OK (2 warning(s))"));  // and the CSV's row 3
  auto strict = Run({"check", "--strict", "--config", config});
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
}

TEST_F(SecureByDefaultTest, CheckWarnsOfAServerCertificateAboutToExpire) {
  auto made = RunCommand({"/usr/bin/env", "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-noenc", "-days", "10", "-subj",
                          "/CN=localhost", "-keyout", Pki("soon.key"), "-out", Pki("soon.crt")});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string config =
      WriteConfig("csv_file_path: " + Csv() + "\ntls_cert_file: " + Pki("soon.crt") +
                  "\ntls_key_file: " + Pki("soon.key") + "\n" + Cluster(Pki("ca-a.crt")));
  auto result = Run({"check", "--config", config});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("warning: TLS: tls_cert_file '" + Pki("soon.crt") +
                                       "': the certificate expires on "));
  auto strict = Run({"check", "--strict", "--config", config});
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
}

// UCM refuses an expired server certificate, so serve refuses to start with one, and check
// fails where serve would (a reload refuses it too: tls_test).
TEST_F(SecureByDefaultTest, RefusesAnExpiredServerCertificate) {
  const std::string tls =
      "tls_cert_file: " + Pki("a-expired.crt") + "\ntls_key_file: " + Pki("a-expired.key") + "\n";
  auto serve = Serve(tls + Cluster(Pki("ca-a.crt")));
  EXPECT_EQ(serve.exit_code, 1) << serve.output;
  EXPECT_THAT(serve.output, HasSubstr("key 'tls_cert_file': '" + Pki("a-expired.crt") +
                                      "': the certificate expired on "));
  auto check =
      Run({"check", "--config",
           WriteConfig("csv_file_path: " + Csv() + "\n" + tls + Cluster(Pki("ca-a.crt")))});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_THAT(check.output, HasSubstr("the certificate expired on "));
  EXPECT_THAT(check.output, HasSubstr("check: FAILED"));
}

// One round of check names every security error, not only the one serve stops at: a key that
// is missing, every cluster's unusable ca_file (read by the authorizer and by the TLS context:
// said once), a cluster with subjects and no ca_file, and an admin listener off loopback.
TEST_F(SecureByDefaultTest, CheckNamesEverySecurityErrorAtOnce) {
  const std::string clusters =
      "clusters:\n  hq:\n    allowed_ips: [127.0.0.1]\n    ca_file: " + Pki("absent-hq.pem") +
      "\n    allowed_subjects: [cucm-pub]\n  branch:\n    allowed_ips: [127.0.0.2]\n"
      "    ca_file: " +
      Pki("leaf-as-ca.crt") +
      "\n    allowed_subjects: [cucm-sub]\n  lab:\n    allowed_ips: [127.0.0.3]\n"
      "    allowed_subjects: [cucm-lab]\n";
  const std::string config =
      WriteConfig("csv_file_path: " + Csv() + "\nadmin_listen: \"0.0.0.0:0\"\n" +
                  Tls(Pki("absent.key")) + clusters);
  auto check = Run({"check", "--config", config});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_THAT(check.output, HasSubstr("security: would refuse to start: " + config +
                                      ":2: key 'admin_listen': host '0.0.0.0'"));
  EXPECT_THAT(check.output, HasSubstr("security: would refuse to start: " + config +
                                      ":14: key 'clusters.lab': allowed_subjects is set but "
                                      "ca_file is not"));
  EXPECT_THAT(check.output, HasSubstr("security: " + config + ":8: key 'clusters.hq.ca_file': '" +
                                      Pki("absent-hq.pem") + "': cannot open"));
  EXPECT_THAT(check.output,
              HasSubstr("security: " + config + ":12: key 'clusters.branch.ca_file': '" +
                        Pki("leaf-as-ca.crt") + "': certificate #1"));
  EXPECT_THAT(check.output, HasSubstr("security: " + config + ":4: key 'tls_key_file': '" +
                                      Pki("absent.key") + "': cannot open"));
  EXPECT_THAT(check.output, HasSubstr("directory: "));  // and the rest of the report goes on
  EXPECT_THAT(check.output, HasSubstr("check: FAILED"));
  // With the key in place the TLS context reads the ca_files too, and stops at the same error.
  auto keyed =
      Run({"check", "--config",
           WriteConfig("csv_file_path: " + Csv() + "\n" + Tls(Pki("server.key")) + clusters)});
  EXPECT_EQ(keyed.exit_code, 1) << keyed.output;
  const std::string hq_error = "key 'clusters.hq.ca_file'";
  const std::size_t first = keyed.output.find(hq_error);
  ASSERT_NE(first, std::string::npos) << keyed.output;
  EXPECT_EQ(keyed.output.find(hq_error, first + 1), std::string::npos) << keyed.output;
}

// serve writes ca_bundle_path at start-up: a file callgate reads there would be lost (a ca_file
// left empty, the phone directory overwritten with PEM). check fails and serve refuses to start,
// naming ca_bundle_path and the key it collides with, and the file is left as it was. The paths
// are relative, read from the working directory, as the review found it.
TEST_F(SecureByDefaultTest, ACaBundlePathThatIsAFileCallgateReadsIsRefused) {
  struct Case {
    std::string bundle;
    std::string is;  // what the refusal says it is
  };
  for (const Case& c : {Case{"bund/ca.pem", "is the file clusters.hq.ca_file names (line 10)"},
                        Case{"./bund/../directory.csv",
                             "is the file csv_file_path names (line 6), 'directory.csv'"}}) {
    SCOPED_TRACE(c.bundle);
    dir_.Write("bund/ca.pem", ReadFile(Pki("ca-a.crt")));
    dir_.Write("directory.csv", "phone_number,display_name\n+14085550101,Ada Lovelace\n");
    const std::filesystem::path file = dir_.path() / std::filesystem::path(c.bundle);
    const std::string before = ReadFile(file.lexically_normal());
    const std::string config =
        WriteConfig("listen_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n" +
                    Tls(Pki("server.key")) + "csv_file_path: directory.csv\n" +
                    Cluster("bund/ca.pem") + "ca_bundle_path: " + c.bundle + "\n");
    const std::string refusal =
        config + ":12: key 'ca_bundle_path': '" + c.bundle + "' " + c.is +
        ": serve writes the combined CA bundle to ca_bundle_path at "
        "start-up and at each reload, which would overwrite it; give ca_bundle_path a file "
        "of its own, or remove it (callgate does not need the bundle)\n";
    auto check = RunIn(dir_.path(), {"check", "--config", config});
    EXPECT_EQ(check.exit_code, 1) << check.output;
    EXPECT_THAT(check.output, HasSubstr("config: " + refusal));
    EXPECT_THAT(check.output, HasSubstr("directory: "));  // the rest of the report goes on
    EXPECT_THAT(check.output, HasSubstr("check: FAILED"));
    auto serve = RunIn(dir_.path(), {"--config", config});
    EXPECT_EQ(serve.exit_code, 1) << serve.output;
    EXPECT_THAT(serve.output, HasSubstr("callgate: refusing to start: " + refusal));
    EXPECT_EQ(ReadFile(file.lexically_normal()), before) << "byte for byte";
    auto lookup = RunIn(dir_.path(), {"lookup", "--config", config, "+14085550101"});
    EXPECT_EQ(lookup.exit_code, 0) << lookup.output;
    EXPECT_THAT(lookup.output,
                HasSubstr("note: serve would refuse to start with this configuration: " + refusal));
  }
}

// A private key other users can read is theirs too: check and start-up warn, and say the fix.
TEST_F(SecureByDefaultTest, CheckAndServeWarnOfAKeyOtherUsersCanRead) {
  const std::string key = pki_.Write("readable.key", ReadFile(Pki("server.key")));
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  const std::string yaml = "listen_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: \"\"\n" +
                           Tls(key) + Cluster(Pki("ca-a.crt"));
  const std::string warning = "TLS: tls_key_file '" + key +
                              "': the private key is readable by its group and other users (mode "
                              "0644); make it readable by callgate's user alone: chmod 600 '" +
                              key + "', and chown it to that user";
  const std::string config = WriteConfig("csv_file_path: " + Csv() + "\n" + yaml);
  auto check = Run({"check", "--config", config});
  EXPECT_EQ(check.exit_code, 0) << check.output;  // a warning, not an error
  EXPECT_THAT(check.output, HasSubstr("  warning: " + warning));
  EXPECT_THAT(check.output, HasSubstr("check: OK (2 warning(s))"));  // and the CSV's row 3
  auto serve = CallgateProcess::Start(dir_, "csv_file_path: " + Csv() + "\n" + yaml);
  ASSERT_NE(serve, nullptr);
  EXPECT_THAT(serve->output(), HasSubstr("[warning] callgate: " + warning));
  EXPECT_EQ(serve->Stop(), 0);
  ASSERT_EQ(chmod(key.c_str(), 0600), 0);
  auto private_key = Run({"check", "--config", config});
  EXPECT_THAT(private_key.output, Not(HasSubstr("tls_key_file '")));
}

TEST_F(SecureByDefaultTest, StrictCheckPassesWithoutWarnings) {
  const std::string csv = pki_.Write("clean.csv", "phone_number,display_name\n+14085550101,Ada\n");
  auto result = Run({"check", "--strict", "--config",
                     WriteConfig("csv_file_path: " + csv + "\n" + Tls(Pki("server.key")) +
                                 Cluster(Pki("ca-a.crt")))});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("check: OK\n"));
}

TEST_F(SecureByDefaultTest, InsecureModePrintsABanner) {
  const std::string config = WriteConfig(
      "insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\n"
      "admin_listen: \"\"\ncsv_file_path: " +
      Csv() + "\n");
  auto process = CallgateProcess::Start(dir_, ReadFile(config));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->output(), HasSubstr("WARNING: insecure_mode is on"));
  EXPECT_EQ(process->Stop(), 0);
}

}  // namespace
}  // namespace callgate::testing
