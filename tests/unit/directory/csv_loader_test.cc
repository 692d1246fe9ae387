#include "directory/csv_loader.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/file_stream.h"

namespace callgate::directory {
namespace {

struct Expect {
  std::string query;
  std::optional<std::string> name;  // std::nullopt: no match
  MatchType type = MatchType::kExact;
};

struct ExpectedWarning {
  std::size_t line;
  std::string contains;
};

struct LoadCase {
  std::string label;
  std::string csv;
  std::vector<Expect> lookups;
  std::vector<ExpectedWarning> warnings;
  std::size_t rows;
  CsvLimits limits = {};
};

const std::string kHeader = "phone_number,display_name,match_type\n";

std::string Repeated(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

const LoadCase kLoadCases[] = {
    {"LF line endings",
     "phone_number,display_name\n+14085550101,Ada Lovelace\n",
     {{"+14085550101", "Ada Lovelace"}, {"+1408555010", std::nullopt}},
     {},
     1},
    {"CRLF line endings",
     "phone_number,display_name,match_type\r\n+1408,San Jose,prefix\r\n+14085550101,Ada,exact\r\n",
     {{"+14085550101", "Ada"}, {"+14085559999", "San Jose", MatchType::kPrefix}},
     {},
     2},
    {"CR line endings (old Mac files), warnings on the right line",
     "phone_number,display_name,match_type\r+1408,San Jose,prefix\r+1,,exact\r+14085550101,Ada,"
     "exact\r",
     {{"+14085550101", "Ada"}, {"+14085559999", "San Jose", MatchType::kPrefix}},
     {{3, "display_name"}},
     3},
    {"UTF-8 byte order mark",
     "\xEF\xBB\xBFphone_number,display_name\n+1,Ada\n",
     {{"+1", "Ada"}},
     {},
     1},
    {"header case and whitespace",
     " Phone_Number ,\tDISPLAY_NAME , Match_Type\r\n+1408,San Jose, PREFIX \n",
     {{"+14085550101", "San Jose", MatchType::kPrefix}},
     {},
     1},
    {"quoted header names", "\"phone_number\",\"display_name\"\n+1,Ada\n", {{"+1", "Ada"}}, {}, 1},
    // As Python's name.strip(): a no-break space after a name copied from a web page.
    {"header names trimmed of Unicode spaces",
     "phone_number\xC2\xA0,display_name,\xE2\x80\x83match_type\xC2\xA0\n+1408,San Jose,prefix\n",
     {{"+14085550101", "San Jose", MatchType::kPrefix}},
     {},
     1},
    // Python's csv.DictReader keeps the last value of a repeated name.
    {"a column written twice: the last is used, with a warning",
     "phone_number,display_name,Display_Name\n+1,First,Second\n",
     {{"+1", "Second"}},
     {{1, "the header has 'Display_Name' twice (columns 2 and 3): the last is used"}},
     1},
    // Ignored, as Python ignored it, but said: every row is exact without its match_type column.
    {"a known column written differently is ignored, with a warning",
     "Phone Number,phone_number,display_name,match-type\nx,+1408,San Jose,prefix\n",
     {{"+1408", "San Jose"}, {"+14085550101", std::nullopt}},
     {{1, "the header's column 'Phone Number' is ignored: did you mean phone_number?"},
      {1, "the header's column 'match-type' is ignored: did you mean match_type?"}},
     1},
    {"columns in any order, extra columns ignored",
     "notes,display_name,extra,phone_number,more\nx,Ada,\"y,z\",+1 408 555 0101,w\n",
     {{"+14085550101", "Ada"}},
     {},
     1},
    {"no match_type column: every row exact",
     "phone_number,display_name\n+1408,San Jose\n",
     {{"+1408", "San Jose"}, {"+14085550101", std::nullopt}},
     {},
     1},
    {"empty match_type means exact",
     kHeader + "+1408,San Jose,\n+1409,Other,  \n",
     {{"+1408", "San Jose"}, {"+14085550101", std::nullopt}, {"+1409", "Other"}},
     {},
     2},
    {"quoted comma and quotes",
     kHeader + "+1,\"Hopper, Grace \"\"Amazing Grace\"\"\",exact\n",
     {{"+1", "Hopper, Grace \"Amazing Grace\""}},
     {},
     1},
    {"quoted newline: control characters go, line numbers stay right",
     kHeader + "+1,\"Two\nLines\",exact\n+2,,exact\n",
     {{"+1", "TwoLines"}},
     {{4, "empty display_name"}},
     2},
    {"text after a closing quote is kept",
     kHeader + "+1,\"Ada\" Lovelace,exact\n",
     {{"+1", "Ada Lovelace"}},
     {},
     1},
    {"ampersand, apostrophe and angle brackets kept verbatim",
     kHeader + "+1,Tom & Jerry's <Deli>,exact\n",
     {{"+1", "Tom & Jerry's <Deli>"}},
     {},
     1},
    {"blank lines skipped silently",
     "\n\r\n" + kHeader + "\n+1,A,exact\n\r\n   \n\"\"\n+2,B,exact\n",
     {{"+1", "A"}, {"+2", "B"}},
     {},
     2},
    {"fewer columns than the header: missing fields are empty",
     kHeader + "+1,A\n+2\n",
     {{"+1", "A"}, {"+2", std::nullopt}},
     {{3, "skipped: empty display_name"}},
     2},
    {"empty phone_number",
     kHeader + ",Ada,exact\n  ,Bob,exact\n",
     {},
     {{2, "skipped: empty phone_number"},
      {3, "skipped: empty phone_number"},
      {3, "every row was skipped: the directory is empty"}},
     2},
    {"empty display_name",
     kHeader + "+1,   ,exact\n+2,\"\",exact\n+3,\x01\x02,exact\n",
     {{"+1", std::nullopt}, {"+3", std::nullopt}},
     {{2, "skipped: empty display_name"},
      {3, "skipped: empty display_name"},
      {4, "skipped: display_name is empty once cleaned"},
      {4, "every row was skipped: the directory is empty"}},
     3},
    {"invalid phone_number",
     kHeader + "1-800-FLOWERS,Florist,exact\n+1+2,Two plus,exact\n" + std::string(33, '1') +
         ",Too long,exact\ntel:,Empty,exact\n+1,Good,exact\n",
     {{"+1", "Good"}},
     {{2, "skipped: invalid phone_number (contains a character"},
      {3, "skipped: invalid phone_number"},
      {4, "skipped: invalid phone_number (too many digits)"},
      {5, "skipped: invalid phone_number (empty)"}},
     5},
    {"unknown match_type",
     kHeader + "+1,A,fuzzy\n+2,B,exactly\n+3,C,Prefix\n",
     {{"+1", std::nullopt}, {"+39", "C", MatchType::kPrefix}},
     {{2, "skipped: unknown match_type"}, {3, "skipped: unknown match_type"}},
     3},
    // Python's str.strip() removes Unicode spaces too: a no-break space copied from a web page.
    {"no-break and other Unicode spaces around fields are trimmed, as Python trimmed them",
     kHeader +
         "\xC2\xA0+14085550101\xC2\xA0,\xE2\x80\x83"
         "Ada Lovelace\xC2\xA0,exact\xC2\xA0\n" +
         "+2,\xC2\xA0,exact\n+3,Jo\xC2\xA0"
         "Ann,exact\n",
     {{"+14085550101", "Ada Lovelace"},
      {"+3",
       "Jo\xC2\xA0"
       "Ann"}},
     {{3, "skipped: empty display_name"}},
     3},
    {"number formats normalised as in requests",
     kHeader + "tel:+1 (408) 555-0101,Ada,exact\n+1408/555/0102,Alan,exact\n",
     {{"+14085550101", "Ada"}, {"+1.408.555.0102", "Alan"}},
     {},
     2},
    {"duplicate: the last row wins, naming both lines",
     kHeader + "+14085550101,Ada,exact\n+1408,SJ,prefix\n+1 408 555 0101,Grace,exact\n",
     {{"+14085550101", "Grace"}, {"+14085550199", "SJ", MatchType::kPrefix}},
     {{4, "duplicate exact entry (same phone_number as line 2): the last row wins"}},
     3},
    {"a number that is both exact and prefix is no duplicate",
     kHeader + "+1408,Exact,exact\n+1408,Prefix,prefix\n",
     {{"+1408", "Exact"}, {"+14081", "Prefix", MatchType::kPrefix}},
     {},
     2},
    {"long names truncated on a UTF-8 boundary",
     kHeader + "+1,Abcd\xE2\x82\xAC,exact\n",
     {{"+1", "Abcd"}},
     {{2, "display_name truncated to 6 bytes"}},
     1,
     CsvLimits{.max_name_bytes = 6}},
    {"a name that is not UTF-8 (a file saved as Latin-1) is kept, with a warning",
     kHeader + "+1,Jos\xE9,exact\n+2,Abcd\xE9xyz,exact\n",
     {{"+1", "Jos\xEF\xBF\xBD"}, {"+2", "Abcd"}},
     {{2,
       "display_name is not valid UTF-8: its invalid bytes are sent as U+FFFD (save the file "
       "as UTF-8)"},
      {3,
       "display_name is not valid UTF-8: its invalid bytes are sent as U+FFFD (save the file "
       "as UTF-8); display_name truncated to 6 bytes"}},
     2,
     CsvLimits{.max_name_bytes = 6}},
    {"header only",
     kHeader,
     {{"+1", std::nullopt}},
     {{1,
       "no rows after the header: the directory is empty, and every call gets a plain "
       "continue, without a name"}},
     0},
    {"every row skipped",
     kHeader + "+1,,exact\n",
     {{"+1", std::nullopt}},
     {{2, "skipped: empty display_name"},
      {2,
       "every row was skipped: the directory is empty, and every call gets a plain "
       "continue, without a name"}},
     1},
    {"last line without a newline", kHeader + "+1,Ada,exact", {{"+1", "Ada"}}, {}, 1},
};

void ExpectLoaded(const LoadCase& c, const LoadedDirectory& loaded) {
  for (const Expect& e : c.lookups) {
    SCOPED_TRACE("query " + e.query);
    const std::optional<Match> match = loaded.directory.Lookup(*PhoneNumber::Parse(e.query));
    ASSERT_EQ(match.has_value(), e.name.has_value());
    if (!match) continue;
    EXPECT_EQ(match->name, *e.name);
    EXPECT_EQ(match->type, e.type);
  }
  ASSERT_EQ(loaded.warnings.size(), c.warnings.size());
  EXPECT_EQ(loaded.warning_count, c.warnings.size());
  for (std::size_t i = 0; i < c.warnings.size(); ++i) {
    EXPECT_EQ(loaded.warnings[i].line, c.warnings[i].line);
    EXPECT_NE(loaded.warnings[i].message.find(c.warnings[i].contains), std::string::npos)
        << loaded.warnings[i].message;
  }
  EXPECT_EQ(loaded.rows, c.rows);
}

// The text is parsed a buffer at a time; buffers this small put a piece boundary everywhere.
const std::size_t kBufferSizes[] = {CsvLimits{}.read_buffer_bytes, 1, 2, 3, 7, 16};

CsvLimits WithBuffer(CsvLimits limits, std::size_t buffer_bytes) {
  limits.read_buffer_bytes = buffer_bytes;
  return limits;
}

TEST(CsvLoaderTest, LoadsRowsAndWarnsAboutBadOnes) {
  for (const LoadCase& c : kLoadCases) {
    for (const std::size_t buffer : kBufferSizes) {
      SCOPED_TRACE(c.label + ", buffer of " + std::to_string(buffer) + " bytes");
      Result<LoadedDirectory> loaded =
          ParseDirectoryCsv(c.csv, "test.csv", WithBuffer(c.limits, buffer));
      ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
      ExpectLoaded(c, loaded.value());
    }
  }
}

// Numbers and names may be personal data: no warning may repeat them.
TEST(CsvLoaderTest, WarningsNeverContainNumbersOrNames) {
  const std::string csv = kHeader +
                          "+14085550199,Zelda Secret,exact\n"
                          "+14085550199,Zelda Secret,exact\n"  // duplicate
                          "+1408555019Z,Zelda Secret,exact\n"  // invalid number
                          "+14085550199,Zelda Secret,zeldatype\n"
                          "+14085550199,,exact\n"
                          ",Zelda Secret,exact\n"
                          "+14085550198,Zelda Secret Zelda Secret Zelda Secret,exact\n";
  Result<LoadedDirectory> loaded = ParseDirectoryCsv(csv, "test.csv", {.max_name_bytes = 20});
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->warnings.size(), 6u);
  for (const LoadWarning& warning : loaded->warnings) {
    SCOPED_TRACE(warning.message);
    EXPECT_EQ(warning.message.find("555"), std::string::npos);
    EXPECT_EQ(warning.message.find("Zelda"), std::string::npos);
    EXPECT_EQ(warning.message.find("zelda"), std::string::npos);
  }
}

TEST(CsvLoaderTest, KeepsTheFirstWarningsAndCountsAll) {
  std::string csv = kHeader;
  for (int i = 0; i < 150; ++i) csv += "bad,Name,exact\n";
  Result<LoadedDirectory> loaded = ParseDirectoryCsv(csv, "test.csv", {.max_kept_warnings = 100});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->warnings.size(), 100u);
  EXPECT_EQ(loaded->warning_count, 151u);  // and "every row was skipped"
  EXPECT_EQ(loaded->rows, 150u);
  EXPECT_EQ(loaded->warnings.front().line, 2u);
  EXPECT_EQ(loaded->warnings.back().line, 101u);
}

// Rows reach the builder a few rows after they are parsed; names that live in the reader's
// per-record buffer (unescaped quoted fields) must survive that, and warnings must still come
// out in line order.
TEST(CsvLoaderTest, ManyRowsKeepTheirNamesAndWarningOrder) {
  std::string csv = kHeader;
  for (int i = 0; i < 100; ++i) {
    const std::string number = "+1408555" + std::to_string(1000 + i);
    if (i % 7 == 3) {
      csv += "bad" + std::to_string(i) + ",Bad,exact\n";
    } else if (i % 5 == 4) {
      csv += "+14085551000,\"Again \"\"" + std::to_string(i) + "\"\"\",exact\n";
    } else {
      csv += number + ",\"Name \"\"" + std::to_string(i) + "\"\"\",exact\n";
    }
  }
  Result<LoadedDirectory> loaded = ParseDirectoryCsv(csv, "test.csv", {.max_kept_warnings = 1000});
  ASSERT_TRUE(loaded.ok());
  for (int i = 1; i < 100; ++i) {
    if (i % 7 == 3 || i % 5 == 4) continue;
    const std::string number = "+1408555" + std::to_string(1000 + i);
    const std::optional<Match> match = loaded->directory.Lookup(*PhoneNumber::Parse(number));
    ASSERT_TRUE(match.has_value()) << number;
    EXPECT_EQ(match->name, "Name \"" + std::to_string(i) + "\"");
  }
  // Row 99 is the last "Again" row (99 % 5 == 4), on line 101.
  EXPECT_EQ(loaded->directory.Lookup(*PhoneNumber::Parse("+14085551000"))->name, "Again \"99\"");
  ASSERT_GT(loaded->warnings.size(), 20u);
  for (std::size_t i = 1; i < loaded->warnings.size(); ++i) {
    EXPECT_LT(loaded->warnings[i - 1].line, loaded->warnings[i].line);
  }
}

struct ErrorCase {
  std::string label;
  std::string csv;
  int line;
  std::string column;
  std::string contains;
  CsvLimits limits = {};
};

const ErrorCase kErrorCases[] = {
    {"empty file", "", 0, "phone_number", "no header row"},
    {"only blank lines", "\n\r\n  \n", 0, "phone_number", "no header row"},
    {"only a byte order mark", "\xEF\xBB\xBF", 0, "phone_number", "no header row"},
    // Its fields are not quoted: they are a number and a name, personal data.
    {"no header: the first row is taken as one", "+14085550101,Ada Lovelace\n", 1, "phone_number",
     "the first row is not a header (it holds a phone number): the file must start with the "
     "header phone_number,display_name[,match_type]"},
    {"missing phone_number", "number,display_name\n+1,Ada\n", 1, "phone_number",
     "no 'phone_number' column (it has 'number', 'display_name')"},
    // A second byte order mark is part of the first name: the error shows it.
    {"a second byte order mark", "\xEF\xBB\xBF\xEF\xBB\xBFphone_number,display_name\n", 1,
     "phone_number",
     "(it has '\xEF\xBB\xBFphone_number', 'display_name'; one holds an invisible byte order mark "
     "(U+FEFF): save the file again)"},
    {"many columns", "a,b,c,d,e,f,g,h,i,j,k,display_name\n", 1, "phone_number",
     "(it has 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', ...)"},
    // Files saved another way than as CSV in UTF-8 are named as such, quoting none of their text.
    {"UTF-16 with its byte order mark", std::string("\xFF\xFEp\0h\0o\0n\0e\0,\0n\0\n\0", 18), 1,
     "phone_number",
     "the header row has no 'phone_number' column: it holds NUL bytes, so the file is probably "
     "UTF-16 (as Excel's \"Unicode Text\" saves it) or not text: save it as UTF-8",
     CsvLimits{.quote_header = false}},
    {"separated by semicolons", "Phone_Number;Display_Name\n+1;Ada\n", 1, "phone_number",
     "the header row has no 'phone_number' column: its columns are separated by ';', and "
     "callgate reads commas only (RFC 4180): save the file with commas between the columns",
     CsvLimits{.quote_header = false}},
    {"separated by tabs", "x,\"display_name\t phone_number\"\n", 1, "phone_number",
     "its columns are separated by tabs"},
    {"separated by bars", "phone_number|display_name\n", 1, "phone_number",
     "its columns are separated by '|'"},
    // Only the header's first 4096 columns are read: the error says so, not that it has none.
    {"the required columns past the header's first 4096", Repeated("c,", 4096) + kHeader, 1,
     "phone_number",
     "the header row has no 'phone_number' column among its first 4096 (of 4099), the only ones "
     "read: put phone_number, display_name and match_type before the other columns"},
    {"missing display_name", "\nphone_number,name,match_type\n+1,Ada,exact\n", 2, "display_name",
     "no 'display_name' column"},
    // A spreadsheet's headings: said even when the header's names are not quoted.
    {"a required column written differently", "Phone Number,Display Name\n+1,Ada\n", 1,
     "phone_number",
     "the header row has no 'phone_number' column: its column 'Phone Number' is that name written "
     "differently; call it phone_number",
     CsvLimits{.quote_header = false}},
    {"unterminated quote", kHeader + "+1,Ada,exact\n+2,\"Bob,exact\n+3,Cy,exact\n", 3,
     "display_name", "quoted field is not terminated"},
    // Under obfuscate_pii a column is named by its number: a header's names are not quoted.
    {"unterminated quote under a header not quoted",
     "phone_number,display_name,Alice Johnson\n+1,A,\"x\n", 2, "3",
     "quoted field is not terminated", CsvLimits{.quote_header = false}},
    {"unterminated quote in the header", "phone_number,\"display_name\n", 1, "2",
     "quoted field is not terminated"},
    {"unterminated quote past the header's columns", kHeader + "+1,A,exact,\"x\n", 2, "4",
     "quoted field is not terminated"},
    // A column's name is the file's text: it cannot end the error's line and forge another.
    {"unterminated quote under a header with a line break",
     "phone_number,display_name,\"x\n[info] forged\"\n+1,A,\"x\n", 3, "x\\x0a[info] forged",
     "quoted field is not terminated"},
    {"over-long field", kHeader + "+1,Ada,exact\n+2,Abcdefghijklm,exact\n", 3, "display_name",
     "field is longer than 12 bytes", CsvLimits{.max_field_bytes = 12}},
    {"file over the limit", kHeader, 0, "", "larger than the limit of 10 bytes",
     CsvLimits{.max_file_bytes = 10}},
    // Named as too long, maybe for a missing quote (that it is found before the end of the file
    // is AQuoteLeftOpenFailsWithoutReadingToTheEnd).
    {"a missing closing quote with the rest of the file after it",
     kHeader + "+1,\"Ada,exact\n" + Repeated("+2,Bob,exact\n", 50), 2, "display_name",
     "quoted field is longer than 64 bytes, or its closing quote is missing",
     CsvLimits{.max_field_bytes = 64}},
    {"row over the limit", kHeader + "+1,Ada,exact" + Repeated(",x", 40) + "\n", 2, "",
     "row is longer than 64 bytes", CsvLimits{.max_record_bytes = 64}},
};

TEST(CsvLoaderTest, FailsNamingFileLineAndColumn) {
  for (const ErrorCase& c : kErrorCases) {
    for (const std::size_t buffer : kBufferSizes) {
      SCOPED_TRACE(c.label + ", buffer of " + std::to_string(buffer) + " bytes");
      Result<LoadedDirectory> loaded =
          ParseDirectoryCsv(c.csv, "dir/people.csv", WithBuffer(c.limits, buffer));
      ASSERT_FALSE(loaded.ok());
      const Error& error = loaded.error();
      EXPECT_EQ(error.file, "dir/people.csv");
      EXPECT_EQ(error.line, c.line);
      EXPECT_EQ(error.column, c.column);
      EXPECT_EQ(error.key, "");
      EXPECT_NE(error.message.find(c.contains), std::string::npos) << error.message;
      EXPECT_NE(error.ToString().find("dir/people.csv"), std::string::npos);
      if (!c.column.empty()) {
        EXPECT_NE(error.ToString().find("column '" + c.column + "': "), std::string::npos)
            << error.ToString();
      }
    }
  }
}

// A file without a header: its first row is data, personal data, which the error leaves out
// (it is logged, and obfuscate_pii cannot mask what it does not know to be a number or a name).
TEST(CsvLoaderTest, AFirstRowOfDataIsNotQuotedInTheError) {
  Result<LoadedDirectory> loaded =
      ParseDirectoryCsv("+14085550101,Ada Lovelace,exact\n+1408,San Jose,prefix\n", "d.csv");
  ASSERT_FALSE(loaded.ok());
  const std::string text = loaded.error().ToString();
  EXPECT_EQ(text.find("4085550101"), std::string::npos) << text;
  EXPECT_EQ(text.find("Ada"), std::string::npos) << text;
}

// Where no phone number shows it (a file separated by ';'), the first row of a file without a
// header can still be data: under obfuscate_pii the header's names are not quoted at all.
TEST(CsvLoaderTest, WithoutQuoteHeaderTheMissingColumnErrorNamesNoColumn) {
  const std::string csv = "14085550177;Zelda Quux\n";
  Result<LoadedDirectory> quoted = ParseDirectoryCsv(csv, "d.csv");
  ASSERT_FALSE(quoted.ok());
  EXPECT_NE(quoted.error().message.find("(it has '14085550177;Zelda Quux')"), std::string::npos)
      << quoted.error().message;
  Result<LoadedDirectory> unquoted = ParseDirectoryCsv(csv, "d.csv", {.quote_header = false});
  ASSERT_FALSE(unquoted.ok());
  const std::string text = unquoted.error().ToString();
  EXPECT_EQ(text.find("Zelda"), std::string::npos) << text;
  EXPECT_EQ(text.find("4085550177"), std::string::npos) << text;
  EXPECT_NE(text.find("the header row has no 'phone_number' column (its 1 names are left out "
                      "under obfuscate_pii"),
            std::string::npos)
      << text;
}

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/callgate_csv_test_XXXXXX";
    const int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CsvLoaderTest, LoadsAFile) {
  const TempFile file(kHeader + "+1408,San Jose,prefix\n+14085550101,Ada,exact\n");
  Result<LoadedDirectory> loaded = LoadDirectoryCsv(file.path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->directory.Lookup(*PhoneNumber::Parse("+14085550101"))->name, "Ada");
  EXPECT_EQ(loaded->directory.prefix_entries(), 1u);
}

