// ParseConfig on invalid input: every kind of error, with the line and key it must name.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace callgate::config {
namespace {

using ::testing::HasSubstr;

struct ErrorCase {
  std::string yaml;
  int line;            // 1-based
  std::string key;     // as reported
  std::string substr;  // part of the message
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.yaml; }

class ParseErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, NamesFileLineKeyAndWhatIsExpected) {
  const ErrorCase& c = GetParam();
  Result<Config> config = ParseConfig(c.yaml, "bad.yaml");
  ASSERT_FALSE(config.ok()) << "accepted: " << c.yaml;
  const Error& error = config.error();
  EXPECT_EQ(error.file, "bad.yaml");
  EXPECT_EQ(error.line, c.line) << error.ToString();
  EXPECT_EQ(error.key, c.key) << error.ToString();
  EXPECT_NE(error.message.find(c.substr), std::string::npos) << error.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Structure, ParseErrorTest,
    testing::Values(
        ErrorCase{"- a\n- b\n", 1, "",
                  "expected a mapping of key: value at the top level, got a list"},
        ErrorCase{"just text\n", 1, "", "at the top level, got 'just text'"},
        ErrorCase{"log_level: INFO\n---\nlog_level: DEBUG\n", 2, "",
                  "expected one YAML document, found more"},
        ErrorCase{"log_level: INFO\nclusters: [a,\n", 3, "", "invalid YAML"},
        ErrorCase{"a: b: c\n", 1, "", "invalid YAML"},
        // yaml-cpp's words, and what usually causes them.
        ErrorCase{"clusters:\n  hq:\n\tallowed_ips: [10.0.0.1]\n", 3, "",
                  "; line 3 is indented with a tab, and YAML indents with spaces only"},
        ErrorCase{"log_level: INFO\n # a comment\t\n\t# indented with a tab\nhttp_listen: "
                  "[::1]:5000\n",
                  4, "",
                  "(column 19); a value that starts with '[' is a YAML list or mapping: put a "
                  "value meant as text in quotes"},
        // Lines that end in a lone CR (an old Mac's) are lines, as in PyYAML.
        ErrorCase{"log_level: INFO\rcolour: blue\r", 2, "colour", "unknown key"},
        ErrorCase{"log_level: INFO\r\rcsv_file_path: d\x01.csv\r", 3, "",
                  "(byte 0x01) at column 17"},
        // yaml-cpp 0.7's LoadAll loops forever on this (see src/config/yaml_document.cc).
        ErrorCase{",a: 1\n", 1, "", "invalid YAML: unexpected ',' (column 1)"},
        ErrorCase{"log_level: INFO\n---\n,\n", 2, "", "expected one YAML document, found more"},
        ErrorCase{"? [x]\n: 1\n", 1, "", "expected a key name, got a list"},
        ErrorCase{"listen_port: 1\nlog_dir: x\nlisten_port: 2\n", 3, "listen_port",
                  "duplicate key (first set on line 1)"},
        ErrorCase{"{log_dir: a, log_dir: b}", 1, "log_dir", "duplicate key"},
        ErrorCase{"listen_port: 1\nflask_port: 2\n", 2, "flask_port",
                  "flask_port is an alias of listen_port, which is already set on line 1"},
        ErrorCase{"flask_host: 0.0.0.0\n\nlisten_host: '::'\n", 3, "listen_host",
                  "listen_host is already set on line 1 by its alias flask_host; set only one"},
        ErrorCase{"log_level: INFO\nlisten_prot: 5000\n", 2, "listen_prot",
                  "unknown key; did you mean 'listen_port'?"},
        ErrorCase{"Log_Level: INFO\n", 1, "Log_Level", "did you mean 'log_level'?"},
        ErrorCase{"colour: blue\n", 1, "colour", "unknown key (every key is listed in"},
        ErrorCase{"allowed_ips: [10.0.0.1]\n", 1, "allowed_ips", "belongs inside a cluster"},
        // Not UTF-8 (Latin-1, a cut sequence, an overlong '/', a surrogate), even in a comment;
        // the column counts characters.
        ErrorCase{"log_level: INFO\n# caf\xe9\n", 2, "",
                  "the file is not UTF-8: byte 0xE9 at column 6 is not valid UTF-8"},
        ErrorCase{"clusters:\n  \xc3\xa9t\xc3\xa9:\n    allowed_subjects: [\xe2\x82]\n", 3, "",
                  "byte 0xE2 at column 24"},
        ErrorCase{"log_dir: /tmp\xc0\xaf\n", 1, "", "byte 0xC0 at column 14"},
        ErrorCase{"log_dir: \xed\xa0\x80\n", 1, "", "byte 0xED at column 10"},
        // Control characters other than tab, CR and LF, even in a comment or a quoted string
        // (yaml-cpp read "d<NUL>/x.csv" as "d/x.csv").
        ErrorCase{std::string("log_level: INFO\ncsv_file_path: d\0/x.csv\n", 34), 2, "",
                  "control character (byte 0x00) at column 17, which YAML does not allow"},
        ErrorCase{"# \x1b[31m\nlog_level: INFO\n", 1, "", "(byte 0x1B) at column 3"},
        ErrorCase{"log_dir: 'a\x7f'\n", 1, "", "(byte 0x7F) at column 12"}));

