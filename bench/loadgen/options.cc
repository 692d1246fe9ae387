#include "options.h"

#include <charconv>
#include <functional>
#include <string_view>

namespace callgate::loadgen {
namespace {

// One command-line option: its long and short names and how it stores its value. Options
// without a value are flags. A table keeps the parser a loop instead of a chain of ifs.
struct Spec {
  std::string_view long_name;
  std::string_view short_name;
  std::function<bool(Options&, std::string_view)> set;  // nullptr: flag, see `flag`
  std::function<void(Options&)> flag;
};

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::function<bool(Options&, std::string_view)> Int(int Options::*field, int min, int max) {
  return [=](Options& o, std::string_view v) {
    int n = 0;
    if (!ParseNumber(v, n) || n < min || n > max) return false;
    o.*field = n;
    return true;
  };
}

std::function<bool(Options&, std::string_view)> Real(double Options::*field, double min) {
  return [=](Options& o, std::string_view v) {
    double d = 0;
    if (!ParseNumber(v, d) || !(d >= min)) return false;
    o.*field = d;
    return true;
  };
}

std::function<bool(Options&, std::string_view)> Text(std::string Options::*field) {
  return [=](Options& o, std::string_view v) {
    o.*field = std::string(v);
    return !v.empty();
  };
}

std::function<bool(Options&, std::string_view)> Append(std::vector<std::string> Options::*field) {
  return [=](Options& o, std::string_view v) {
    (o.*field).emplace_back(v);
    return !v.empty();
  };
}

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = {
      {"--connections", "-c", Int(&Options::connections, 1, 100000), nullptr},
      {"--threads", "-t", Int(&Options::threads, 1, 256), nullptr},
      {"--duration", "-d", Real(&Options::duration_seconds, 0.001), nullptr},
      {"--requests", "-n",
       [](Options& o, std::string_view v) { return ParseNumber(v, o.requests) && o.requests > 0; },
       nullptr},
      {"--warmup", "", Real(&Options::warmup_seconds, 0), nullptr},
      {"--rate", "-R", Real(&Options::rate, 0), nullptr},
      {"--body", "-b", Append(&Options::body_files), nullptr},
      {"--method", "-m", Text(&Options::method), nullptr},
      {"--header", "-H", Append(&Options::headers), nullptr},
      {"--cert", "", Text(&Options::cert_file), nullptr},
      {"--key", "", Text(&Options::key_file), nullptr},
      {"--cacert", "", Text(&Options::cacert_file), nullptr},
      {"--servername", "", Text(&Options::servername), nullptr},
      {"--tls-version", "",
       [](Options& o, std::string_view v) {
         o.tls_version = std::string(v);
         return v == "1.2" || v == "1.3";
       },
       nullptr},
      {"--handshakes", "", nullptr, [](Options& o) { o.handshakes = true; }},
      {"--json", "", nullptr, [](Options& o) { o.json = true; }},
      {"--max-error-rate", "", Real(&Options::max_error_rate, 0), nullptr},
      {"--timeout", "", Real(&Options::timeout_seconds, 0.001), nullptr},
      {"--expect-status", "", Int(&Options::expect_status, 100, 599), nullptr},
  };
  return specs;
}

const Spec* Find(std::string_view name) {
  for (const Spec& spec : Specs()) {
    if (name == spec.long_name || (!spec.short_name.empty() && name == spec.short_name)) {
      return &spec;
    }
  }
  return nullptr;
}

// Applies one option; `value` is the text after '=' or the next argument. Returns an error
// message or "". `consumed` tells whether the next argument was used.
std::string Apply(const Spec& spec, std::string_view name, const char* next, bool& consumed,
                  Options& options) {
  if (spec.flag) {
    spec.flag(options);
    return "";
  }
  if (next == nullptr) return "option " + std::string(name) + " needs a value";
  consumed = true;
  if (!spec.set(options, next)) {
    return "invalid value '" + std::string(next) + "' for " + std::string(name);
  }
  return "";
}

std::string CheckConsistency(const Options& o) {
  if (o.url.empty()) return "missing URL";
  if (o.cert_file.empty() != o.key_file.empty()) return "--cert and --key go together";
  if (o.max_error_rate > 1) return "--max-error-rate is a fraction in [0, 1]";
  return "";
}

}  // namespace

ParsedOptions ParseOptions(int argc, const char* const* argv) {
  ParsedOptions parsed;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
      return parsed;
    }
    if (arg.empty() || arg[0] != '-') {
      if (!parsed.options.url.empty()) parsed.error = "more than one URL";
      parsed.options.url = std::string(arg);
      if (!parsed.error.empty()) return parsed;
      continue;
    }
    // --name=value and -Xvalue are the same as --name value and -X value.
    const bool attached_short = arg.size() > 2 && arg[1] != '-';
    std::string_view name = attached_short ? arg.substr(0, 2) : arg.substr(0, arg.find('='));
    std::string inline_value;
    const bool has_inline = name.size() != arg.size();
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (has_inline) {
      inline_value = std::string(arg.substr(name.size() + (attached_short ? 0 : 1)));
      next = inline_value.c_str();
    }
    const Spec* spec = Find(name);
    if (spec == nullptr) {
      parsed.error = "unknown option " + std::string(name);
      return parsed;
    }
    bool consumed = false;
    parsed.error = Apply(*spec, name, next, consumed, parsed.options);
    if (!parsed.error.empty()) return parsed;
    if (consumed && !has_inline) ++i;
  }
  parsed.error = CheckConsistency(parsed.options);
  return parsed;
}

std::string Usage() {
  return R"(usage: callgate-loadgen [options] URL
HTTP/1.1 load client for callgate benchmarks. URL is http://HOST:PORT/PATH or https://...;
HOST must resolve to loopback (127.0.0.0/8 or ::1) only.

Load:
  -c, --connections N   keep-alive connections, one request in flight each (16)
  -t, --threads N       I/O threads (1)
  -d, --duration S      measured seconds (10)
  -n, --requests N      measure N requests instead of a duration
      --warmup S        seconds of load before measuring, not counted (1)
  -R, --rate R          open loop: R requests/s in total, request i scheduled at
                        start + i/R, latency measured from the scheduled time (0: closed loop)
      --handshakes      new connection (full TCP+TLS handshake) for every request
Request:
  -b, --body FILE       POST body; repeat for several, used round-robin
  -m, --method M        method (POST with a body, HEAD without)
  -H, --header 'N: V'   extra request header (repeatable)
TLS (https://):
      --cert FILE --key FILE   client certificate and key (mutual TLS)
      --cacert FILE     verify the server certificate against this CA (else no verification)
      --servername NAME SNI and name to verify (default: the URL's host)
      --tls-version V   1.2 or 1.3 only (default: either)
Result:
      --json            print one JSON line
      --expect-status N status counted as success (200)
      --max-error-rate F exit 1 when more than this fraction of requests failed (0)
      --timeout S       limit on each connect, handshake, write and read (5); in open
                        loop also on how late a request may be sent (else it fails, unsent)
Exit status: 0 success, 1 too many errors or no request completed, 2 usage or setup error.
)";
}

}  // namespace callgate::loadgen
