// Fuzzes the CURRI codec: ParseCurriRequest() on arbitrary bytes, then RenderCurriResponse() with
// names taken from the input. Aborts when an invariant of the contract breaks: a response that
// pugixml cannot parse (or whose CIXML it cannot parse), a response that is not valid UTF-8 or
// holds a control character, a printable-ASCII name that does not round-trip exactly, or a
// parse result inconsistent with its status, or a document that the server's reader (the
// attribute scanner, pugixml when it declines) reads differently from pugixml alone.
#include <pugixml.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/curri.h"
#include "common/strings.h"

namespace {

using callgate::codec::CurriRequest;
using callgate::codec::CurriStatus;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckParse(const CurriRequest& request) {
  Check(request.query.front_end == "curri");
  const std::string& calling = request.query.calling_number;
  Check(calling == callgate::Trim(calling));
  switch (request.status) {
    case CurriStatus::kOk:
      Check(!calling.empty());
      break;
    case CurriStatus::kMalformed:
      Check(!request.error.empty());
      [[fallthrough]];
    case CurriStatus::kEmptyBody:
    case CurriStatus::kDoctype:
      Check(calling.empty() && request.query.transformed_calling.empty());
      Check(request.attributes.empty());
      break;
    case CurriStatus::kNoNumber:
      Check(calling.empty() && request.query.transformed_calling.empty());
      break;
  }
}

// The scanner accepts only documents pugixml reads the same way: every field must agree.
void CheckSameAsPugixml(std::string_view input, const CurriRequest& fast) {
  CurriRequest dom = callgate::codec::ParseCurriRequest(input, /*collect_attributes=*/true,
                                                        callgate::codec::CurriReader::kPugixml);
  Check(fast.status == dom.status && fast.error == dom.error && fast.attributes == dom.attributes);
  const callgate::engine::CallQuery& f = fast.query;
  const callgate::engine::CallQuery& d = dom.query;
  Check(f.calling_number == d.calling_number && f.called_number == d.called_number);
  Check(f.transformed_calling == d.transformed_calling);
  Check(f.transformed_called == d.transformed_called);
  Check(f.trigger_point == d.trigger_point && f.calling_device == d.calling_device);
}

// Length of the valid UTF-8 sequence at `s`, or 0; mirrors RFC 3629 (no overlongs, surrogates).
std::size_t ValidSequence(std::string_view s) {
  auto b = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  std::size_t n = b(0) < 0x80 ? 1 : b(0) < 0xC2 ? 0 : b(0) < 0xE0 ? 2 : b(0) < 0xF0 ? 3 : 4;
  if (n == 0 || b(0) > 0xF4 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
  }
  if (n == 3) {
    unsigned cp = ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  }
  if (n == 4) {
    unsigned cp = ((b(0) & 0x07u) << 18) | ((b(1) & 0x3Fu) << 12) | ((b(2) & 0x3Fu) << 6);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
  }
  if (n == 2 && b(0) == 0xC2 && b(1) < 0xA0) return 0;  // C1 control
  return n;
}

// Valid UTF-8 with no control character at all (the response is one line).
void CheckCleanUtf8(std::string_view s) {
  while (!s.empty()) {
    std::size_t n = ValidSequence(s);
    Check(n != 0);
    Check(n > 1 || (s[0] >= 0x20 && s[0] != 0x7F));
    s.remove_prefix(n);
  }
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

void CheckRender(std::string_view name) {
  callgate::engine::Decision decision;
  decision.calling_name = name;
  std::string response = callgate::codec::RenderCurriResponse(decision);
  CheckCleanUtf8(response);
  pugi::xml_document document;
  Check(static_cast<bool>(document.load_buffer(response.data(), response.size())));
  pugi::xml_node value =
      document.child("Response").child("Result").child("Obligations").child("Obligation");
  std::string cixml = value.child("AttributeAssignment").child("AttributeValue").text().get();
  pugi::xml_document directive;
  Check(static_cast<bool>(directive.load_buffer(cixml.data(), cixml.size())));
  pugi::xml_node cont = directive.child("cixml").child("continue");
  Check(static_cast<bool>(cont));
  pugi::xml_node modify = cont.child("modify");
  Check(!modify || !modify.next_sibling());
  if (!name.empty() && IsPrintableAscii(name)) {
    Check(std::string_view(modify.attribute("callingname").value()) == name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CurriRequest request = callgate::codec::ParseCurriRequest(input, /*collect_attributes=*/true);
  CheckParse(request);
  CheckSameAsPugixml(input, request);
  CheckRender(input);
  CheckRender(request.query.calling_number);
  CheckRender(request.query.calling_device);
  return 0;
}