INSTANTIATE_TEST_SUITE_P(
    Values, ParseErrorTest,
    testing::Values(
        ErrorCase{"insecure_mode: maybe\n", 1, "insecure_mode",
                  "expected true or false, got 'maybe'"},
        ErrorCase{"insecure_mode: \"false\"\n", 1, "insecure_mode",
                  "expected true or false without quotes, got the quoted string 'false'"},
        // A string to PyYAML, so false to the Python service, which tested `is True`.
        ErrorCase{"insecure_mode: !!str true\n", 1, "insecure_mode",
                  "expected true or false without a tag, got 'true' tagged '!!str'"},
        ErrorCase{"insecure_mode: !local true\n", 1, "insecure_mode", "got 'true' tagged '!local'"},
        ErrorCase{"obfuscate_pii: 1\n", 1, "obfuscate_pii", "expected true or false"},
        ErrorCase{"tls_legacy_ciphers: [true]\n", 1, "tls_legacy_ciphers", "got a list"},
        ErrorCase{"admin_listen_allow_remote:\n", 1, "admin_listen_allow_remote",
                  "got an empty value"},
        ErrorCase{"csv_file_path:\n", 1, "csv_file_path", "expected a file path"},
        ErrorCase{"csv_file_path: ''\n", 1, "csv_file_path", "expected a file path"},
        ErrorCase{"csv_file_path: \"a\\nb\"\n", 1, "csv_file_path", "got 'a\\x0ab'"},
        ErrorCase{"log_dir: {a: 1}\n", 1, "log_dir", "got a mapping"},
        ErrorCase{"log_level: VERBOSE\n", 1, "log_level",
                  "expected DEBUG, INFO, WARNING or ERROR (any case; WARN and CRITICAL are also "
                  "accepted), got 'VERBOSE'"},
        ErrorCase{"log_level: INFO\nconsole_log_level: VERBOSE\n", 2, "console_log_level",
                  "expected DEBUG, INFO, WARNING or ERROR (any case; WARN and CRITICAL are also "
                  "accepted), got 'VERBOSE'"},
        ErrorCase{"console_log_level: [WARNING]\n", 1, "console_log_level", "got a list"},
        ErrorCase{"console_log_level: 3\n", 1, "console_log_level", "got '3'"},
        ErrorCase{"log_max_bytes: 100\n", 1, "log_max_bytes",
                  "expected an integer from 1024 to 1099511627776, got '100'"},
        ErrorCase{"log_max_bytes: 10MB\n", 1, "log_max_bytes",
                  "got '10MB' (write the number of bytes alone, without a unit)"},
        ErrorCase{"read_timeout_seconds: 30 s\n", 1, "read_timeout_seconds",
                  "got '30 s' (write the number of seconds alone, without a unit)"},
        ErrorCase{"max_connections: 1k\n", 1, "max_connections",
                  "got '1k' (write the number alone, without a unit)"},
        ErrorCase{"max_body_bytes: 1.5\n", 1, "max_body_bytes", "got '1.5' (write a whole number)"},
        ErrorCase{"log_backup_count: 0\n", 1, "log_backup_count", "from 1 to 1000"},
        ErrorCase{"listen_host: 10.1.300.1\n", 1, "listen_host",
                  "expected an IP address (0.0.0.0, ::, 127.0.0.1) or a host name"},
        ErrorCase{"flask_host: 'bad host'\n", 1, "flask_host", "got 'bad host'"},
        ErrorCase{"listen_port: 65536\n", 1, "listen_port", "expected an integer from 0 to 65535"},
        ErrorCase{"flask_port: -1\n", 1, "flask_port", "from 0 to 65535, got '-1'"},
        ErrorCase{"listen_port: 050\n", 1, "listen_port",
                  "got '050' (write it without leading zeros: YAML 1.1, as the Python service "
                  "read it, takes them for an octal number)"},
        // Integers to PyYAML, so to the Python service.
        ErrorCase{"log_max_bytes: 10_485_760\n", 1, "log_max_bytes",
                  "got '10_485_760' (write it without '_')"},
        ErrorCase{"listen_port: +5000\n", 1, "listen_port", "got '+5000' (write it without '+')"},
        ErrorCase{"listen_port: 08080\n", 1, "listen_port",
                  "got '08080' (write it without leading zeros)"},
        ErrorCase{"listen_port: 5000.0\n", 1, "listen_port", "got '5000.0' (write a whole number)"},
        ErrorCase{"listen_port: 99999999999999999999\n", 1, "listen_port", "from 0 to 65535"},
        ErrorCase{"tls_cert_file: [a]\n", 1, "tls_cert_file", "expected a file path"},
        ErrorCase{"curri_paths: /curri\n", 1, "curri_paths",
                  "got '/curri'; a list is written in brackets, [a, b], or one '- item' per "
                  "line"},
        ErrorCase{"curri_paths: []\n", 1, "curri_paths", "expected a list of 1 to 64 URL paths"},
        ErrorCase{"curri_paths:\n  - /curri\n  - curri2\n", 3, "curri_paths", "starting with '/'"},
        ErrorCase{"curri_paths: ['/a b']\n", 1, "curri_paths", "got '/a b'"},
        ErrorCase{"curri_paths:\n  - /curri\n  - /health\n", 3, "curri_paths",
                  "'/health' is callgate's health check and cannot be a CURRI path"},
        ErrorCase{"curri_paths: ['/a?x=1']\n", 1, "curri_paths", "URL path"},
        ErrorCase{"curri_paths:\n  - /a\n  - /a\n", 3, "curri_paths", "duplicate path '/a'"},
        // The router answers /a/ as /a, and /health/ as /health.
        ErrorCase{"curri_paths: [/a/, /a]\n", 1, "curri_paths",
                  "duplicate path '/a' (a path with a '/' at the end is the path without it)"},
        ErrorCase{"curri_paths: [/health/]\n", 1, "curri_paths",
                  "'/health/' is callgate's health check"},
        ErrorCase{"curri_paths: [[/a]]\n", 1, "curri_paths", "each element to be"},
        ErrorCase{"worker_threads: 257\n", 1, "worker_threads", "from 0 to 256"},
        ErrorCase{"pin_worker_threads: 2\n", 1, "pin_worker_threads", "expected true or false"},
        ErrorCase{"max_body_bytes: 0\n", 1, "max_body_bytes", "from 1024 to 16777216"},
        ErrorCase{"max_header_bytes: 2097152\n", 1, "max_header_bytes", "from 1024 to 1048576"},
        ErrorCase{"read_timeout_seconds: 0\n", 1, "read_timeout_seconds", "from 1 to 3600"},
        ErrorCase{"idle_timeout_seconds: 86401\n", 1, "idle_timeout_seconds", "from 1 to 86400"},
        ErrorCase{"max_connections: 0\n", 1, "max_connections", "from 1 to 100000"},
        ErrorCase{"shutdown_timeout_seconds: 301\n", 1, "shutdown_timeout_seconds",
                  "from 1 to 300"},
        ErrorCase{"http_listen: 8080\n", 1, "http_listen", "the port is missing"},
        ErrorCase{"http_listen: ':8080'\n", 1, "http_listen", "the host is missing"},
        ErrorCase{"http_listen: '::1:8080'\n", 1, "http_listen", "needs brackets"},
        ErrorCase{"admin_listen: '[10.0.0.1]:80'\n", 1, "admin_listen", "not an IP address"},
        ErrorCase{"admin_listen: 'localhost:http'\n", 1, "admin_listen", "from 0 to 65535"},
        ErrorCase{"admin_listen: '127.0.0.1:05001'\n", 1, "admin_listen",
                  "from 0 to 65535, without leading zeros"},
        ErrorCase{"admin_listen: '[::1]'\n", 1, "admin_listen", "the port is missing"},
        ErrorCase{
            "admin_listen:\n", 1, "admin_listen",
            "expected \"host:port\", \"[ipv6]:port\" or \"\" to disable, got an empty value"}));

