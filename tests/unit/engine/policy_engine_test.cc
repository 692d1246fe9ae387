#include "engine/policy_engine.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/phone_number.h"
#include "directory/phone_directory.h"
#include "engine/snapshot.h"

namespace callgate::engine {
namespace {

using directory::MatchType;

PhoneNumber Number(std::string_view text) {
  std::optional<PhoneNumber> number = PhoneNumber::Parse(text);
  EXPECT_TRUE(number.has_value()) << text;
  return number.value_or(*PhoneNumber::Parse("0"));
}

// A small directory shaped like a real one: people (exact), an office block and a country code
// (prefixes, one inside the other), and a number that is both an exact and a prefix entry.
Snapshot MakeSnapshot() {
  directory::PhoneDirectoryBuilder builder;
  builder.Add(Number("+14085550101"), "Ada Lovelace", MatchType::kExact);
  builder.Add(Number("+14085550102"), "Tom & Jerry's <Deli>", MatchType::kExact);
  builder.Add(Number("5101"), "Reception", MatchType::kExact);
  builder.Add(Number("+1408555"), "Cupertino Office", MatchType::kPrefix);
  builder.Add(Number("+1"), "North America", MatchType::kPrefix);
  builder.Add(Number("+442071234567"), "London Exact", MatchType::kExact);
  builder.Add(Number("+442071234567"), "London Block", MatchType::kPrefix);
  Snapshot snapshot;
  snapshot.directory = builder.Build();
  snapshot.directory_path = "test";
  return snapshot;
}

struct DecideCase {
  std::string name;
  std::string calling;                    // CallQuery::calling_number as a codec would pass it
  NameSource source;                      // expected
  std::optional<std::string> caller;      // expected Decision::calling_name
  std::optional<std::string> normalised;  // expected Decision::number
};

void PrintTo(const DecideCase& c, std::ostream* os) { *os << c.name; }

std::string CaseName(const ::testing::TestParamInfo<DecideCase>& param_info) {
  return param_info.param.name;
}

class DecideTest : public ::testing::TestWithParam<DecideCase> {
 protected:
  static void SetUpTestSuite() { snapshot_ = new Snapshot(MakeSnapshot()); }
  static void TearDownTestSuite() {
    delete snapshot_;
    snapshot_ = nullptr;
  }
  static Snapshot* snapshot_;
};

Snapshot* DecideTest::snapshot_ = nullptr;

TEST_P(DecideTest, NameAndReason) {
  const DecideCase& c = GetParam();
  CallQuery query;
  query.calling_number = c.calling;
  query.front_end = "curri";
  Decision decision = Decide(query, *snapshot_);
  EXPECT_EQ(ToString(decision.source), ToString(c.source));
  std::optional<std::string> caller;
  if (decision.calling_name) caller = std::string(*decision.calling_name);
  EXPECT_EQ(caller, c.caller);
  std::optional<std::string> normalised;
  if (decision.number) normalised = std::string(decision.number->view());
  EXPECT_EQ(normalised, c.normalised);
}

INSTANTIATE_TEST_SUITE_P(
    Directory, DecideTest,
    ::testing::Values(
        DecideCase{"Exact", "+14085550101", NameSource::kExact, "Ada Lovelace", "+14085550101"},
        DecideCase{"ExactNameWithMarkup", "+14085550102", NameSource::kExact,
                   "Tom & Jerry's <Deli>", "+14085550102"},
        DecideCase{"ExactShortExtension", "5101", NameSource::kExact, "Reception", "5101"},
        DecideCase{"LongestPrefixWins", "+14085559999", NameSource::kPrefix, "Cupertino Office",
                   "+14085559999"},
        DecideCase{"ShorterPrefixWhenLongerDoesNotMatch", "+12125551212", NameSource::kPrefix,
                   "North America", "+12125551212"},
        DecideCase{"PrefixEqualToNumber", "+1408555", NameSource::kPrefix, "Cupertino Office",
                   "+1408555"},
        DecideCase{"ExactBeatsPrefixOfSameNumber", "+442071234567", NameSource::kExact,
                   "London Exact", "+442071234567"},
        DecideCase{"PrefixEntryCoversLongerNumber", "+4420712345678", NameSource::kPrefix,
                   "London Block", "+4420712345678"},
        DecideCase{"NotFound", "+33142685300", NameSource::kNotFound, std::nullopt, "+33142685300"},
        DecideCase{"ExtensionIsNotAPrefixMatch", "51012", NameSource::kNotFound, std::nullopt,
                   "51012"},
        DecideCase{"PlusIsSignificant", "14085550101", NameSource::kNotFound, std::nullopt,
                   "14085550101"}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    Formatting, DecideTest,
    ::testing::Values(
        DecideCase{"Spaces", "+1 408 555 0101", NameSource::kExact, "Ada Lovelace", "+14085550101"},
        DecideCase{"Punctuation", "+1 (408) 555-0101", NameSource::kExact, "Ada Lovelace",
                   "+14085550101"},
        DecideCase{"Dots", "+1.408.555.0101", NameSource::kExact, "Ada Lovelace", "+14085550101"},
        DecideCase{"TelUri", "tel:+1-408-555-0101", NameSource::kExact, "Ada Lovelace",
                   "+14085550101"},
        DecideCase{"SurroundingWhitespace", " \t+14085550101\n", NameSource::kExact, "Ada Lovelace",
                   "+14085550101"},
        DecideCase{"FormattedPrefixMatch", "+1 (408) 555-7777", NameSource::kPrefix,
                   "Cupertino Office", "+14085557777"}),
    CaseName);

INSTANTIATE_TEST_SUITE_P(
    NoUsableNumber, DecideTest,
    ::testing::Values(
        DecideCase{"NoNumber", "", NameSource::kNoNumber, std::nullopt, std::nullopt},
        DecideCase{"Letters", "anonymous", NameSource::kNotANumber, std::nullopt, std::nullopt},
        DecideCase{"Restricted", "Restricted", NameSource::kNotANumber, std::nullopt, std::nullopt},
        DecideCase{"DigitsWithLetters", "+1408555O101", NameSource::kNotANumber, std::nullopt,
                   std::nullopt},
        DecideCase{"SipUri", "sip:+14085550101@example.com", NameSource::kNotANumber, std::nullopt,
                   std::nullopt},
        DecideCase{"PlusOnly", "+", NameSource::kNotANumber, std::nullopt, std::nullopt},
        DecideCase{"PunctuationOnly", "()-", NameSource::kNotANumber, std::nullopt, std::nullopt},
        DecideCase{"SecondPlus", "+1+4085550101", NameSource::kNotANumber, std::nullopt,
                   std::nullopt},
        DecideCase{"TooLong", std::string(PhoneNumber::kMaxDigits + 1, '1'),
                   NameSource::kNotANumber, std::nullopt, std::nullopt},
        DecideCase{"UnexpandedEntity", "&xxe;", NameSource::kNotANumber, std::nullopt,
                   std::nullopt}),
    CaseName);

TEST(DecideEmptyDirectoryTest, ValidNumberIsNotFound) {
  Snapshot snapshot;
  CallQuery query;
  query.calling_number = "+14085550101";
  Decision decision = Decide(query, snapshot);
  EXPECT_EQ(decision.source, NameSource::kNotFound);
  EXPECT_FALSE(decision.calling_name.has_value());
  ASSERT_TRUE(decision.number.has_value());
  EXPECT_EQ(decision.number->view(), "+14085550101");
}

// Only the calling number decides: the other fields a codec fills never change the answer.
TEST(DecideFieldsTest, OnlyTheCallingNumberIsLookedUp) {
  Snapshot snapshot = MakeSnapshot();
  CallQuery query;
  query.called_number = "+14085550101";
  query.transformed_calling = "+14085550101";
  query.transformed_called = "+14085550101";
  EXPECT_EQ(Decide(query, snapshot).source, NameSource::kNoNumber);
  query.calling_number = "+33142685300";
  EXPECT_EQ(Decide(query, snapshot).source, NameSource::kNotFound);
}

// The decision's name points into the snapshot, which the request pins (no copy per call).
TEST(DecideFieldsTest, NameViewsTheSnapshot) {
  Snapshot snapshot = MakeSnapshot();
  CallQuery query;
  query.calling_number = "+14085550101";
  Decision first = Decide(query, snapshot);
  Decision second = Decide(query, snapshot);
  ASSERT_TRUE(first.calling_name && second.calling_name);
  EXPECT_EQ(first.calling_name->data(), second.calling_name->data());
}

TEST(NameSourceTest, NamesAreStable) {
  EXPECT_EQ(ToString(NameSource::kExact), "exact");
  EXPECT_EQ(ToString(NameSource::kPrefix), "prefix");
  EXPECT_EQ(ToString(NameSource::kNotFound), "not_found");
  EXPECT_EQ(ToString(NameSource::kNoNumber), "no_number");
  EXPECT_EQ(ToString(NameSource::kNotANumber), "not_a_number");
}

}  // namespace
}  // namespace callgate::engine
