#include "codec/curri.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/phone_number.h"
#include "test_files.h"

namespace callgate::codec {
namespace {

using testing::ReadTestFile;

constexpr std::string_view kCalling = "urn:Cisco:uc:1.0:callingnumber";
constexpr std::string_view kCalled = "urn:Cisco:uc:1.0:callednumber";
constexpr std::string_view kTransformedCgpn = "urn:Cisco:uc:1.0:transformedcgpn";
constexpr std::string_view kTrigger = "urn:Cisco:uc:1.0:triggerpointtype";
constexpr std::string_view kCallingDevice = "urn:Cisco:uc:1.0:callingdevicename";

std::string Attr(std::string_view id, std::string_view value) {
  return "<Attribute AttributeId=\"" + std::string(id) +
         "\" DataType=\"http://www.w3.org/2001/XMLSchema#string\"><AttributeValue>" +
         std::string(value) + "</AttributeValue></Attribute>";
}

// A well-formed XACML request whose <Subject> holds `attributes`.
std::string Xacml(std::string_view attributes) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<Request xmlns=\"urn:oasis:names:tc:xacml:2.0:context:schema:os\"><Subject>" +
         std::string(attributes) + "</Subject></Request>";
}

// The same document as UTF-16LE with a byte-order mark (ASCII input only).
std::string Utf16Le(std::string_view ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

struct ParseCase {
  std::string name;
  std::string body;
  CurriStatus status;
  std::string calling;  // expected query.calling_number
};

// Keeps failure messages readable: gtest would otherwise dump the struct's bytes.
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

std::string PrintName(const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; }

class ParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseTest, StatusAndCallingNumber) {
  const ParseCase& c = GetParam();
  CurriRequest request = ParseCurriRequest(c.body);
  EXPECT_EQ(ToString(request.status), ToString(c.status));
  EXPECT_EQ(request.query.calling_number, c.calling);
  EXPECT_EQ(request.query.front_end, "curri");
  EXPECT_TRUE(request.attributes.empty()) << "collected without being asked to";
  if (c.status == CurriStatus::kMalformed) {
    EXPECT_NE(request.error, "");
  } else {
    EXPECT_EQ(request.error, "");
  }
}

// The server's reader (the scanner, pugixml when it declines) against pugixml alone: every field,
// the collected attributes and the error message must be the same.
TEST_P(ParseTest, FastPathReadsAsPugixmlDoes) {
  const ParseCase& c = GetParam();
  CurriRequest fast = ParseCurriRequest(c.body, /*collect_attributes=*/true);
  CurriRequest dom = ParseCurriRequest(c.body, /*collect_attributes=*/true, CurriReader::kPugixml);
  EXPECT_EQ(ToString(fast.status), ToString(dom.status));
  EXPECT_EQ(fast.error, dom.error);
  EXPECT_EQ(fast.attributes, dom.attributes);
  const engine::CallQuery& f = fast.query;
  const engine::CallQuery& d = dom.query;
  EXPECT_EQ(f.calling_number, d.calling_number);
  EXPECT_EQ(f.called_number, d.called_number);
  EXPECT_EQ(f.transformed_calling, d.transformed_calling);
  EXPECT_EQ(f.transformed_called, d.transformed_called);
  EXPECT_EQ(f.trigger_point, d.trigger_point);
  EXPECT_EQ(f.calling_device, d.calling_device);
  EXPECT_EQ(f.front_end, d.front_end);
}

INSTANTIATE_TEST_SUITE_P(
    NumberSelection, ParseTest,
    ::testing::Values(
        ParseCase{"CallingNumberOnly", Xacml(Attr(kCalling, "9725550101")), CurriStatus::kOk,
                  "9725550101"},
        ParseCase{"CallingWinsOverTransformed",
                  Xacml(Attr(kCalling, "9725550101") + Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "9725550101"},
        ParseCase{
            "AttributeOrderDoesNotMatter",
            Xacml(Attr(kTrigger, "translationpattern") + Attr(kTransformedCgpn, "+19725550101") +
                  Attr(kCalled, "50102") + Attr(kCalling, "9725550101")),
            CurriStatus::kOk, "9725550101"},
        ParseCase{"EmptyCallingFallsBack",
                  Xacml(Attr(kCalling, "") + Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"WhitespaceCallingFallsBack",
                  Xacml(Attr(kCalling, " \r\n\t ") + Attr(kTransformedCgpn, " +19725550101 ")),
                  CurriStatus::kOk, "+19725550101"},
        // Python's str.strip() trims Unicode spaces too: a value of only no-break spaces is
        // blank there, and the Python service fell back to transformedcgpn.
        ParseCase{
            "NoBreakSpaceCallingFallsBack",
            Xacml(Attr(kCalling, "\xC2\xA0\xC2\xA0") + Attr(kTransformedCgpn, "+19725550101")),
            CurriStatus::kOk, "+19725550101"},
        ParseCase{"CharacterReferencedNoBreakSpaceFallsBack",
                  Xacml(Attr(kCalling, "&#160;") + Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"SelfClosingValueFallsBack",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                        "<AttributeValue/></Attribute>" +
                        Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"MissingValueElementFallsBack",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"/>" +
                        Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"AbsentCallingFallsBack", Xacml(Attr(kTransformedCgpn, "+19725550101")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"TransformedBeforeEmptyCalling",
                  Xacml(Attr(kTransformedCgpn, "+19725550101") + Attr(kCalling, "   ")),
                  CurriStatus::kOk, "+19725550101"},
        ParseCase{"FirstNonBlankDuplicateWins",
                  Xacml(Attr(kCalling, " ") + Attr(kCalling, "111") + Attr(kCalling, "222")),
                  CurriStatus::kOk, "111"},
        ParseCase{"AttributeIdCaseInsensitive",
                  Xacml(Attr("urn:cisco:UC:1.0:CallingNumber", "9725550101")), CurriStatus::kOk,
                  "9725550101"},
        ParseCase{"AttributeIdPaddedWithSpaces",
                  Xacml(Attr(" urn:Cisco:uc:1.0:callingnumber\n", "9725550101")), CurriStatus::kOk,
                  "9725550101"},
        ParseCase{"NoNumberAtAll", Xacml(Attr(kCalled, "50102") + Attr(kTrigger, "x")),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"BothBlank", Xacml(Attr(kCalling, " ") + Attr(kTransformedCgpn, "")),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"EmptyRequest", "<Request/>", CurriStatus::kNoNumber, ""},
        ParseCase{"AttributeWithoutId",
                  Xacml("<Attribute><AttributeValue>123</AttributeValue>"
                        "</Attribute>"),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"ValueOutsideAttributeValue",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                        "<Value>123</Value>456</Attribute>"),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"LowerCaseElementNamesAreNotXacml",
                  "<request><attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                  "<attributevalue>123</attributevalue></attribute></request>",
                  CurriStatus::kNoNumber, ""}),
    PrintName);

INSTANTIATE_TEST_SUITE_P(
    ValueSyntax, ParseTest,
    ::testing::Values(
        ParseCase{"WhitespaceAroundValue", Xacml(Attr(kCalling, "\n    9725550101 \t\r\n")),
                  CurriStatus::kOk, "9725550101"},
        ParseCase{"UnicodeSpacesAroundValue",
                  Xacml(Attr(kCalling, "\xE3\x80\x80+14085550101\xC2\xA0")), CurriStatus::kOk,
                  "+14085550101"},
        ParseCase{"InnerSpacesKept", Xacml(Attr(kCalling, " 972 555 0101 ")), CurriStatus::kOk,
                  "972 555 0101"},
        ParseCase{"Cdata", Xacml(Attr(kCalling, "<![CDATA[+14085550101]]>")), CurriStatus::kOk,
                  "+14085550101"},
        ParseCase{"CdataPaddedInsideAndOut",
                  Xacml(Attr(kCalling, "\n  <![CDATA[ +14085550101 ]]>\n  ")), CurriStatus::kOk,
                  "+14085550101"},
        ParseCase{"CdataHoldingMarkup", Xacml(Attr(kCalling, "<![CDATA[<x>&amp;]]>")),
                  CurriStatus::kOk, "<x>&amp;"},
        ParseCase{"DecimalCharacterReference", Xacml(Attr(kCalling, "&#43;14085550101")),
                  CurriStatus::kOk, "+14085550101"},
        ParseCase{"HexCharacterReference", Xacml(Attr(kCalling, "&#x2B;1408555&#x30;101")),
                  CurriStatus::kOk, "+14085550101"},
        ParseCase{"CharacterReferencedWhitespaceTrimmed",
                  Xacml(Attr(kCalling, "&#32;&#x9;14085550101&#10;")), CurriStatus::kOk,
                  "14085550101"},
        ParseCase{"PredefinedEntities", Xacml(Attr(kCalling, "&lt;&amp;&gt;&quot;&apos;")),
                  CurriStatus::kOk, "<&>\"'"},
        ParseCase{"TextSplitByComment", Xacml(Attr(kCalling, "+1408<!-- x -->5550101")),
                  CurriStatus::kOk, "+14085550101"},
        ParseCase{"TextAndCdataJoined", Xacml(Attr(kCalling, "+1408<![CDATA[555]]>0101")),
                  CurriStatus::kOk, "+14085550101"},
        // Without a DTD an unknown entity cannot be expanded; pugixml keeps it as text, which
        // is never a phone number.
        ParseCase{"UndeclaredEntityStaysLiteral", Xacml(Attr(kCalling, "&xxe;")), CurriStatus::kOk,
                  "&xxe;"},
        ParseCase{"NewlinesInsideStartTags",
                  "<Request\n xmlns=\"urn:oasis:names:tc:xacml:2.0:context:schema:os\"\n>"
                  "<Attribute\n    AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"\r\n"
                  "    DataType=\"http://www.w3.org/2001/XMLSchema#string\"\n>"
                  "<AttributeValue\n>5101</AttributeValue\n></Attribute></Request\n>",
                  CurriStatus::kOk, "5101"}),
    PrintName);

INSTANTIATE_TEST_SUITE_P(
    DocumentShape, ParseTest,
    ::testing::Values(
        ParseCase{"MissingNamespace",
                  "<Request><Subject>" + Attr(kCalling, "5101") + "</Subject></Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"PrefixedNamespaceFile", ReadTestFile("xacml/prefixed_namespace.xml"),
                  CurriStatus::kOk, "+14085550101"},
        ParseCase{"PrefixedNamespaceInline",
                  "<x:Request xmlns:x=\"urn:oasis:names:tc:xacml:2.0:context:schema:os\">"
                  "<x:Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                  "<x:AttributeValue>5101</x:AttributeValue></x:Attribute></x:Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"AttributeAtAnyDepth",
                  "<Request><A><B><C>" + Attr(kCalling, "5101") + "</C></B></A></Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"AttributeIsTheRoot", Attr(kCalling, "5101"), CurriStatus::kOk, "5101"},
        ParseCase{"NoXmlDeclaration", "<Request>" + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"Utf8ByteOrderMark", "\xEF\xBB\xBF" + Xacml(Attr(kCalling, "5101")),
                  CurriStatus::kOk, "5101"},
        ParseCase{"Utf16Document", Utf16Le("<Request>" + Attr(kCalling, "5101") + "</Request>"),
                  CurriStatus::kOk, "5101"},
        ParseCase{"HelloWorldFile", ReadTestFile("xacml/hello_world.xml"), CurriStatus::kOk,
                  "9725550101"},
        ParseCase{"DirectoryNumberFile", ReadTestFile("xacml/directory_number.xml"),
                  CurriStatus::kOk, "+12028055054"}),
    PrintName);

INSTANTIATE_TEST_SUITE_P(
    EmptyAndMalformed, ParseTest,
    ::testing::Values(
        ParseCase{"EmptyBody", "", CurriStatus::kEmptyBody, ""},
        ParseCase{"WhitespaceBody", " \r\n\t \n", CurriStatus::kEmptyBody, ""},
        ParseCase{"PlainText", "callingnumber=5101", CurriStatus::kMalformed, ""},
        ParseCase{"JsonBody", "{\"callingnumber\": \"5101\"}", CurriStatus::kMalformed, ""},
        ParseCase{"DeclarationOnly", "<?xml version=\"1.0\"?>", CurriStatus::kMalformed, ""},
        ParseCase{"ByteOrderMarkOnly", "\xEF\xBB\xBF", CurriStatus::kMalformed, ""},
        ParseCase{"LoneAngleBracket", "<", CurriStatus::kMalformed, ""},
        ParseCase{"UnclosedRoot", "<Request>" + Attr(kCalling, "5101"), CurriStatus::kMalformed,
                  ""},
        ParseCase{"MismatchedTags", "<Request><Subject>" + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kMalformed, ""},
        ParseCase{"UnquotedAttribute",
                  "<Request><Attribute AttributeId=urn:Cisco:uc:1.0:callingnumber>"
                  "<AttributeValue>5101</AttributeValue></Attribute></Request>",
                  CurriStatus::kMalformed, ""},
        ParseCase{"TruncatedHelloWorld", ReadTestFile("xacml/hello_world.xml").substr(0, 700),
                  CurriStatus::kMalformed, ""},
        ParseCase{"CallTelemetryBrokenFile", ReadTestFile("xacml/calltelemetry_broken.xml"),
                  CurriStatus::kMalformed, ""}),
    PrintName);

// Documents at the edges of the scanner's subset (xacml_scan.h): some it reads, some it leaves to
// pugixml. FastPathReadsAsPugixmlDoes holds both readers to the same answer on each.
INSTANTIATE_TEST_SUITE_P(
    ScannerEdges, ParseTest,
    ::testing::Values(
        ParseCase{"SingleQuotesAndSpacesAroundEquals",
                  "<Request><Attribute AttributeId = 'urn:Cisco:uc:1.0:callingnumber'>"
                  "<AttributeValue>5101</AttributeValue></Attribute></Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"FirstAttributeIdOfAnElementCounts",
                  "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\" "
                  "AttributeId=\"urn:Cisco:uc:1.0:callednumber\">"
                  "<AttributeValue>5101</AttributeValue></Attribute></Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"NestedAttributeIsNotRead",
                  Xacml("<Attribute AttributeId=\"x\">" + Attr(kCalling, "5101") + "</Attribute>"),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"SecondValueIsNotRead",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                        "<AttributeValue> </AttributeValue><AttributeValue>5101</AttributeValue>"
                        "</Attribute>"),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"ValueDeeperThanAChildIsNotRead",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                        "<X><AttributeValue>5101</AttributeValue></X></Attribute>"),
                  CurriStatus::kNoNumber, ""},
        ParseCase{"ValueHoldingAnElement",
                  Xacml("<Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                        "<AttributeValue>+1408<b>x</b>5550101</AttributeValue></Attribute>"),
                  CurriStatus::kOk, "+14085550101"},
        ParseCase{"ProcessingInstructionInside",
                  "<Request><?pi x?>" + Attr(kCalling, "5101") + "</Request>", CurriStatus::kOk,
                  "5101"},
        ParseCase{"StylesheetBeforeRoot",
                  "<?xml-stylesheet href=\"x\"?><Request>" + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"StandaloneDeclaration",
                  "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\" ?>"
                  "<Request>" +
                      Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"Latin1Declaration",
                  "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Request>" +
                      Attr(kCallingDevice, "Caf\xE9") + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"EncodingHiddenInTheVersion",
                  "<?xml version=\"en encoding='latin1'\" encoding=\"UTF-8\"?><Request>" +
                      Attr(kCallingDevice, "Caf\xE9") + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"VerticalTabInsideATag", "<Request\v>" + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kMalformed, ""},
        ParseCase{"AttributesWithoutSpaceBetween",
                  "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\"a=\"b\">"
                  "<AttributeValue>5101</AttributeValue></Attribute></Request>",
                  CurriStatus::kMalformed, ""},
        ParseCase{"AngleBracketInAnAttributeValue",
                  "<Request a=\"<\">" + Attr(kCalling, "5101") + "</Request>", CurriStatus::kOk,
                  "5101"},
        ParseCase{"TextAfterTheRoot", "<Request>" + Attr(kCalling, "5101") + "</Request>tail",
                  CurriStatus::kOk, "5101"},
        ParseCase{"TwoRoots", "<A/><Request>" + Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"NulAfterTheRoot",
                  std::string("<Request>") + Attr(kCalling, "5101") + "</Request>" +
                      std::string(1, '\0') + "<",
                  CurriStatus::kOk, "5101"},
        ParseCase{"NonAsciiElementName",
                  "<R\xC3\xA9quest>" + Attr(kCalling, "5101") + "</R\xC3\xA9quest>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"DeeperThanTheScannerGoes",
                  [] {
                    std::string open, close;
                    for (int i = 0; i < 40; ++i) {
                      open += "<d>";
                      close += "</d>";
                    }
                    return open + Attr(kCalling, "5101") + close;
                  }(),
                  CurriStatus::kOk, "5101"},
        ParseCase{"EndTagWithSpace", "<Request>" + Attr(kCalling, "5101") + "</Request \n>",
                  CurriStatus::kOk, "5101"},
        ParseCase{"SpaceBeforeSelfClosingSlash",
                  "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\" />"
                  "</Request>",
                  CurriStatus::kNoNumber, ""},
        ParseCase{"SlashNotFollowedByBracket", "<Request/ >", CurriStatus::kMalformed, ""},
        // The scan reports the first attribute, then declines at the comment: what it
        // recorded must not stay (the collected list would hold callednumber twice).
        ParseCase{"DeclinedAfterAnAttribute",
                  Xacml(Attr(kCalled, "50102") + "<!-- -->" + Attr(kCalling, "5101")),
                  CurriStatus::kOk, "5101"}),
    PrintName);

// Every DTD is refused before anything is read from the document, so none yields a number.
INSTANTIATE_TEST_SUITE_P(
    Doctype, ParseTest,
    ::testing::Values(
        ParseCase{"BillionLaughsFile", ReadTestFile("xacml/billion_laughs.xml"),
                  CurriStatus::kDoctype, ""},
        ParseCase{"XxeFile", ReadTestFile("xacml/xxe.xml"), CurriStatus::kDoctype, ""},
        ParseCase{"PlainDoctype", "<!DOCTYPE Request>" + Xacml(Attr(kCalling, "5101")),
                  CurriStatus::kDoctype, ""},
        ParseCase{"InternalEntity",
                  "<!DOCTYPE Request [<!ENTITY n \"5101\">]><Request>" + Attr(kCalling, "&n;") +
                      "</Request>",
                  CurriStatus::kDoctype, ""},
        ParseCase{"ExternalDtd",
                  "<!DOCTYPE Request SYSTEM \"http://127.0.0.1:1/x.dtd\"><Request>" +
                      Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kDoctype, ""},
        ParseCase{"PublicDtd",
                  "<!DOCTYPE Request PUBLIC \"-//X//DTD X//EN\" \"file:///etc/passwd\">"
                  "<Request>" +
                      Attr(kCalling, "5101") + "</Request>",
                  CurriStatus::kDoctype, ""},
        ParseCase{"ParameterEntity",
                  "<!DOCTYPE r [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/e.dtd\"> %p;]><r>" +
                      Attr(kCalling, "5101") + "</r>",
                  CurriStatus::kDoctype, ""},
        ParseCase{"LowerCaseDoctype", "<!doctype Request>" + Xacml(Attr(kCalling, "5101")),
                  CurriStatus::kDoctype, ""},
        ParseCase{"DoctypeAfterRoot", Xacml(Attr(kCalling, "5101")) + "<!DOCTYPE Request>",
                  CurriStatus::kDoctype, ""},
        ParseCase{
            "DoctypeInsideElement",
            "<Request><!DOCTYPE x [<!ENTITY a \"1\">]>" + Attr(kCalling, "5101") + "</Request>",
            CurriStatus::kDoctype, ""},
        ParseCase{"UnterminatedDoctype", "<!DOCTYPE Request [<!ENTITY a \"", CurriStatus::kDoctype,
                  ""},
        ParseCase{"Utf16Doctype",
                  Utf16Le("<!DOCTYPE Request [<!ENTITY n \"5101\">]><Request>" +
                          Attr(kCalling, "&n;") + Attr(kTransformedCgpn, "5101") + "</Request>"),
                  CurriStatus::kDoctype, ""}),
    PrintName);

TEST(ParseDoctypeTest, RefusedDocumentsYieldNothingUsable) {
  for (const char* file : {"xacml/billion_laughs.xml", "xacml/xxe.xml"}) {
    SCOPED_TRACE(file);
    std::string body = ReadTestFile(file);
    ASSERT_FALSE(body.empty());
    CurriRequest request = ParseCurriRequest(body, /*collect_attributes=*/true);
    EXPECT_EQ(request.status, CurriStatus::kDoctype);
    EXPECT_FALSE(PhoneNumber::Parse(request.query.calling_number).has_value());
    EXPECT_EQ(request.query.transformed_calling, "");
    EXPECT_TRUE(request.attributes.empty());
  }
}

TEST(ParseFieldsTest, HelloWorldFillsEveryField) {
  CurriRequest request = ParseCurriRequest(ReadTestFile("xacml/hello_world.xml"));
  ASSERT_EQ(request.status, CurriStatus::kOk);
  EXPECT_EQ(request.query.calling_number, "9725550101");
  EXPECT_EQ(request.query.called_number, "50102");
  EXPECT_EQ(request.query.transformed_calling, "+19725550101");
  EXPECT_EQ(request.query.transformed_called, "+19725550102");
  EXPECT_EQ(request.query.trigger_point, "translationpattern");
  EXPECT_EQ(request.query.calling_device, "");
}

TEST(ParseFieldsTest, DirectoryNumberRequestCarriesDevice) {
  CurriRequest request = ParseCurriRequest(ReadTestFile("xacml/directory_number.xml"));
  ASSERT_EQ(request.status, CurriStatus::kOk);
  EXPECT_EQ(request.query.calling_number, "+12028055054");
  EXPECT_EQ(request.query.called_number, "88109");
  EXPECT_EQ(request.query.transformed_calling, "+12028055054");
  EXPECT_EQ(request.query.transformed_called, "88109");
  EXPECT_EQ(request.query.trigger_point, "directorynumber");
  EXPECT_EQ(request.query.calling_device, "CSR1000v");
}

TEST(ParseFieldsTest, NoNumberStillFillsTheOtherFields) {
  CurriRequest request =
      ParseCurriRequest(Xacml(Attr(kCalled, " 50102 ") + Attr(kTrigger, "routepattern")));
  EXPECT_EQ(request.status, CurriStatus::kNoNumber);
  EXPECT_EQ(request.query.called_number, "50102");
  EXPECT_EQ(request.query.trigger_point, "routepattern");
}

TEST(ParseFieldsTest, Latin1DocumentIsConvertedToUtf8) {
  std::string body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Request>" +
                     Attr(kCalling, "5101") +
                     Attr("urn:Cisco:uc:1.0:callingdevicename", "Caf\xE9") + "</Request>";
  CurriRequest request = ParseCurriRequest(body);
  ASSERT_EQ(request.status, CurriStatus::kOk);
  EXPECT_EQ(request.query.calling_device, "Caf\xC3\xA9");
}

TEST(ParseFieldsTest, DeepNestingDoesNotExhaustTheStack) {
  constexpr int kDepth = 200000;
  std::string body;
  for (int i = 0; i < kDepth; ++i) body += "<a>";
  body += Attr(kCalling, "5101");
  for (int i = 0; i < kDepth; ++i) body += "</a>";
  CurriRequest request = ParseCurriRequest(body);
  EXPECT_EQ(request.status, CurriStatus::kOk);
  EXPECT_EQ(request.query.calling_number, "5101");
}

TEST(ParseMalformedTest, ErrorNamesTheProblemAndOffset) {
  CurriRequest request = ParseCurriRequest("<Request><Subject></Request>");
  EXPECT_EQ(request.status, CurriStatus::kMalformed);
  EXPECT_NE(request.error.find("at offset "), std::string::npos) << request.error;
  EXPECT_EQ(request.query.calling_number, "");
}

TEST(ParseMalformedTest, CallTelemetryDocumentFailsCleanly) {
  std::string body = ReadTestFile("xacml/calltelemetry_broken.xml");
  ASSERT_FALSE(body.empty());
  CurriRequest request = ParseCurriRequest(body, /*collect_attributes=*/true);
  EXPECT_EQ(request.status, CurriStatus::kMalformed);
  EXPECT_FALSE(request.error.empty());
  EXPECT_EQ(request.query.calling_number, "");
}

TEST(ParseAttributesTest, CollectsEveryAttributeInDocumentOrder) {
  CurriRequest request =
      ParseCurriRequest(ReadTestFile("xacml/hello_world.xml"), /*collect_attributes=*/true);
  ASSERT_EQ(request.status, CurriStatus::kOk);
  EXPECT_EQ(request.attributes, testing::kHelloWorldAttributes);
}

TEST(ParseAttributesTest, CollectsBlankAndDuplicateValuesButNotIdlessAttributes) {
  CurriRequest request = ParseCurriRequest(
      Xacml(Attr(kCalling, "  ") + "<Attribute><AttributeValue>x</AttributeValue></Attribute>" +
            Attr(kCalling, " 5101 ") + Attr("custom", "v")),
      /*collect_attributes=*/true);
  using Pair = std::pair<std::string, std::string>;
  std::vector<Pair> expected = {
      {std::string(kCalling), ""}, {std::string(kCalling), "5101"}, {"custom", "v"}};
  EXPECT_EQ(request.attributes, expected);
  EXPECT_EQ(request.query.calling_number, "5101");
}

TEST(ParseAttributesTest, NothingCollectedWhenNotAsked) {
  CurriRequest request = ParseCurriRequest(ReadTestFile("xacml/hello_world.xml"));
  EXPECT_EQ(request.status, CurriStatus::kOk);
  EXPECT_TRUE(request.attributes.empty());
}

TEST(CurriStatusTest, NamesAreStable) {
  EXPECT_EQ(ToString(CurriStatus::kOk), "ok");
  EXPECT_EQ(ToString(CurriStatus::kEmptyBody), "empty_body");
  EXPECT_EQ(ToString(CurriStatus::kMalformed), "malformed");
  EXPECT_EQ(ToString(CurriStatus::kDoctype), "doctype");
  EXPECT_EQ(ToString(CurriStatus::kNoNumber), "no_number");
}

}  // namespace
}  // namespace callgate::codec