INSTANTIATE_TEST_SUITE_P(
    Clusters, ParseErrorTest,
    testing::Values(
        ErrorCase{"clusters: [hq]\n", 1, "clusters",
                  "expected a mapping of cluster name to its rules, got a list"},
        ErrorCase{"clusters:\n  \"a\\tb\": {}\n", 2, "clusters.a\\x09b",
                  "expected a cluster name (no control characters, at most 128 bytes)"},
        ErrorCase{"clusters:\n  hq:\n", 2, "clusters.hq",
                  "expected a mapping with allowed_ips, ca_file and/or allowed_subjects"},
        ErrorCase{"clusters:\n  hq: {}\n  hq: {}\n", 3, "clusters.hq", "duplicate key"},
        // Merge keys: what they merge is checked where it is written, under the merging key.
        ErrorCase{"clusters:\n  a: &a {allowed_ips: [10.0.0.1]}\n  b:\n    <<: *a\n"
                  "    <<: *a\n",
                  5, "clusters.b.<<", "duplicate merge key (first on line 4)"},
        ErrorCase{"clusters:\n  a: {<<: 5}\n", 2, "clusters.a.<<",
                  "a merge key takes a mapping or a list of mappings (<<: *base or <<: [*a, "
                  "*b]), got '5'"},
        ErrorCase{"clusters:\n  a: &a {allowed_ips: [10.0.0.1]}\n<<: *a\n", 2, "allowed_ips",
                  "allowed_ips belongs inside a cluster"},
        ErrorCase{"clusters:\n  a: {'<<': {}}\n", 2, "clusters.a.<<", "unknown key in a cluster"},
        // Aliases can make a short file merge very many entries: 8 × 8 × 8 × 8 × 3 here.
        ErrorCase{"clusters:\n"
                  "  a: &a {allowed_ips: [10.0.0.1], ca_file: c.pem, allowed_subjects: [x]}\n"
                  "  b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a]}\n"
                  "  c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b]}\n"
                  "  d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c]}\n"
                  "  e: {<<: [*d, *d, *d, *d, *d, *d, *d, *d]}\n",
                  6, "clusters.e.<<", "merge keys bring in more than 4096 entries"},
        ErrorCase{"clusters:\n  hq:\n    allowed_ip: [10.0.0.1]\n", 3, "clusters.hq.allowed_ip",
                  "unknown key in a cluster (expected allowed_ips, ca_file or allowed_subjects); "
                  "did you mean 'allowed_ips'?"},
        ErrorCase{"clusters:\n  hq:\n    log_level: INFO\n", 3, "clusters.hq.log_level",
                  "is a top-level key"},
        ErrorCase{"clusters:\n  hq:\n    allowed_ips:\n      - 10.1.1.10\n      - 10.1.300.1\n", 5,
                  "clusters.hq.allowed_ips",
                  "expected an IPv4 or IPv6 address or a CIDR network (such as 10.1.2.0/24), got "
                  "'10.1.300.1'"},
        ErrorCase{"clusters: {hq: {allowed_ips: [10.0.0.0/33]}}", 1, "clusters.hq.allowed_ips",
                  "got '10.0.0.0/33'"},
        ErrorCase{"clusters: {hq: {allowed_ips: ['::/129']}}", 1, "clusters.hq.allowed_ips",
                  "got '::/129'"},
        ErrorCase{"clusters: {hq: {allowed_ips: [10.0.0.0/]}}", 1, "clusters.hq.allowed_ips",
                  "CIDR"},
        ErrorCase{"clusters: {hq: {allowed_ips: [cucm.example.com]}}", 1, "clusters.hq.allowed_ips",
                  "got 'cucm.example.com'"},
        ErrorCase{"clusters: {hq: {allowed_ips: ['fe80::1%eth0']}}", 1, "clusters.hq.allowed_ips",
                  "CIDR"},
        // Refused at start-up before allowed_ips was checked with IpNetwork::Parse.
        ErrorCase{"clusters:\n  hq:\n    allowed_ips:\n      - 10.1.1.10\n"
                  "      - '::ffff:10.0.0.0/64'\n",
                  5, "clusters.hq.allowed_ips",
                  "got '::ffff:10.0.0.0/64': an IPv4-mapped network (::ffff:a.b.c.d) needs a "
                  "prefix length of at least 96"},
        ErrorCase{"clusters: {hq: {allowed_ips: ['10.0.0.0/-0']}}", 1, "clusters.hq.allowed_ips",
                  "got '10.0.0.0/-0': the prefix length after '/' must be a number of bits"},
        ErrorCase{"clusters: {hq: {allowed_ips: ['10.1.1.10 ']}}", 1, "clusters.hq.allowed_ips",
                  "got '10.1.1.10 ': it contains whitespace"},
        ErrorCase{"clusters: {hq: {allowed_ips: 10.0.0.1}}", 1, "clusters.hq.allowed_ips",
                  "expected a list of"},
        // Indented one level too little or too much.
        ErrorCase{"clusters:\n  allowed_ips: [10.0.0.1]\n", 2, "clusters.allowed_ips",
                  "got a list; allowed_ips is a rule of a cluster: name the cluster first "
                  "(clusters: -> NAME: -> allowed_ips:)"},
        ErrorCase{"clusters:\n  hq: {allowed_ips: [10.0.0.1]}\n  max_connections: 50\n", 3,
                  "clusters.max_connections",
                  "got '50'; max_connections is a top-level key: move it out of clusters:"},
        ErrorCase{"clusters: {hq: {ca_file: [a, b]}}", 1, "clusters.hq.ca_file",
                  "expected the path of the cluster's CA certificates (PEM), got a list"},
        ErrorCase{"clusters: {hq: {ca_file: ''}}", 1, "clusters.hq.ca_file",
                  "got the quoted string ''"},
        ErrorCase{"clusters:\n  hq:\n    allowed_subjects:\n      - ''\n", 4,
                  "clusters.hq.allowed_subjects", "expected a certificate CN or SAN value"},
        // Blank: the authorizer compares subjects trimmed, so this would be no subject at all.
        ErrorCase{"clusters:\n  hq:\n    ca_file: c.pem\n    allowed_subjects: [x, ' ']\n", 4,
                  "clusters.hq.allowed_subjects",
                  "expected a certificate CN or SAN value (not blank, at most 256 bytes), got"},
        ErrorCase{"clusters:\n  hq:\n    allowed_subjects:\n      - {cn: x}\n", 4,
                  "clusters.hq.allowed_subjects", "got a mapping"}));

