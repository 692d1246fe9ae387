#include "codec/curri.h"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "test_files.h"

namespace callgate::codec {
namespace {

using testing::ReadTestFile;

engine::Decision Found(std::string_view name) {
  engine::Decision decision;
  decision.calling_name = name;
  decision.source = engine::NameSource::kExact;
  return decision;
}

template <typename Case>
std::string CaseName(const ::testing::TestParamInfo<Case>& param_info) {
  return param_info.param.name;
}

engine::Decision NotFound() {
  engine::Decision decision;
  decision.source = engine::NameSource::kNotFound;
  return decision;
}

// ---- Golden files: bytes produced by the Python service's algorithm (make_golden.py) ----

struct GoldenCase {
  std::string name;
  std::optional<std::string> calling_name;
  std::string file;
};

// Keeps failure messages readable: gtest would otherwise dump the struct's bytes.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, ByteIdenticalToPythonService) {
  const GoldenCase& c = GetParam();
  std::string golden = ReadTestFile("golden/" + c.file);
  ASSERT_FALSE(golden.empty()) << c.file;
  std::string rendered = RenderCurriResponse(c.calling_name ? Found(*c.calling_name) : NotFound());
  EXPECT_EQ(rendered, golden);
}

INSTANTIATE_TEST_SUITE_P(
    Curri, GoldenTest,
    ::testing::Values(GoldenCase{"Found", "Ada Lovelace", "curri_found.xml"},
                      GoldenCase{"NotFound", std::nullopt, "curri_not_found.xml"},
                      GoldenCase{"Escaping", "Tom & Jerry's <Deli>", "curri_escaping.xml"},
                      GoldenCase{"Quotes", "Smith & Sons \"Sales\"", "curri_quotes.xml"},
                      GoldenCase{
                          "NonAscii",
                          "J\xC3\xB6hn Smith & Co \xE2\x80\x94 \xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA"
                          "\xE9\x83\x8E \xF0\x9F\x98\x80",
                          "curri_non_ascii.xml"}),
    CaseName<GoldenCase>);

TEST(RenderTest, FoundMatchesTheIssueTextExactly) {
  EXPECT_EQ(
      RenderCurriResponse(Found("Ada Lovelace")),
      "<?xml encoding=\"UTF-8\" version=\"1.0\"?><Response><Result><Decision>Permit</Decision>"
      "<Status></Status><Obligations><Obligation FulfillOn=\"Permit\" "
      "ObligationId=\"urn:cisco:xacml:policy-attribute\"><AttributeAssignment "
      "AttributeId=\"Policy:simplecontinue\"><AttributeValue "
      "DataType=\"http://www.w3.org/2001/XMLSchema#string\">&lt;cixml ver=\"1.0\"&gt;"
      "&lt;continue&gt;&lt;modify callingname=\"Ada Lovelace\"/&gt;&lt;/continue&gt;"
      "&lt;/cixml&gt;</AttributeValue></AttributeAssignment></Obligation></Obligations>"
      "</Result></Response>");
}

TEST(RenderTest, EscapingMatchesTheIssueText) {
  std::string rendered = RenderCurriResponse(Found("Tom & Jerry's <Deli>"));
  EXPECT_NE(rendered.find("callingname=\"Tom &amp;amp; Jerry&amp;apos;s &amp;lt;Deli&amp;gt;\""),
            std::string::npos)
      << rendered;
}

// An empty name, or one that is empty once control characters are gone, is "not found".
TEST(RenderTest, EmptyNamesRenderAsNotFound) {
  std::string not_found = ReadTestFile("golden/curri_not_found.xml");
  ASSERT_FALSE(not_found.empty());
  for (std::string_view name : {std::string_view(""), std::string_view("\x01\x1F\x7F"),
                                std::string_view("\r\n\t"), std::string_view("\xC2\x80\xC2\x9F")}) {
    EXPECT_EQ(RenderCurriResponse(Found(name)), not_found) << "name bytes: " << name.size();
  }
}

TEST(RenderTest, DecisionSourceDoesNotChangeTheBytes) {
  engine::Decision prefix = Found("Ada Lovelace");
  prefix.source = engine::NameSource::kPrefix;
  EXPECT_EQ(RenderCurriResponse(prefix), RenderCurriResponse(Found("Ada Lovelace")));
  engine::Decision no_number;
  EXPECT_EQ(RenderCurriResponse(no_number), RenderCurriResponse(NotFound()));
}

// ---- Name cleaning: control characters dropped, invalid UTF-8 replaced ----

struct CleanCase {
  std::string name;
  std::string raw;
  std::string expected;  // what the CIXML callingname attribute holds, after both unescapes
};

// The CIXML inside `response`, unescaped once by an XML parser as UCM would.
std::string ExtractCixml(const std::string& response) {
  pugi::xml_document document;
  if (!document.load_buffer(response.data(), response.size())) return "<unparseable response>";
  return document
      .select_node("/Response/Result/Obligations/Obligation/AttributeAssignment/AttributeValue")
      .node()
      .text()
      .get();
}

// The callingname UCM would read from `response`, or nullopt if there is no modify element.
std::optional<std::string> RoundTripName(const std::string& response) {
  std::string cixml = ExtractCixml(response);
  pugi::xml_document document;
  pugi::xml_parse_result result = document.load_buffer(cixml.data(), cixml.size());
  if (!result) return "<unparseable cixml: " + cixml + ">";
  pugi::xml_node modify = document.child("cixml").child("continue").child("modify");
  if (!modify) return std::nullopt;
  return std::string(modify.attribute("callingname").value());
}

void PrintTo(const CleanCase& c, std::ostream* os) { *os << c.name; }

class CleanTest : public ::testing::TestWithParam<CleanCase> {};

TEST_P(CleanTest, ControlCharactersDroppedAndUtf8MadeValid) {
  const CleanCase& c = GetParam();
  std::optional<std::string> name = RoundTripName(RenderCurriResponse(Found(c.raw)));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Names, CleanTest,
    ::testing::Values(
        CleanCase{"C0Dropped", "Ada\tLove\x01lace\r\n", "AdaLovelace"},
        CleanCase{"NulDropped", std::string("Ada\0Lovelace", 12), "AdaLovelace"},
        CleanCase{"DelDropped", "Ada\x7FLovelace", "AdaLovelace"},
        CleanCase{"C1Dropped", "Ada\xC2\x80 \xC2\x85Love\xC2\x9Flace", "Ada Lovelace"},
        CleanCase{"NoBreakSpaceKept", "Ada\xC2\xA0Lovelace", "Ada\xC2\xA0Lovelace"},
        CleanCase{"XmlNonCharactersDropped",
                  "A\xEF\xBF\xBE\xEF\xBF\xBF"
                  "B",
                  "AB"},
        CleanCase{"InvalidByteReplaced",
                  "A\xFF"
                  "B",
                  "A\xEF\xBF\xBD"
                  "B"},
        CleanCase{"LoneContinuationReplaced", "A\x80", "A\xEF\xBF\xBD"},
        CleanCase{"OverlongReplaced", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        CleanCase{"SurrogateReplaced", "\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        CleanCase{"TruncatedSequenceReplaced", "A\xE5\xB1", "A\xEF\xBF\xBD\xEF\xBF\xBD"},
        CleanCase{"AboveUnicodeReplaced", "\xF4\x90\x80\x80",
                  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
        CleanCase{"FourByteKept", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
        CleanCase{"HighestCodePointKept", "\xF4\x8F\xBF\xBD", "\xF4\x8F\xBF\xBD"}),
    CaseName<CleanCase>);

// ---- Round trip: what UCM decodes is exactly the directory name ----

class RoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripTest, UcmRecoversTheExactName) {
  const std::string& name = GetParam();
  std::string response = RenderCurriResponse(Found(name));
  std::optional<std::string> recovered = RoundTripName(response);
  ASSERT_TRUE(recovered.has_value()) << response;
  EXPECT_EQ(*recovered, name) << response;
  // The CIXML carries exactly one directive and one modification, whatever the name holds.
  pugi::xml_document cixml;
  std::string text = ExtractCixml(response);
  ASSERT_TRUE(cixml.load_buffer(text.data(), text.size()));
  EXPECT_EQ(std::distance(cixml.child("cixml").begin(), cixml.child("cixml").end()), 1);
  EXPECT_EQ(std::distance(cixml.child("cixml").child("continue").begin(),
                          cixml.child("cixml").child("continue").end()),
            1);
}

INSTANTIATE_TEST_SUITE_P(
    TrickyNames, RoundTripTest,
    ::testing::Values("Ada Lovelace", "Tom & Jerry's <Deli>", "Smith & Sons \"Sales\"", "&amp;",
                      "&lt;script&gt;", "&#38;&#x26;", "]]>", "<![CDATA[x]]>", "\"/><reject/>",
                      "\"/></continue><reject/><continue a=\"", "'", "\"", "<", ">", "&", "a&&b",
                      "%s%n", "back\\slash", " leading and trailing ", "double  space",
                      "O'Brien-Smith, Jr.", "J\xC3\xB6hn M\xC3\xBCller", "\xE5\xB1\xB1\xE7\x94\xB0",
                      "\xD8\xB9\xD9\x84\xD9\x8A", "\xF0\x9F\x93\x9E Caller",
                      "<?xml version=\"1.0\"?>", "<!DOCTYPE x>", "&xxe;", "=", "a=\"b\" c='d'",
                      std::string(200, '&')));

}  // namespace
}  // namespace callgate::codec
