// Options: the command line of callgate-loadgen, parsed into a plain struct with defaults.
// Parsing never throws and never touches the network or the filesystem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace callgate::loadgen {

struct Options {
  std::string url;                      // http://HOST:PORT/PATH or https://...
  int connections = 16;                 // keep-alive connections, each one request at a time
  int threads = 1;                      // I/O threads; connections are spread round-robin
  double duration_seconds = 10;         // measured period (ignored when requests > 0)
  std::uint64_t requests = 0;           // measured request count instead of a duration (0: off)
  double warmup_seconds = 1;            // load before measuring; not counted
  double rate = 0;                      // open loop: total requests/s (0: closed loop, max rate)
  std::vector<std::string> body_files;  // POST bodies, used round-robin
  std::string method;                   // "" = POST with bodies, HEAD without
  std::vector<std::string> headers;     // extra "Name: value" request headers
  std::string cert_file;                // client certificate (PEM chain) for mutual TLS
  std::string key_file;                 // its private key
  std::string cacert_file;              // verify the server against this CA (off when empty)
  std::string servername;               // SNI and verified name ("" = the URL's host)
  std::string tls_version;              // "" (1.2 or 1.3), "1.2" or "1.3"
  bool handshakes = false;              // a new connection (full handshake) for every request
  bool json = false;                    // one JSON line instead of the text report
  double max_error_rate = 0;            // fraction of failed requests tolerated (exit 1 beyond)
  double timeout_seconds = 5;           // connect, handshake, write and read, each
  int expect_status = 200;              // any other status is an error
};

// What ParseOptions found: options, a request for help, or an error message.
struct ParsedOptions {
  Options options;
  bool help = false;
  std::string error;  // empty on success
};

// Parses argv (argv[0] is skipped). Values are range-checked; the URL is only checked to be
// present (see ParseUrl).
ParsedOptions ParseOptions(int argc, const char* const* argv);

// The --help text.
std::string Usage();

}  // namespace callgate::loadgen
