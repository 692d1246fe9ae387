#include "codec/xacml_scan.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_files.h"

namespace callgate::codec {
namespace {

using testing::ReadTestFile;
using Seen = std::vector<std::pair<std::string, std::string>>;

class Recorder final : public AttributeVisitor {
 public:
  void OnAttribute(std::string_view attribute_id, std::string_view value) override {
    seen.emplace_back(attribute_id, value);
  }
  Seen seen;
};

struct ScanCase {
  std::string name;
  std::string body;
  Seen seen;  // what the scan reports, in order
};

void PrintTo(const ScanCase& c, std::ostream* os) { *os << c.name; }
std::string PrintName(const ::testing::TestParamInfo<ScanCase>& info) { return info.param.name; }

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

std::string Attr(std::string_view id, std::string_view value) {
  return "<Attribute AttributeId=\"" + std::string(id) + "\"><AttributeValue>" +
         std::string(value) + "</AttributeValue></Attribute>";
}

std::string Nested(int depth, const std::string& inside) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += "<d>";
    close += "</d>";
  }
  return open + inside + close;
}

// Documents in the subset: the scan reads them and reports exactly these attributes.
class ScanAcceptsTest : public ::testing::TestWithParam<ScanCase> {};

TEST_P(ScanAcceptsTest, ReportsEveryAttribute) {
  const ScanCase& c = GetParam();
  Recorder recorder;
  ASSERT_TRUE(ScanXacmlAttributes(c.body, recorder));
  EXPECT_EQ(recorder.seen, c.seen);
}

INSTANTIATE_TEST_SUITE_P(
    Subset, ScanAcceptsTest,
    ::testing::Values(
        ScanCase{"HelloWorldFile", ReadTestFile("xacml/hello_world.xml"),
                 testing::kHelloWorldAttributes},
        ScanCase{"NoDeclaration", "<Request>" + Attr("a", "1") + "</Request>", {{"a", "1"}}},
        ScanCase{"DeclarationVariants",
                 "<?xml version='1.0' encoding = \"utf-8\" standalone=\"no\" ?>\r\n<R>" +
                     Attr("a", "1") + "</R>\n",
                 {{"a", "1"}}},
        ScanCase{"ValuesUntrimmedAsWritten",
                 "<R>" + Attr(" a\n", "\n  +1408 555\t") + "</R>",
                 {{" a\n", "\n  +1408 555\t"}}},
        ScanCase{"PrefixedNames",
                 "<x:R xmlns:x=\"u\"><x:Attribute AttributeId=\"a\">"
                 "<x:AttributeValue>1</x:AttributeValue></x:Attribute></x:R>",
                 {{"a", "1"}}},
        ScanCase{"LookalikeNamesAreNotAttributes",
                 "<R><xAttribute AttributeId=\"a\"><AttributeValue>1</AttributeValue>"
                 "</xAttribute><Attributes AttributeId=\"b\"/></R>",
                 {}},
        ScanCase{"SelfClosingAttributeAndValue",
                 "<R><Attribute AttributeId=\"a\"/><Attribute AttributeId=\"b\">"
                 "<AttributeValue/></Attribute></R>",
                 {{"a", ""}, {"b", ""}}},
        ScanCase{"AttributeWithoutIdNotReported",
                 "<R><Attribute>" + Attr("in", "1") + "</Attribute>" + Attr("out", "2") + "</R>",
                 {{"out", "2"}}},
        ScanCase{"NestedAttributesNotReported",
                 "<R><Attribute AttributeId=\"a\">" + Attr("in", "1") +
                     "<AttributeValue>2</AttributeValue></Attribute></R>",
                 {{"a", "2"}}},
        ScanCase{"OnlyTheFirstValue",
                 "<R><Attribute AttributeId=\"a\"><AttributeValue>1</AttributeValue>"
                 "<AttributeValue><b/></AttributeValue></Attribute></R>",
                 {{"a", "1"}}},
        ScanCase{"OnlyDirectChildValues",
                 "<R><Attribute AttributeId=\"a\"><v><AttributeValue>1</AttributeValue></v>"
                 "</Attribute></R>",
                 {{"a", ""}}},
        ScanCase{"FirstIdOfAnElement",
                 "<R><Attribute AttributeId=\"a\" AttributeId=\"b\"/></R>",
                 {{"a", ""}}},
        ScanCase{"MarkupCharactersInValues",
                 "<R q='say \"hi\" >'><Attribute AttributeId=\"a>b\"><AttributeValue>x > y"
                 "</AttributeValue></Attribute></R>",
                 {{"a>b", "x > y"}}},
        ScanCase{"Utf8InValues", "<R>" + Attr("a", "Caf\xC3\xA9") + "</R>", {{"a", "Caf\xC3\xA9"}}},
        ScanCase{"RootIsTheAttribute", Attr("a", "1"), {{"a", "1"}}},
        ScanCase{"AsDeepAsTheScannerGoes",
                 Nested(static_cast<int>(kMaxScanDepth) - 2, Attr("a", "1")),
                 {{"a", "1"}}}),
    PrintName);

