#include "directory/phone_directory.h"

#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace callgate::directory {
namespace {

PhoneNumber Number(std::string_view raw) {
  std::optional<PhoneNumber> number = PhoneNumber::Parse(raw);
  EXPECT_TRUE(number.has_value()) << raw;
  return number.value_or(*PhoneNumber::Parse("0"));
}

struct Entry {
  std::string number;
  std::string name;
  MatchType type;
};

struct LookupCase {
  std::string query;
  std::optional<std::string> name;  // std::nullopt: no match
  MatchType type = MatchType::kExact;
  std::size_t matched_length = 0;
};

const std::string k20Digits = "12345678901234567890";  // past the 16-character compact form

const Entry kEntries[] = {
    {"+14085550101", "Ada Lovelace", MatchType::kExact},
    {"+1408", "San Jose", MatchType::kPrefix},
    {"+1408555", "San Jose Downtown", MatchType::kPrefix},
    {"+1", "North America", MatchType::kPrefix},
    {"1", "Domestic", MatchType::kPrefix},
    {"+1212", "New York City", MatchType::kPrefix},
    {"+12125551001", "Alice Johnson", MatchType::kExact},
    {"+12125551001", "Alice (both)", MatchType::kPrefix},  // the same number, both types
    {"0049", "Germany (0049)", MatchType::kPrefix},
    {"49", "Forty-nine", MatchType::kPrefix},
    {"0049301234", "Berlin desk", MatchType::kExact},
    {"+123456789012345", "Fifteen digits", MatchType::kExact},  // 16 characters: still compact
    {"1234567890123456", "Sixteen digits", MatchType::kExact},  // 16 characters: still compact
    {k20Digits, "Twenty digits", MatchType::kExact},
    {k20Digits.substr(0, 18), "Eighteen-digit prefix", MatchType::kPrefix},
    {"+" + std::string(32, '7'), "Longest possible", MatchType::kExact},
};

const LookupCase kLookups[] = {
    {"+14085550101", "Ada Lovelace", MatchType::kExact, 12},
    {"+1 (408) 555-0101", "Ada Lovelace", MatchType::kExact, 12},
    {"+1408/555/0101", "Ada Lovelace", MatchType::kExact, 12},
    {"+14085550102", "San Jose Downtown", MatchType::kPrefix, 8},  // longest prefix wins
    {"+14089999999", "San Jose", MatchType::kPrefix, 5},
    {"+1408", "San Jose", MatchType::kPrefix, 5},  // a number equal to a prefix entry
    {"+1408555", "San Jose Downtown", MatchType::kPrefix, 8},
    {"+15105550000", "North America", MatchType::kPrefix, 2},
    {"+12125551001", "Alice Johnson", MatchType::kExact, 12},  // exact beats prefix
    {"+121255510019", "Alice (both)", MatchType::kPrefix, 12},
    {"+12125559999", "New York City", MatchType::kPrefix, 5},
    {"14085550101", "Domestic", MatchType::kPrefix, 1},  // "+1" and "1" are distinct
    {"+44", std::nullopt},
    {"2", std::nullopt},
    {"0049301234", "Berlin desk", MatchType::kExact, 10},
    {"004930", "Germany (0049)", MatchType::kPrefix, 4},  // "0049" and "49" are distinct
    {"4930", "Forty-nine", MatchType::kPrefix, 2},
    {"049", std::nullopt},
    {"+123456789012345", "Fifteen digits", MatchType::kExact, 16},
    {"+12345678901234", "North America", MatchType::kPrefix, 2},
    {"1234567890123456", "Sixteen digits", MatchType::kExact, 16},
    {"12345678901234567", "Domestic", MatchType::kPrefix, 1},
    {k20Digits, "Twenty digits", MatchType::kExact, 20},
    {k20Digits + "1", "Eighteen-digit prefix", MatchType::kPrefix, 18},
    {k20Digits.substr(0, 18), "Eighteen-digit prefix", MatchType::kPrefix, 18},
    {k20Digits.substr(0, 17), "Domestic", MatchType::kPrefix, 1},
    {"+" + std::string(32, '7'), "Longest possible", MatchType::kExact, 33},
    {"+" + std::string(31, '7'), std::nullopt},
};

PhoneDirectory BuildFrom(const Entry* begin, const Entry* end) {
  PhoneDirectoryBuilder builder;
  for (const Entry* e = begin; e != end; ++e) builder.Add(Number(e->number), e->name, e->type);
  return builder.Build();
}

void ExpectLookups(const PhoneDirectory& directory) {
  for (const LookupCase& c : kLookups) {
    SCOPED_TRACE("query: " + c.query);
    const std::optional<Match> match = directory.Lookup(Number(c.query));
    ASSERT_EQ(match.has_value(), c.name.has_value());
    if (!match) continue;
    EXPECT_EQ(match->name, *c.name);
    EXPECT_EQ(match->type, c.type);
    EXPECT_EQ(match->matched_length, c.matched_length);
  }
}

TEST(PhoneDirectoryTest, ExactThenLongestPrefix) {
  const PhoneDirectory directory = BuildFrom(std::begin(kEntries), std::end(kEntries));
  ExpectLookups(directory);
}

TEST(PhoneDirectoryTest, SameResultsInAnyInsertionOrder) {
  std::vector<Entry> reversed(std::rbegin(kEntries), std::rend(kEntries));
  const PhoneDirectory directory = BuildFrom(reversed.data(), reversed.data() + reversed.size());
  ExpectLookups(directory);
}

TEST(PhoneDirectoryTest, CountsEntriesByType) {
  const PhoneDirectory directory = BuildFrom(std::begin(kEntries), std::end(kEntries));
  EXPECT_EQ(directory.exact_entries(), 7u);
  EXPECT_EQ(directory.prefix_entries(), 9u);
  EXPECT_GT(directory.MemoryBytes(), 0u);
}

TEST(PhoneDirectoryTest, EmptyAndMovedFromDirectoriesMatchNothing) {
  const PhoneDirectory empty;
  EXPECT_FALSE(empty.Lookup(Number("+1")).has_value());
  EXPECT_EQ(empty.exact_entries() + empty.prefix_entries(), 0u);

  PhoneDirectory source = BuildFrom(std::begin(kEntries), std::end(kEntries));
  const std::string_view name = source.Lookup(Number("+14085550101"))->name;
  PhoneDirectory moved(std::move(source));
  EXPECT_FALSE(
      source.Lookup(Number("+14085550101")).has_value());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.MemoryBytes(), 0u);
  // Names live with the tables, not with the PhoneDirectory object, so a move keeps them valid.
  EXPECT_EQ(name, "Ada Lovelace");
  EXPECT_EQ(moved.Lookup(Number("+14085550101"))->name.data(), name.data());