// Every error of the file at once, in file order (a cluster's among them, in place), so that an
// administrator does not fix one and restart to find the next; an entry that fails does not
// keep the others from being read.
TEST(ParseErrorsTest, EveryBadKeyIsReportedInFileOrder) {
  Result<Config> config = ParseConfig(
      "listen_port: http\n"            // 1
      "log_levle: INFO\n"              // 2
      "clusters:\n"                    // 3
      "  hq:\n"                        // 4
      "    allowed_ips: [10.1.2.3]\n"  // 5: fine
      "    ca_fil: x.pem\n"            // 6
      "  east: 7\n"                    // 7
      "worker_threads: 2\n"            // 8: fine
      "obfuscate_pii: maybe\n"         // 9
      "listen_port: 5000\n",           // 10
      "bad.yaml");
  ASSERT_FALSE(config.ok());
  std::vector<std::pair<int, std::string>> found{{config.error().line, config.error().key}};
  for (const Error& more : config.error().more) {
    EXPECT_TRUE(more.more.empty()) << more.ToString();
    EXPECT_EQ(more.file, "bad.yaml");
    found.emplace_back(more.line, more.key);
  }
  const std::vector<std::pair<int, std::string>> expected{
      {1, "listen_port"},   {2, "log_levle"},     {6, "clusters.hq.ca_fil"},
      {7, "clusters.east"}, {9, "obfuscate_pii"}, {10, "listen_port"}};
  EXPECT_EQ(found, expected) << config.error().AllToString("");
  EXPECT_THAT(config.error().more.back().message, HasSubstr("duplicate key (first set on line 1)"));
}