// Everything a load gives: the entries (looked up by every number in the file), the rows and the
// warnings.
std::string Describe(const Result<LoadedDirectory>& loaded,
                     const std::vector<std::string>& numbers) {
  if (!loaded.ok()) return "error: " + loaded.error().ToString();
  std::string text = std::to_string(loaded->rows) + " rows, " +
                     std::to_string(loaded->directory.exact_entries()) + " exact, " +
                     std::to_string(loaded->directory.prefix_entries()) + " prefix\n";
  for (const LoadWarning& warning : loaded->warnings) {
    text += std::to_string(warning.line) + ": " + warning.message + "\n";
  }
  for (const std::string& number : numbers) {
    const std::optional<Match> match = loaded->directory.Lookup(*PhoneNumber::Parse(number));
    text += number + " -> " + (match ? std::string(match->name) : "-") + "\n";
  }
  return text;
}

// A file of every kind of row: a byte order mark, CRLF and LF, quoted names with commas, quotes
// and line breaks, prefixes, duplicates and bad rows.
std::string MixedCsv(std::vector<std::string>* numbers) {
  std::string csv = "\xEF\xBB\xBFphone_number,display_name,match_type\r\n";
  for (int i = 0; i < 300; ++i) {
    const std::string number = "+1408555" + std::to_string(1000 + i % 250);
    numbers->push_back(number);
    switch (i % 6) {
      case 0:
        csv += number + ",Plain " + std::to_string(i) + ",exact\n";
        break;
      case 1:
        csv += number + ",\"Last, First \"\"" + std::to_string(i) + "\"\"\",exact\r\n";
        break;
      case 2:
        csv += number + ",\"Two\r\nlines " + std::to_string(i) + "\",exact\n";
        break;
      case 3:
        csv += number.substr(0, 6 + i % 5) + ",Area " + std::to_string(i) + ",prefix\n";
        break;
      case 4:
        csv += "x" + number + ",Bad,exact\n";
        break;
      default:
        csv += "\n" + number + ",  Spaced " + std::to_string(i) + "  ,EXACT,extra\n";
        break;
    }
  }
  return csv;
}