// Documents outside the subset: declined, to be read by pugixml.
class ScanDeclinesTest : public ::testing::TestWithParam<ScanCase> {};

TEST_P(ScanDeclinesTest, LeavesTheDocumentToPugixml) {
  Recorder recorder;
  EXPECT_FALSE(ScanXacmlAttributes(GetParam().body, recorder));
}

const std::string kBody = "<Request>" + Attr("a", "1") + "</Request>";

INSTANTIATE_TEST_SUITE_P(
    OutsideTheSubset, ScanDeclinesTest,
    ::testing::Values(
        ScanCase{"Empty", "", {}}, ScanCase{"LeadingSpace", " " + kBody, {}},
        ScanCase{"ByteOrderMark", "\xEF\xBB\xBF" + kBody, {}},
        ScanCase{"Nul", kBody + std::string(1, '\0'), {}},
        ScanCase{"CharacterReference", "<Request>" + Attr("a", "&#49;") + "</Request>", {}},
        ScanCase{"AmpersandAnywhere", "<Request x=\"&amp;\">" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"Comment", "<Request><!-- c -->" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"Cdata", "<Request>" + Attr("a", "<![CDATA[1]]>") + "</Request>", {}},
        ScanCase{"Doctype", "<!DOCTYPE Request>" + kBody, {}},
        ScanCase{"ProcessingInstruction", "<Request><?pi x?>" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"StylesheetInstruction", "<?xml-stylesheet href=\"x\"?>" + kBody, {}},
        ScanCase{"UpperCaseDeclaration", "<?XML version=\"1.0\"?>" + kBody, {}},
        ScanCase{
            "Latin1Declaration", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + kBody, {}},
        ScanCase{"WordsInTheVersion", "<?xml version=\"en\" encoding=\"UTF-8\"?>" + kBody, {}},
        ScanCase{"UnknownDeclarationField", "<?xml version=\"1.0\" x=\"y\"?>" + kBody, {}},
        ScanCase{
            "DeclarationWithoutSpace", "<?xml version=\"1.0\"encoding=\"UTF-8\"?>" + kBody, {}},
        ScanCase{"UnterminatedDeclaration", "<?xml version=\"1.0\"" + kBody, {}},
        ScanCase{"DeclarationOnly", std::string(kDeclaration), {}},
        ScanCase{"TextBeforeTheRoot", std::string(kDeclaration) + "x" + kBody, {}},
        ScanCase{"TextAfterTheRoot", kBody + "x", {}}, ScanCase{"TwoRoots", kBody + "<A/>", {}},
        ScanCase{"UnclosedRoot", "<Request>" + Attr("a", "1"), {}},
        ScanCase{"MismatchedEndTag", "<Request><S>" + Attr("a", "1") + "</Request></S>", {}},
        ScanCase{"EndTagFirst", "</Request>", {}},
        ScanCase{"NonAsciiName", "<R\xC3\xA9>" + Attr("a", "1") + "</R\xC3\xA9>", {}},
        ScanCase{"DigitStartsAName", "<1R>" + Attr("a", "1") + "</1R>", {}},
        ScanCase{"VerticalTabAsSpace", "<Request\v>" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"AttributesNotSeparated",
                 "<Request a=\"1\"b=\"2\">" + Attr("a", "1") + "</Request>",
                 {}},
        ScanCase{"UnquotedAttribute", "<Request a=1>" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"UnterminatedAttribute", "<Request a=\"1>" + Attr("a", "1") + "</Request>", {}},
        ScanCase{
            "AngleBracketInAttribute", "<Request a=\"<\">" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"AttributeWithoutValue", "<Request a>" + Attr("a", "1") + "</Request>", {}},
        ScanCase{"SlashWithoutBracket", "<Request/ >", {}},
        ScanCase{"ElementInsideTheValue", "<Request>" + Attr("a", "1<b/>") + "</Request>", {}},
        ScanCase{"TooDeep", Nested(static_cast<int>(kMaxScanDepth) + 1, Attr("a", "1")), {}}),
    PrintName);

// A declined scan may have reported attributes before it stopped: callers must discard them.
TEST(ScanTest, DeclinedPartWayMayHaveReported) {
  Recorder recorder;
  EXPECT_FALSE(ScanXacmlAttributes("<R>" + Attr("a", "1") + "<!-- -->" + "</R>", recorder));
  EXPECT_EQ(recorder.seen, (Seen{{"a", "1"}}));
}

}  // namespace
}  // namespace callgate::codec
