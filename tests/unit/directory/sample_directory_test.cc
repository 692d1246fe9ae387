// data/phone_directory.csv is the sample other layers' tests rely on: it must load cleanly and
// keep the rows they use.
#include "directory/csv_loader.h"

#include <string>

#include <gtest/gtest.h>

namespace callgate::directory {
namespace {

const std::string kSamplePath = std::string(CALLGATE_SOURCE_DIR) + "/data/phone_directory.csv";

struct SampleRow {
  std::string query;
  std::string name;
  MatchType type;
};

const SampleRow kRows[] = {
    {"+14085550101", "Ada Lovelace", MatchType::kExact},
    {"+1408/555/0101", "Ada Lovelace", MatchType::kExact},
    {"+14085550103", "Hopper, Grace \"Amazing Grace\"", MatchType::kExact},
    {"+14085550104", "Tom & Jerry's <Deli>", MatchType::kExact},
    {"+14085550105", "Jos\xC3\xA9 M\xC3\xBCller-\xC5\x81ukasiewicz", MatchType::kExact},
    {"+14085559999", "San Jose", MatchType::kPrefix},
    {"+12125559999", "New York City", MatchType::kPrefix},
    {"+12125551001", "Alice Johnson", MatchType::kExact},
};

TEST(SampleDirectoryTest, LoadsCleanlyWithTheRowsOthersUse) {
  Result<LoadedDirectory> loaded = LoadDirectoryCsv(kSamplePath);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(loaded->warning_count, 0u);
  EXPECT_GE(loaded->rows, 15u);
  for (const SampleRow& row : kRows) {
    SCOPED_TRACE(row.query);
    const std::optional<Match> match = loaded->directory.Lookup(*PhoneNumber::Parse(row.query));
    ASSERT_TRUE(match.has_value());
    EXPECT_EQ(match->name, row.name);
    EXPECT_EQ(match->type, row.type);
  }
}

}  // namespace
}  // namespace callgate::directory