TEST(CsvLoaderTest, AFileReadInPiecesLoadsAsIfReadWhole) {
  std::vector<std::string> numbers;
  const std::string csv = MixedCsv(&numbers);
  const TempFile file(csv);
  const CsvLimits limits{.max_kept_warnings = 1000};
  const std::string expected = Describe(ParseDirectoryCsv(csv, file.path(), limits), numbers);
  ASSERT_NE(expected.find("300 rows"), std::string::npos) << expected;
  for (const std::size_t buffer : {CsvLimits{}.read_buffer_bytes, std::size_t{1}, std::size_t{5},
                                   std::size_t{64}, std::size_t{1000}}) {
    SCOPED_TRACE("buffer of " + std::to_string(buffer) + " bytes");
    EXPECT_EQ(Describe(LoadDirectoryCsv(file.path(), WithBuffer(limits, buffer)), numbers),
              expected);
  }
}

// A pipe has no size and gives its bytes as they are written: the loader must not take a short
// read for the end of the file.
TEST(CsvLoaderTest, ReadsAPipeWrittenSlowly) {
  std::vector<std::string> numbers;
  const std::string csv = MixedCsv(&numbers);
  const std::string fifo = "/tmp/callgate_csv_fifo_" + std::to_string(getpid());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // If the loader never opens the FIFO or stops reading early, the writer gives up (no reader
  // within 10 s; EPIPE, its SIGPIPE blocked) and the comparison below fails.
  std::thread writer([&] {
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 5000; ++tries) {
      fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // fails until the loader has opened it
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (fd < 0) return;
    fcntl(fd, F_SETFL, 0);  // blocking writes from here
    for (std::size_t i = 0; i < csv.size(); i += 700) {
      const std::string piece = csv.substr(i, 700);
      if (write(fd, piece.data(), piece.size()) != static_cast<ssize_t>(piece.size())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    close(fd);
  });
  Result<LoadedDirectory> loaded = LoadDirectoryCsv(fifo, {.max_kept_warnings = 1000});
  writer.join();
  std::remove(fifo.c_str());
  EXPECT_EQ(Describe(loaded, numbers),
            Describe(ParseDirectoryCsv(csv, fifo, {.max_kept_warnings = 1000}), numbers));
}

// A quote left open fails once its field passes max_field_bytes, before the end of the file:
// through a FIFO whose writer keeps it open (as if the file went on), the load ends while the
// writer is still waiting. A loader that read on to the end would wait for the writer to give up.
TEST(CsvLoaderTest, AQuoteLeftOpenFailsWithoutReadingToTheEnd) {
  const std::string fifo = "/tmp/callgate_csv_open_quote_" + std::to_string(getpid());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> load_ended{false};
  std::atomic<bool> writer_gave_up{false};
  std::thread writer([&] {
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);  // EPIPE once the loader has closed it
    const int fd = open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    const std::string text = kHeader + "+1,\"Ada" + std::string(1000, 'x');
    if (write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())) {
      for (int i = 0; i < 1000 && !load_ended; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    writer_gave_up = !load_ended;
    close(fd);
  });
  // A buffer smaller than what is written: a read returns once it is full.
  Result<LoadedDirectory> loaded =
      LoadDirectoryCsv(fifo, {.max_field_bytes = 64, .read_buffer_bytes = 256});
  const bool ended_first = !writer_gave_up;
  load_ended = true;
  writer.join();
  std::remove(fifo.c_str());
  EXPECT_TRUE(ended_first) << "the load waited for the end of the file";
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().line, 2);
  EXPECT_NE(loaded.error().message.find("quoted field is longer than 64 bytes"), std::string::npos)
      << loaded.error().message;
}

// Appends to a file, a piece at a time and cutting rows in two, as a slow export writes it, from
// its construction to its destruction.
class SlowWriter {
 public:
  explicit SlowWriter(const std::string& path) : thread_([this, path] { Write(path); }) {
    while (pieces_ == 0) std::this_thread::yield();  // writing before the caller goes on
  }
  ~SlowWriter() {
    stop_ = true;
    thread_.join();
  }
  SlowWriter(const SlowWriter&) = delete;
  SlowWriter& operator=(const SlowWriter&) = delete;

 private:
  void Write(const std::string& path) {
    const int fd = open(path.c_str(), O_WRONLY | O_APPEND);
    const std::string rows = Repeated("+14085550104,Tom & Jerry,exact\n", 10);
    for (std::size_t at = 0; !stop_ && fd >= 0; at = (at + 47) % rows.size()) {
      const std::string piece = rows.substr(at, 47);
      if (write(fd, piece.data(), piece.size()) < 0) break;
      ++pieces_;
      std::this_thread::sleep_for(std::chrono::microseconds(200));  // pace, not synchronisation
    }
    if (fd >= 0) close(fd);
    if (fd < 0) ++pieces_;  // let the constructor return: the test fails on what it loads
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> pieces_{0};
  std::thread thread_;
};

// A file still being written is not loaded, whatever its bytes so far parse to: the load, of
// 200,000 rows, lasts long enough for the writer to add to it many times, and the loader says
// that the file changed while it was read.
TEST(CsvLoaderTest, AFileWrittenWhileItIsLoadedIsRefused) {
  std::string csv = kHeader;
  for (int i = 0; i < 200'000; ++i)
    csv += "+1200" + std::to_string(1'000'000 + i) + ",Name,exact\n";
  const TempFile file(csv);
  const Result<LoadedDirectory> loaded = [&] {
    const SlowWriter writer(file.path());
    return LoadDirectoryCsv(file.path());
  }();
  ASSERT_FALSE(loaded.ok()) << "loaded " << loaded->rows << " rows of a file being written";
  EXPECT_TRUE(ChangedWhileRead(loaded.error())) << loaded.error().ToString();
  EXPECT_EQ(loaded.error().file, file.path());
  EXPECT_EQ(loaded.error().line, 0);
  EXPECT_NE(loaded.error().message.find("changed while it was read (its size went from "),
            std::string::npos)
      << loaded.error().message;
}

TEST(CsvLoaderTest, FileErrorsNameTheFile) {
  const TempFile big(kHeader + "+1,A,exact\n");
  const struct {
    std::string path;
    std::string contains;
    CsvLimits limits;
  } cases[] = {
      {"/nonexistent/callgate/phone_directory.csv", "No such file or directory", {}},
      {"/tmp", "is a directory", {}},
      {big.path(), "larger than the limit of 20 bytes", {.max_file_bytes = 20}},
      // A file that does not say its size is stopped once it has given more than the limit.
      {"/proc/self/status", "larger than the limit of 100 bytes", {.max_file_bytes = 100}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    Result<LoadedDirectory> loaded = LoadDirectoryCsv(c.path, c.limits);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().file, c.path);
    EXPECT_NE(loaded.error().message.find(c.contains), std::string::npos) << loaded.error().message;
    EXPECT_FALSE(ChangedWhileRead(loaded.error()));
  }
}

TEST(CsvLoaderTest, ReadsFilesOfUnknownSize) {
  // /proc files report size 0, so the reader must grow its buffer as it goes.
  Result<LoadedDirectory> loaded = LoadDirectoryCsv("/proc/self/status");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().column, "phone_number");  // read fine, but it is not a directory file
}

}  // namespace
}  // namespace callgate::directory