// The (line, key) of each error ParseConfig finds in `yaml`, first to last.
std::vector<std::pair<int, std::string>> ErrorsIn(const std::string& yaml) {
  Result<Config> config = ParseConfig(yaml, "bad.yaml");
  if (config.ok()) return {};
  std::vector<std::pair<int, std::string>> found{{config.error().line, config.error().key}};
  for (const Error& more : config.error().more) found.emplace_back(more.line, more.key);
  return found;
}

using Found = std::vector<std::pair<int, std::string>>;

// Merged entries are read like a mapping's own, reported at the line they are written on and
// in file order; an entry that fails still counts as set, so that nothing else is blamed for it.
TEST(ParseErrorsTest, MergedEntriesAliasesAndDuplicatesReportEveryErrorOnce) {
  EXPECT_EQ(ErrorsIn("clusters:\n"
                     "  hq: &hq\n"
                     "    allowed_ips: [10.1.2.300]\n"  // 3, in hq and merged into east
                     "    ca_fil: x\n"                  // 4, the same
                     "  east:\n"
                     "    <<: *hq\n"
                     "    allowed_subject: y\n"),  // 7
            (Found{{3, "clusters.hq.allowed_ips"},
                   {3, "clusters.east.allowed_ips"},
                   {4, "clusters.hq.ca_fil"},
                   {4, "clusters.east.ca_fil"},
                   {7, "clusters.east.allowed_subject"}}));
  // east's own allowed_ips fails: the merged one is not read in its place.
  EXPECT_EQ(ErrorsIn("clusters:\n"
                     "  hq: &hq\n"
                     "    allowed_ips: [10.1.2.3]\n"
                     "    ca_fil: x\n"  // 4, in hq and merged into east
                     "  east:\n"
                     "    <<: *hq\n"
                     "    allowed_ips: [10.1.2.300]\n"),  // 7
            (Found{{4, "clusters.hq.ca_fil"},
                   {4, "clusters.east.ca_fil"},
                   {7, "clusters.east.allowed_ips"}}));
  // A refused value and its alias: both errors at once, not one after the other.
  EXPECT_EQ(ErrorsIn("flask_port: http\nlisten_port: 5000\n"),
            (Found{{1, "flask_port"}, {2, "listen_port"}}));
  // A second merge key is an error, and the entries after it are still read.
  EXPECT_EQ(ErrorsIn("clusters:\n"
                     "  hq: &hq\n"
                     "    allowed_ips: [10.1.2.3]\n"
                     "  east:\n"
                     "    <<: *hq\n"
                     "    <<: *hq\n"      // 6
                     "    ca_fil: x\n"),  // 7
            (Found{{6, "clusters.east.<<"}, {7, "clusters.east.ca_fil"}}));
}

