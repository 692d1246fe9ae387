#include "codec/curri.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "common/phone_number.h"
#include "directory/phone_directory.h"
#include "engine/policy_engine.h"
#include "engine/snapshot.h"
#include "test_files.h"

namespace callgate::codec {
namespace {

using testing::ReadTestFile;

// What the server does for one CURRI POST: parse, decide, render. A parse failure answers a
// plain continue, exactly like a number without a directory entry.
std::string Answer(const std::string& body, const engine::Snapshot& snapshot) {
  CurriRequest request = ParseCurriRequest(body);
  if (request.status != CurriStatus::kOk) return RenderCurriResponse(engine::Decision{});
  return RenderCurriResponse(engine::Decide(request.query, snapshot));
}

engine::Snapshot MakeSnapshot() {
  directory::PhoneDirectoryBuilder builder;
  auto add = [&builder](const char* number, const char* name, directory::MatchType type) {
    builder.Add(*PhoneNumber::Parse(number), name, type);
  };
  add("9725550101", "Ada Lovelace", directory::MatchType::kExact);
  add("+1202", "Tom & Jerry's <Deli>", directory::MatchType::kPrefix);
  add("+14085550101", "Smith & Sons \"Sales\"", directory::MatchType::kExact);
  engine::Snapshot snapshot;
  snapshot.directory = builder.Build();
  return snapshot;
}

struct PipelineCase {
  std::string name;
  std::string request;  // under tests/data/xacml/, or inline XML when it starts with '<'
  std::string golden;   // under tests/data/golden/
};

void PrintTo(const PipelineCase& c, std::ostream* os) { *os << c.name; }

std::string CaseName(const ::testing::TestParamInfo<PipelineCase>& param_info) {
  return param_info.param.name;
}

class PipelineTest : public ::testing::TestWithParam<PipelineCase> {};

TEST_P(PipelineTest, RequestBytesToResponseBytes) {
  const PipelineCase& c = GetParam();
  std::string body = c.request.starts_with('<') ? c.request : ReadTestFile("xacml/" + c.request);
  ASSERT_FALSE(body.empty()) << c.request;
  std::string golden = ReadTestFile("golden/" + c.golden);
  ASSERT_FALSE(golden.empty()) << c.golden;
  EXPECT_EQ(Answer(body, MakeSnapshot()), golden);
}

INSTANTIATE_TEST_SUITE_P(
    Curri, PipelineTest,
    ::testing::Values(
        PipelineCase{"HelloWorldExact", "hello_world.xml", "curri_found.xml"},
        PipelineCase{"TrunkCallPrefix", "directory_number.xml", "curri_escaping.xml"},
        PipelineCase{"PrefixedCdata", "prefixed_namespace.xml", "curri_quotes.xml"},
        PipelineCase{"XxeAnswersPlainContinue", "xxe.xml", "curri_not_found.xml"},
        PipelineCase{"BillionLaughsAnswersPlainContinue", "billion_laughs.xml",
                     "curri_not_found.xml"},
        PipelineCase{"BrokenAnswersPlainContinue", "calltelemetry_broken.xml",
                     "curri_not_found.xml"},
        PipelineCase{"UnknownNumber",
                     "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                     "<AttributeValue>+33142685300</AttributeValue></Attribute></Request>",
                     "curri_not_found.xml"},
        PipelineCase{"AnonymousCaller",
                     "<Request><Attribute AttributeId=\"urn:Cisco:uc:1.0:callingnumber\">"
                     "<AttributeValue>anonymous</AttributeValue></Attribute></Request>",
                     "curri_not_found.xml"}),
    CaseName);

}  // namespace
}  // namespace callgate::codec
