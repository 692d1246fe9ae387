#include "directory/csv_reader.h"

#include <string>
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
    {"a\rb,c\n", {{"a\rb", "c"}}, {1}},  // a lone CR is data
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
    {"x\n\"12\n\"\"45\"\n", 5, CsvReader::ErrorKind::kFieldTooLong, 2, 0, 1},
    {"\"12345\"6\n", 5, CsvReader::ErrorKind::kFieldTooLong, 1, 0, 0},
    {"12345\r\n", 5, CsvReader::ErrorKind::kNone, 0, 0, 1},  // the CR is not field data
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

}  // namespace
}  // namespace callgate::directory::internal
