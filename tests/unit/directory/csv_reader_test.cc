#include "directory/csv_reader.h"

#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

namespace callgate::directory::internal {
namespace {

using Records = std::vector<std::vector<std::string>>;

struct ReadCase {
  std::string text;
  Records records;
  std::vector<std::size_t> lines;  // where each record starts
};

const ReadCase kReadCases[] = {
    {"", {}, {}},
    {"a,b", {{"a", "b"}}, {1}},
    {"a,b\n", {{"a", "b"}}, {1}},
    {"a,b\r\nc,d\r\n", {{"a", "b"}, {"c", "d"}}, {1, 2}},
    {"a,b\r\nc,d\r", {{"a", "b"}, {"c", "d"}}, {1, 2}},
    // A lone CR ends a record, as in Python's csv module: old Mac files end every line so.
    {"a\rb,c\n", {{"a"}, {"b", "c"}}, {1, 2}},
    {"a,b\rc,d\r", {{"a", "b"}, {"c", "d"}}, {1, 2}},
    {"a\r\r\nb\n", {{"a"}, {""}, {"b"}}, {1, 2, 3}},
    {"\"two\rlines\",x\ry\r", {{"two\rlines", "x"}, {"y"}}, {1, 3}},
    {"\"a\" b\rc\n", {{"a b"}, {"c"}}, {1, 2}},
    {"\n\na\n", {{""}, {""}, {"a"}}, {1, 2, 3}},
    {",\n", {{"", ""}}, {1}},
    {"a,", {{"a", ""}}, {1}},
    {"\"a,b\",c\n", {{"a,b", "c"}}, {1}},
    {"\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}, {1}},
    {"\"\"\"\"\n", {{"\""}}, {1}},
    {"\"\",x\n", {{"", "x"}}, {1}},
    {"\"two\nlines\",x\ny,z\n", {{"two\nlines", "x"}, {"y", "z"}}, {1, 3}},
    {"\"crlf\r\ninside\"\r\nnext\r\n", {{"crlf\r\ninside"}, {"next"}}, {1, 3}},
    {"\"a\" b,c\n", {{"a b", "c"}}, {1}},  // text after the closing quote is kept
    {"\"a\"\"b\" c\"d,e", {{"a\"b c\"d", "e"}}, {1}},
    {"\"a\" \r\n", {{"a "}}, {1}},
    {"a\"b,c\n", {{"a\"b", "c"}}, {1}},  // a quote inside an unquoted field is data
    {" \"a\",b\n", {{" \"a\"", "b"}}, {1}},
};

TEST(CsvReaderTest, SplitsRecordsAndFields) {
  for (const ReadCase& c : kReadCases) {
    SCOPED_TRACE("text: '" + c.text + "'");
    CsvReader reader(c.text, 100);
    Records records;
    std::vector<std::size_t> lines;
    CsvReader::Status status;
    while ((status = reader.Next()) == CsvReader::Status::kRecord) {
      records.emplace_back(reader.fields().begin(), reader.fields().end());
      EXPECT_EQ(reader.field_count(), records.back().size());
      lines.push_back(reader.line());
    }
    EXPECT_EQ(status, CsvReader::Status::kEnd);
    EXPECT_EQ(records, c.records);
    EXPECT_EQ(lines, c.lines);
  }
}

TEST(CsvReaderTest, KeepsOnlyTheFirstFieldsButCountsAll) {
  CsvReader reader("a,\"b\"\"\",c,\"d\"\"\",e\n", 100);
  reader.set_max_kept_fields(2);
  ASSERT_EQ(reader.Next(), CsvReader::Status::kRecord);
  EXPECT_EQ(reader.fields(), (std::vector<std::string_view>{"a", "b\""}));
  EXPECT_EQ(reader.field_count(), 5u);
}

TEST(CsvReaderTest, ViewsSurviveManyEscapedFieldsInOneRecord) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "\"f" + std::to_string(i) + "\"\"\",";
  CsvReader reader(text, 100);
  ASSERT_EQ(reader.Next(), CsvReader::Status::kRecord);
  ASSERT_EQ(reader.fields().size(), 201u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(reader.fields()[i], "f" + std::to_string(i) + "\"");
}

struct ErrorCase {
  std::string text;
  std::size_t max_field_bytes;
  CsvReader::ErrorKind error;
  std::size_t line;
  std::size_t field;
  std::size_t good_records;  // records read before the error
};

const ErrorCase kErrorCases[] = {
    {"a,\"open\n\nb\n", 100, CsvReader::ErrorKind::kUnterminatedQuote, 1, 1, 0},
    {"x\ny\n\"", 100, CsvReader::ErrorKind::kUnterminatedQuote, 3, 0, 2},
    {"x\n\"a\"\"\n", 100, CsvReader::ErrorKind::kUnterminatedQuote, 2, 0, 1},
    {"12345,123456\n", 5, CsvReader::ErrorKind::kFieldTooLong, 1, 1, 0},
    {"x\n\"12\n\"\"45\"\n", 5, CsvReader::ErrorKind::kQuotedFieldTooLong, 2, 0, 1},
    {"\"12345\"6\n", 5, CsvReader::ErrorKind::kQuotedFieldTooLong, 1, 0, 0},
    {"12345\r\n", 5, CsvReader::ErrorKind::kNone, 0, 0, 1},  // the CR is not field data
    // Unterminated, and already too long: the missing quote may be why, which the error says.
    {"\"abcdef\"\"", 5, CsvReader::ErrorKind::kQuotedFieldTooLong, 1, 0, 0},
    {"\"abcd\"\"", 5, CsvReader::ErrorKind::kUnterminatedQuote, 1, 0, 0},  // not over-long
};

TEST(CsvReaderTest, ReportsErrorsWithLineAndField) {
  for (const ErrorCase& c : kErrorCases) {
    SCOPED_TRACE("text: '" + c.text + "'");
    CsvReader reader(c.text, c.max_field_bytes);
    std::size_t good = 0;
    CsvReader::Status status;
    while ((status = reader.Next()) == CsvReader::Status::kRecord) ++good;
    EXPECT_EQ(good, c.good_records);
    EXPECT_EQ(reader.error(), c.error);
    if (c.error == CsvReader::ErrorKind::kNone) continue;
    EXPECT_EQ(status, CsvReader::Status::kError);
    EXPECT_EQ(reader.error_line(), c.line);
    EXPECT_EQ(reader.error_field(), c.field);
    EXPECT_EQ(reader.Next(), CsvReader::Status::kError);  // and stays failed
  }
}

// What a reader gives for a text: its records, where they start, and how it ended.
struct Outcome {
  Records records;
  std::vector<std::size_t> lines;
  CsvReader::Status end = CsvReader::Status::kEnd;
  CsvReader::ErrorKind error = CsvReader::ErrorKind::kNone;
  std::size_t error_line = 0;
  std::size_t error_field = 0;

  bool operator==(const Outcome&) const = default;
};

void Record(const CsvReader& reader, Outcome* outcome) {
  outcome->records.emplace_back(reader.fields().begin(), reader.fields().end());
  outcome->lines.push_back(reader.line());
}

void Finish(const CsvReader& reader, CsvReader::Status end, Outcome* outcome) {
  outcome->end = end;
  outcome->error = reader.error();
  outcome->error_line = reader.error_line();
  outcome->error_field = reader.error_field();
}

constexpr std::size_t kNoRecordLimit = static_cast<std::size_t>(-1);

Outcome ReadWhole(const std::string& text, std::size_t max_field_bytes,
                  std::size_t max_record_bytes = kNoRecordLimit) {
  CsvReader reader(text, max_field_bytes, /*last=*/true, max_record_bytes);
  Outcome outcome;
  CsvReader::Status status;
  while ((status = reader.Next()) == CsvReader::Status::kRecord) Record(reader, &outcome);
  Finish(reader, status, &outcome);
  return outcome;
}

// Hands the reader the text `piece` bytes at a time, keeping what it has not consumed, as the
// directory loader does with a file.
Outcome ReadInPieces(const std::string& text, std::size_t max_field_bytes, std::size_t piece,
                     std::size_t max_record_bytes = kNoRecordLimit) {
  std::string held = text.substr(0, piece);
  std::size_t next = held.size();
  CsvReader reader(held, max_field_bytes, next >= text.size(), max_record_bytes);
  Outcome outcome;
  while (true) {
    const CsvReader::Status status = reader.Next();
    if (status == CsvReader::Status::kRecord) {
      Record(reader, &outcome);
    } else if (status == CsvReader::Status::kNeedMore) {
      held = held.substr(reader.consumed()) + text.substr(next, piece);
      next += piece;
      reader.Refill(held, next >= text.size());
    } else {
      Finish(reader, status, &outcome);
      return outcome;
    }
  }
}

TEST(CsvReaderTest, ReadingInPiecesChangesNothing) {
  std::vector<std::pair<std::string, std::size_t>> texts;
  for (const ReadCase& c : kReadCases) texts.emplace_back(c.text, 100);
  for (const ErrorCase& c : kErrorCases) texts.emplace_back(c.text, c.max_field_bytes);
  for (const auto& [text, max_field_bytes] : texts) {
    const Outcome whole = ReadWhole(text, max_field_bytes);
    for (std::size_t piece = 1; piece <= text.size(); ++piece) {
      SCOPED_TRACE("text: '" + text + "', pieces of " + std::to_string(piece));
      EXPECT_EQ(ReadInPieces(text, max_field_bytes, piece), whole);
    }
  }
}

// The same with a record limit, at it and one over, whatever ends the record and wherever a
// piece ends (between a CR and its LF, say: the CR is not part of the record).
TEST(CsvReaderTest, ReadingInPiecesChangesNothingAtTheRecordLimit) {
  const std::string at_limit = "ab,cd";     // 5 bytes
  const std::string quoted = "\"a\r\nb\"";  // 6 bytes, a line break inside
  for (const std::string ending : {"\n", "\r\n", "\r"}) {
    for (const auto& [text, limit, good] :
         {std::tuple{at_limit + ending + "x" + ending, std::size_t{5}, 2u},
          std::tuple{at_limit + ending + at_limit + "e" + ending, std::size_t{5}, 1u},
          std::tuple{quoted + ending + "x" + ending, std::size_t{6}, 2u},
          std::tuple{quoted + ending + "x" + ending, std::size_t{5}, 0u}}) {
      const Outcome whole = ReadWhole(text, 100, limit);
      EXPECT_EQ(whole.records.size(), good) << text;
      for (std::size_t piece = 1; piece <= text.size(); ++piece) {
        SCOPED_TRACE("text: '" + text + "', pieces of " + std::to_string(piece));
        EXPECT_EQ(ReadInPieces(text, 100, piece, limit), whole);
      }
    }
  }
}

// A piece that is not the last, ending inside a record that is already longer than a field or a
// record may be: an error now, not a request for more text (the reader of a file would hold the
// rest of it in memory, looking for a closing quote that a typo left out).
TEST(CsvReaderTest, NeverAsksForMoreThanARecordMayTake) {
  const std::string open_quote = "a\n\"" + std::string(101, 'x');
  CsvReader quoted(open_quote, 100, /*last=*/false);
  ASSERT_EQ(quoted.Next(), CsvReader::Status::kRecord);
  EXPECT_EQ(quoted.Next(), CsvReader::Status::kError);
  EXPECT_EQ(quoted.error(), CsvReader::ErrorKind::kQuotedFieldTooLong);
  EXPECT_EQ(quoted.error_line(), 2u);

  // With doubled quotes, the field's length is what they stand for.
  std::string doubled = "\"";
  for (int i = 0; i < 60; ++i) doubled += "\"\"";
  CsvReader short_field(doubled, 100, /*last=*/false);
  EXPECT_EQ(short_field.Next(), CsvReader::Status::kNeedMore) << "60 bytes so far";

  std::string fields;  // many short fields: the record is too long, no field is
  for (int i = 0; i < 30; ++i) fields += "ab,";
  CsvReader many(fields, 100, /*last=*/false, /*max_record_bytes=*/64);
  EXPECT_EQ(many.Next(), CsvReader::Status::kError);
  EXPECT_EQ(many.error(), CsvReader::ErrorKind::kRecordTooLong);
  EXPECT_EQ(many.error_line(), 1u);
  const std::string fewer = fields.substr(0, 60);
  CsvReader under(fewer, 100, /*last=*/false, 64);
  EXPECT_EQ(under.Next(), CsvReader::Status::kNeedMore);
}

// A whole record longer than max_record_bytes is an error too, its line ending not counted.
TEST(CsvReaderTest, RecordsLongerThanTheLimitAreErrors) {
  const std::string record = std::string(10, 'a') + "," + std::string(9, 'b');  // 20 bytes
  for (const std::string ending : {"", "\n", "\r\n", "\r"}) {
    SCOPED_TRACE("ending: " + std::to_string(ending.size()));
    const std::string fitting = "x\n" + record + ending;
    const std::string longer = "x\n" + record + "c" + ending;
    CsvReader fits(fitting, 100, /*last=*/true, 20);
    EXPECT_EQ(fits.Next(), CsvReader::Status::kRecord);
    EXPECT_EQ(fits.Next(), CsvReader::Status::kRecord);
    EXPECT_EQ(fits.fields().size(), 2u);
    CsvReader over(longer, 100, /*last=*/true, 20);
    EXPECT_EQ(over.Next(), CsvReader::Status::kRecord);
    EXPECT_EQ(over.Next(), CsvReader::Status::kError);
    EXPECT_EQ(over.error(), CsvReader::ErrorKind::kRecordTooLong);
    EXPECT_EQ(over.error_line(), 2u);
  }
}

TEST(CsvReaderTest, AskForMoreAtTheEndOfAPieceThatIsNotTheLast) {
  const struct {
    std::string text;  // a piece ending inside its second record
    std::size_t consumed;
  } cases[] = {
      {"a,b\nc", 4},        // an unquoted field
      {"a,b\nc,", 4},       // after a comma
      {"a,b\nc\r", 4},      // a CR that may begin a line ending
      {"a,b\n\"c\nd", 4},   // inside a quoted field
      {"a,b\n\"c\"", 4},    // a quote that may be doubled
      {"a,b\n\"c\" x", 4},  // text after the closing quote
      {"a,b\n", 4},         // at a record boundary
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("text: '" + c.text + "'");
    CsvReader reader(c.text, 100, /*last=*/false);
    ASSERT_EQ(reader.Next(), CsvReader::Status::kRecord);
    EXPECT_EQ(reader.Next(), CsvReader::Status::kNeedMore);
    EXPECT_EQ(reader.consumed(), c.consumed);
    EXPECT_EQ(reader.error(), CsvReader::ErrorKind::kNone);
  }
}

}  // namespace
}  // namespace callgate::directory::internal