TEST(ParseErrorsTest, ASingleErrorHasNoMore) {
  Result<Config> config = ParseConfig("worker_threads: 2\nlog_levle: INFO\n", "bad.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().line, 2);
  EXPECT_TRUE(config.error().more.empty());
}

TEST(ParseErrorFormatTest, ToStringIsFileLineKeyMessage) {
  Result<Config> config = ParseConfig("log_level: INFO\n\nlisten_port: http\n", "/etc/cg.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().ToString(),
            "/etc/cg.yaml:3: key 'listen_port': expected an integer from 0 to 65535, got 'http'");
}

TEST(ParseErrorFormatTest, Utf8AndUtf16TextsAreRead) {
  const std::string yaml =
      "insecure_mode: true\nclusters:\n  caf\xc3\xa9 \xf0\x9f\x93\x9e:\n    allowed_ips: [::1]\n";
  Result<Config> utf8 = ParseConfig(yaml, "utf8.yaml");
  ASSERT_TRUE(utf8.ok()) << utf8.error().ToString();
  ASSERT_EQ(utf8->clusters.size(), 1U);
  EXPECT_EQ(utf8->clusters[0].name, "caf\xc3\xa9 \xf0\x9f\x93\x9e");

  // yaml-cpp decodes UTF-16 (here little-endian, with a byte-order mark) to the same UTF-8. Each
  // Latin-1 byte is the low byte of its UTF-16 code unit.
  std::string utf16 = "\xff\xfe";
  for (char c :
       std::string_view("insecure_mode: true\nclusters:\n  caf\xe9:\n    allowed_ips: [::1]\n")) {
    utf16 += {c, '\0'};
  }
  Result<Config> decoded = ParseConfig(utf16, "utf16.yaml");
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  ASSERT_EQ(decoded->clusters.size(), 1U);
  EXPECT_EQ(decoded->clusters[0].name, "caf\xc3\xa9");
}

TEST(ParseErrorFormatTest, OversizedTextIsRefusedBeforeParsing) {
  const std::string huge = "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  Result<Config> config = ParseConfig(huge, "big.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("larger than 1024 KiB"), std::string::npos);
}

TEST(ParseErrorFormatTest, ControlBytesInMessagesAreEscaped) {
  Result<Config> config = ParseConfig("log_level: \"\\e[31mred\"\n", "x.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message.find('\x1b'), std::string::npos);
  EXPECT_NE(config.error().message.find("'\\x1b[31mred'"), std::string::npos);
}

}  // namespace
}  // namespace callgate::config