  PhoneDirectory assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.Lookup(Number("+14085550101"))->name, "Ada Lovelace");
}

TEST(PhoneDirectoryTest, AddReportsDuplicatesAndLastWins) {
  PhoneDirectoryBuilder builder;
  EXPECT_TRUE(builder.Add(Number("+1408"), "First", MatchType::kExact));
  EXPECT_TRUE(builder.Add(Number("+1408"), "Prefix", MatchType::kPrefix));
  EXPECT_TRUE(builder.Add(Number("+1409"), "Neighbour", MatchType::kExact));
  EXPECT_FALSE(builder.Add(Number("+1408"), "A much longer second name", MatchType::kExact));
  EXPECT_FALSE(builder.Add(Number("+1 408"), "Third", MatchType::kExact));  // shorter: in place
  EXPECT_TRUE(builder.Add(Number(k20Digits), "Long one", MatchType::kExact));
  EXPECT_FALSE(builder.Add(Number(k20Digits), "Long two", MatchType::kExact));
  const PhoneDirectory directory = builder.Build();
  EXPECT_EQ(directory.Lookup(Number("+1408"))->name, "Third");
  EXPECT_EQ(directory.Lookup(Number("+1409"))->name, "Neighbour");
  EXPECT_EQ(directory.Lookup(Number("+14081"))->name, "Prefix");
  EXPECT_EQ(directory.Lookup(Number(k20Digits))->name, "Long two");
  EXPECT_EQ(directory.exact_entries(), 3u);
}

TEST(PhoneDirectoryTest, AddTaggedReturnsTheReplacedTag) {
  PhoneDirectoryBuilder builder;
  EXPECT_EQ(builder.AddTagged(Number("+1408"), "A", MatchType::kExact, 2), std::nullopt);
  EXPECT_EQ(builder.AddTagged(Number("+1408"), "B", MatchType::kPrefix, 3), std::nullopt);
  EXPECT_EQ(builder.AddTagged(Number("+1408"), "C", MatchType::kExact, 7), 2u);
  EXPECT_EQ(builder.AddTagged(Number("+1408"), "D", MatchType::kExact, 9), 7u);
  EXPECT_EQ(builder.AddTagged(Number("+1408"), "E", MatchType::kPrefix, 11), 3u);
  EXPECT_EQ(builder.AddTagged(Number(k20Digits), "F", MatchType::kExact, 12), std::nullopt);
  EXPECT_EQ(builder.AddTagged(Number(k20Digits), "G", MatchType::kExact, 13), 12u);
  EXPECT_TRUE(builder.Add(Number("+1999"), "untagged", MatchType::kExact));
  EXPECT_EQ(builder.AddTagged(Number("+1999"), "H", MatchType::kExact, 14), 0u);
  const PhoneDirectory directory = builder.Build();
  EXPECT_EQ(directory.Lookup(Number("+1408"))->name, "D");
  EXPECT_EQ(directory.Lookup(Number("+14089"))->name, "E");
}

