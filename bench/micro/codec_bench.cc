// CURRI codec costs per call: parsing a realistic UCM request (curri.md §1.4) and rendering the
// found / not-found responses. Figures go to docs/performance.md; nothing here is asserted.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec/curri.h"

namespace {

using callgate::codec::CurriReader;
using callgate::codec::CurriRequest;
using callgate::codec::CurriStatus;
using callgate::codec::ParseCurriRequest;
using callgate::codec::RenderCurriResponse;

// The Cisco "Hello World" request (curri.md §1.4), with its line breaks inside start tags.
constexpr std::string_view kHelloWorld = R"(<?xml version="1.0" encoding="UTF-8"?>
<Request xmlns="urn:oasis:names:tc:xacml:2.0:context:schema:os">
  <Subject SubjectCategory="urn:oasis:names:tc:xacml:1.0:subject-category:access-subject">
    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:subject:role-id"
               DataType="http://www.w3.org/2001/XMLSchema#string" Issuer="requestor">
      <AttributeValue>CISCO:UC:UCMPolicy</AttributeValue>
    </Attribute>
    <Attribute AttributeId="urn:Cisco:uc:1.0:callingnumber"
               DataType="http://www.w3.org/2001/XMLSchema#string">
      <AttributeValue>9725550101</AttributeValue>
    </Attribute>
    <Attribute AttributeId="urn:Cisco:uc:1.0:callednumber"
               DataType="http://www.w3.org/2001/XMLSchema#string">
      <AttributeValue>50102</AttributeValue>
    </Attribute>
    <Attribute AttributeId="urn:Cisco:uc:1.0:transformedcgpn"
               DataType="http://www.w3.org/2001/XMLSchema#string">
      <AttributeValue>+19725550101</AttributeValue>
    </Attribute>
    <Attribute AttributeId="urn:Cisco:uc:1.0:transformedcdpn"
               DataType="http://www.w3.org/2001/XMLSchema#string">
      <AttributeValue>+19725550102</AttributeValue>
    </Attribute>
  </Subject>
  <Resource>
    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:resource:resource-id"
               DataType="http://www.w3.org/2001/XMLSchema#anyURI">
      <AttributeValue>CISCO:UC:VoiceOrVideoCall</AttributeValue>
    </Attribute>
  </Resource>
  <Action>
    <Attribute AttributeId="urn:oasis:names:tc:xacml:1.0:action:action-id"
               DataType="http://www.w3.org/2001/XMLSchema#anyURI">
      <AttributeValue>any</AttributeValue>
    </Attribute>
  </Action>
  <Environment>
    <Attribute AttributeId="urn:Cisco:uc:1.0:triggerpointtype"
               DataType="http://www.w3.org/2001/XMLSchema#string">
      <AttributeValue>translationpattern</AttributeValue>
    </Attribute>
  </Environment>
</Request>
)";

void ParseHelloWorld(benchmark::State& state, bool collect_attributes, CurriReader reader) {
  for (auto _ : state) {
    CurriRequest request = ParseCurriRequest(kHelloWorld, collect_attributes, reader);
    benchmark::DoNotOptimize(request);
    if (request.status != CurriStatus::kOk) state.SkipWithError("hello world did not parse");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kHelloWorld.size()));
}

// What the server does: the attribute scanner reads the request.
void BM_ParseHelloWorld(benchmark::State& state) {
  ParseHelloWorld(state, false, CurriReader::kFastPath);
}
BENCHMARK(BM_ParseHelloWorld);

void BM_ParseHelloWorldCollectingAttributes(benchmark::State& state) {
  ParseHelloWorld(state, true, CurriReader::kFastPath);
}
BENCHMARK(BM_ParseHelloWorldCollectingAttributes);

// The same request read through pugixml's tree: what every request cost before the scanner, and
// what a document outside the scanner's subset still costs.
void BM_ParseHelloWorldWithPugixml(benchmark::State& state) {
  ParseHelloWorld(state, false, CurriReader::kPugixml);
}
BENCHMARK(BM_ParseHelloWorldWithPugixml);

// A refused DTD never reaches the XML parser: this is the cost of saying no.
void BM_ParseDoctypeRefused(benchmark::State& state) {
  std::string body = "<!DOCTYPE Request [<!ENTITY a \"b\">]>" + std::string(kHelloWorld);
  for (auto _ : state) {
    CurriRequest request = ParseCurriRequest(body);
    benchmark::DoNotOptimize(request);
  }
}
BENCHMARK(BM_ParseDoctypeRefused);

void Render(benchmark::State& state, std::optional<std::string_view> name) {
  callgate::engine::Decision decision;
  decision.calling_name = name;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string body = RenderCurriResponse(decision);
    bytes += body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_RenderFound(benchmark::State& state) { Render(state, "Ada Lovelace"); }
BENCHMARK(BM_RenderFound);

void BM_RenderNotFound(benchmark::State& state) { Render(state, std::nullopt); }
BENCHMARK(BM_RenderNotFound);

void BM_RenderFoundWithEscapes(benchmark::State& state) {
  Render(state, "Tom & Jerry's <Deli> \xE2\x80\x94 J\xC3\xB6hn");
}
BENCHMARK(BM_RenderFoundWithEscapes);

}  // namespace

BENCHMARK_MAIN();
