// The Cisco CURRI (External Call Control) codec: XACML request body -> CallQuery, and
// Decision -> XACML response body carrying an escaped CIXML obligation.
// Formats: Cisco's CURRI developer pages (request, response, CIXML escaping); the team's notes
// on them are protocols/curri.md §1-2 in the shared design folder.
//
// Pure functions: no I/O, no logging, no global state; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/call_query.h"
#include "engine/decision.h"

namespace callgate::codec {

enum class CurriStatus : std::uint8_t {
  kOk,         // a calling number was found (query.calling_number is non-empty)
  kEmptyBody,  // the body was empty or only whitespace
  kMalformed,  // not well-formed XML (see CurriRequest::error)
  kDoctype,    // the document has a DTD; refused without reading it (no entity is ever expanded)
  kNoNumber,   // well-formed, but neither callingnumber nor transformedcgpn has a value
};

std::string_view ToString(CurriStatus status);  // "ok", "empty_body", "malformed", ...

struct CurriRequest {
  CurriStatus status = CurriStatus::kEmptyBody;
  engine::CallQuery query;  // filled as far as the document allowed
  std::string error;  // parser message for kMalformed, e.g. "unexpected end of data at offset 12"
  // Every <Attribute> with an AttributeId, in document order, as (AttributeId, trimmed value);
  // filled only when ParseCurriRequest() is asked to (for DEBUG logging).
  std::vector<std::pair<std::string, std::string>> attributes;
};

// How ParseCurriRequest() reads the document. The two always give the same result; the tests and
// the fuzz target hold them to that.
enum class CurriReader : std::uint8_t {
  kFastPath,  // the attribute scanner (xacml_scan.h) for the plain documents UCM sends, pugixml
              // for every other one: what the server uses
  kPugixml,   // pugixml's tree for every document: the reference the scanner is checked against
};

// Parses an XACML request. Attributes are matched by AttributeId wherever they are in the
// document, with or without the XACML namespace or a namespace prefix; values are trimmed;
// CDATA and character references are understood. The calling number is
// urn:Cisco:uc:1.0:callingnumber, or urn:Cisco:uc:1.0:transformedcgpn when that is absent or
// blank. Callers enforce the body-size limit before calling.
// Details: AttributeIds compare ASCII-case-insensitively; when one repeats, its first non-blank
// value wins; any "<!DOCTYPE" in the body (even inside a comment) gives kDoctype without the
// document being parsed. Linear in the body size; never throws.
CurriRequest ParseCurriRequest(std::string_view body, bool collect_attributes = false,
                               CurriReader reader = CurriReader::kFastPath);

// The response body for `decision`, byte-identical to the Python ucm_name_lookup service:
// Permit + continue, with <modify callingname="..."/> when the decision has a name. The name is
// escaped twice (CIXML attribute, then XACML text) and control characters are dropped
// (C0, DEL, C1, and the XML non-characters U+FFFE/U+FFFF); a byte that is not well-formed UTF-8
// becomes U+FFFD, so the body is always valid UTF-8. A name empty after that renders as none.
std::string RenderCurriResponse(const engine::Decision& decision);

// The Content-Type of every CURRI response: text/xml; charset="utf-8"
inline constexpr std::string_view kCurriContentType = "text/xml; charset=\"utf-8\"";

}  // namespace callgate::codec