TEST(PhoneDirectoryTest, BuildEmptiesTheBuilder) {
  PhoneDirectoryBuilder builder;
  builder.Add(Number("+1408"), "A", MatchType::kExact);
  const PhoneDirectory first = builder.Build();
  EXPECT_TRUE(builder.Add(Number("+1408"), "B", MatchType::kExact));
  const PhoneDirectory second = builder.Build();
  EXPECT_EQ(first.Lookup(Number("+1408"))->name, "A");
  EXPECT_EQ(second.Lookup(Number("+1408"))->name, "B");
  EXPECT_EQ(builder.Build().exact_entries(), 0u);
}

TEST(PhoneDirectoryTest, NamesKeepEveryByte) {
  PhoneDirectoryBuilder builder;
  const std::string name("with\0nul and \xE2\x82\xAC", 17);
  builder.Add(Number("1"), name, MatchType::kExact);
  builder.Add(Number("2"), "", MatchType::kExact);
  const PhoneDirectory directory = builder.Build();
  EXPECT_EQ(directory.Lookup(Number("1"))->name, name);
  ASSERT_TRUE(directory.Lookup(Number("2")).has_value());
  EXPECT_EQ(directory.Lookup(Number("2"))->name, "");
}

TEST(PhoneDirectoryTest, OverlongNamesAreCutOnACharacterBoundary) {
  PhoneDirectoryBuilder builder;
  // "€" is three bytes; the limit falls inside the last one, which must go whole.
  std::string name(PhoneDirectoryBuilder::kMaxNameBytes - 1, 'a');
  name += "\xE2\x82\xAC";
  builder.Add(Number("1"), name, MatchType::kExact);
  const PhoneDirectory directory = builder.Build();
  EXPECT_EQ(directory.Lookup(Number("1"))->name.size(), PhoneDirectoryBuilder::kMaxNameBytes - 1);
}

std::string RandomNumber(std::mt19937_64& rng) {
  std::string number = "+1";
  for (int i = 0; i < 10; ++i) number += static_cast<char>('0' + rng() % 10);
  return number;
}

// Enough entries to grow the tables through several rehashes and past the size where they move
// to mmap-backed memory; with and without a (deliberately wrong) reservation.
TEST(PhoneDirectoryTest, ManyEntriesSurviveGrowthAndTrimming) {
  for (const std::size_t reserve : {std::size_t{0}, std::size_t{1'000'000}}) {
    SCOPED_TRACE("reserve " + std::to_string(reserve));
    std::mt19937_64 rng(42);
    std::vector<std::string> numbers;
    PhoneDirectoryBuilder builder;
    builder.Reserve(reserve, reserve * 8);
    for (int i = 0; i < 100'000; ++i) {
      numbers.push_back(RandomNumber(rng));
      builder.Add(Number(numbers.back()), "n" + numbers.back(), MatchType::kExact);
      builder.Add(Number(numbers.back().substr(0, 2 + i % 9)), "p", MatchType::kPrefix);
    }
    const PhoneDirectory directory = builder.Build();
    for (const std::string& number : numbers) {
      const std::optional<Match> match = directory.Lookup(Number(number));
      ASSERT_TRUE(match.has_value()) << number;
      EXPECT_EQ(match->name, "n" + number);
    }
    EXPECT_EQ(directory.Lookup(Number("+19999999999999"))->type, MatchType::kPrefix);
    EXPECT_FALSE(directory.Lookup(Number("+44")).has_value());
    // A reservation of ten times the need is trimmed at Build().
    EXPECT_LT(directory.MemoryBytes(), std::size_t{16} << 20);
  }
}

TEST(PhoneDirectoryTest, ConcurrentReadersSeeTheSameAnswers) {
  const PhoneDirectory directory = BuildFrom(std::begin(kEntries), std::end(kEntries));
  std::vector<int> failures(4, 0);
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&directory, &failures, t] {
      for (int round = 0; round < 2000; ++round) {
        for (const LookupCase& c : kLookups) {
          const std::optional<Match> match = directory.Lookup(*PhoneNumber::Parse(c.query));
          if (match.has_value() != c.name.has_value() || (match && match->name != *c.name)) {
            ++failures[t];
          }
        }
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(PhoneDirectoryTest, MatchTypeNames) {
  EXPECT_EQ(ToString(MatchType::kExact), "exact");
  EXPECT_EQ(ToString(MatchType::kPrefix), "prefix");
}

}  // namespace
}  // namespace callgate::directory
