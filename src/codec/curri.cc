// CURRI codec. Parsing tries the attribute scanner first (xacml_scan.h: one pass, no tree, for
// the plain documents UCM sends) and leans on pugixml for every document the scanner declines (no
// DTD processing, no external entities), walking that tree iteratively so hostile nesting depth
// cannot exhaust the stack. Both readers feed the same RecordAttribute(). Rendering appends
// constant pieces and one escaped name into a single reserved string: it runs once per call.
#include "codec/curri.h"

#include <pugixml.hpp>

#include <array>
#include <exception>
#include <optional>

#include "codec/xacml_scan.h"
#include "common/strings.h"

namespace callgate::codec {
namespace {

// ---- Parsing -------------------------------------------------------------------------------

// The query fields a CURRI request can fill, indexed by kFieldIds.
enum Field : std::size_t {
  kCalling,
  kCalled,
  kTransformedCalling,
  kTransformedCalled,
  kTriggerPoint,
  kCallingDevice,
  kFieldCount,
};

constexpr std::array<std::string_view, kFieldCount> kFieldIds = {
    "urn:Cisco:uc:1.0:callingnumber",    "urn:Cisco:uc:1.0:callednumber",
    "urn:Cisco:uc:1.0:transformedcgpn",  "urn:Cisco:uc:1.0:transformedcdpn",
    "urn:Cisco:uc:1.0:triggerpointtype", "urn:Cisco:uc:1.0:callingdevicename",
};

// No parse_eol / parse_wconv_attribute: values are trimmed anyway. parse_doctype keeps a DTD
// as a node (instead of silently skipping it) so the post-parse check below can see it.
// parse_embed_pcdata keeps an element's leading text in the element itself instead of a child
// node: every <AttributeValue> then costs one node fewer to allocate and to walk.
constexpr unsigned kParseFlags =
    pugi::parse_cdata | pugi::parse_escapes | pugi::parse_doctype | pugi::parse_embed_pcdata;

bool IsBlank(std::string_view s) { return Trim(s).empty(); }

// A CURRI request never carries a DTD, so any "<!DOCTYPE" in the raw bytes (even one inside a
// comment or CDATA) refuses the document before the XML parser sees it: the DTD text is never
// read, whatever entity tricks it holds. Case-insensitive to also catch non-XML spellings.
bool MentionsDoctype(std::string_view body) {
  constexpr std::string_view kDoctype = "DOCTYPE";
  // '!' is rare in a request, '<' is everywhere: look for the '!' and check its neighbours.
  for (std::size_t at = body.find('!', 1); at != std::string_view::npos;
       at = body.find('!', at + 1)) {
    if (body[at - 1] == '<' && EqualsIgnoreCase(body.substr(at + 1, kDoctype.size()), kDoctype)) {
      return true;
    }
  }
  return false;
}

// Catches a DTD the byte scan cannot see, e.g. in a UTF-16 document that pugixml converted.
bool HasDoctypeNode(const pugi::xml_document& document) {
  for (pugi::xml_node node : document.children()) {
    if (node.type() == pugi::node_doctype) return true;
  }
  return false;
}

bool IsElementNamed(pugi::xml_node node, std::string_view local_name) {
  return node.type() == pugi::node_element && HasLocalName(node.name(), local_name);
}

// The node after `node` and its whole subtree, in document order, without recursion.
pugi::xml_node NextAfterSubtree(pugi::xml_node node) {
  for (; node; node = node.parent()) {
    if (pugi::xml_node sibling = node.next_sibling()) return sibling;
  }
  return {};
}

// Depth-first successor of `node` in document order, without recursion.
pugi::xml_node NextNode(pugi::xml_node node) {
  if (pugi::xml_node child = node.first_child()) return child;
  return NextAfterSubtree(node);
}

pugi::xml_node FirstChildElement(pugi::xml_node parent, std::string_view local_name) {
  for (pugi::xml_node child : parent.children()) {
    if (IsElementNamed(child, local_name)) return child;
  }
  return {};
}

bool IsText(pugi::xml_node node) {
  return node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata;
}

// The text of the first <AttributeValue> of `attribute` (RecordAttribute trims it): its text and
// CDATA joined, as an XML infoset reader would see them. The leading text lives in the element's
// own value (parse_embed_pcdata); CDATA and any text after it are child nodes.
std::string AttributeValueText(pugi::xml_node attribute) {
  pugi::xml_node value = FirstChildElement(attribute, "AttributeValue");
  std::string text = value.value();
  for (pugi::xml_node child : value.children()) {
    if (IsText(child)) text += child.value();
  }
  return text;
}

// UCM spells the ids exactly as in kFieldIds; other spellings are accepted at a slower pace.
std::optional<Field> FieldFor(std::string_view attribute_id) {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (attribute_id == kFieldIds[i]) return static_cast<Field>(i);
  }
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (EqualsIgnoreCase(attribute_id, kFieldIds[i])) return static_cast<Field>(i);
  }
  return std::nullopt;
}

std::string* QueryField(engine::CallQuery& query, Field field) {
  switch (field) {
    case kCalling:
      return &query.calling_number;
    case kCalled:
      return &query.called_number;
    case kTransformedCalling:
      return &query.transformed_calling;
    case kTransformedCalled:
      return &query.transformed_called;
    case kTriggerPoint:
      return &query.trigger_point;
    case kCallingDevice:
      return &query.calling_device;
    case kFieldCount:
      break;
  }
  return nullptr;
}

// Records one <Attribute>: its AttributeId as written, and a function giving the text of its
// value (read only when needed), trimmed. When an AttributeId repeats, the first non-blank value
// wins.
template <class ValueText>
void RecordAttribute(std::string_view raw_id, ValueText&& value_text, CurriRequest& request,
                     bool collect) {
  std::string_view attribute_id = Trim(raw_id);
  std::optional<Field> field = FieldFor(attribute_id);
  if (!field && !collect) return;
  auto&& text = value_text();  // a std::string from the tree, a view into the body from the scan
  // As Python's str.strip(): a value of only no-break spaces is blank, and callingnumber falls
  // back to transformedcgpn, as it did there.
  std::string_view value = TrimUnicodeSpace(text);
  if (collect) request.attributes.emplace_back(attribute_id, value);
  if (!field) return;
  std::string* target = QueryField(request.query, *field);
  if (target->empty()) *target = value;
}

void ReadAttribute(pugi::xml_node attribute, CurriRequest& request, bool collect) {
  pugi::xml_attribute id = attribute.attribute("AttributeId");
  if (!id) return;
  RecordAttribute(
      id.value(), [attribute] { return AttributeValueText(attribute); }, request, collect);
}

// Feeds the scanner's attributes to RecordAttribute().
class ScannedAttributes final : public AttributeVisitor {
 public:
  ScannedAttributes(CurriRequest& request, bool collect) : request_(request), collect_(collect) {}

  void OnAttribute(std::string_view attribute_id, std::string_view value) override {
    RecordAttribute(
        attribute_id, [value] { return value; }, request_, collect_);
  }

 private:
  CurriRequest& request_;
  bool collect_;
};

// Visits every <Attribute> in document order. An attribute's own subtree (its values) is read by
// ReadAttribute and not walked again.
void ReadAttributes(const pugi::xml_document& document, CurriRequest& request, bool collect) {
  pugi::xml_node node = document.first_child();
  while (node) {
    if (IsElementNamed(node, "Attribute")) {
      ReadAttribute(node, request, collect);
      node = NextAfterSubtree(node);
    } else {
      node = NextNode(node);
    }
  }
}

// callingnumber was stored in query.calling_number; transformedcgpn stands in when it is blank.
CurriStatus ChooseCallingNumber(engine::CallQuery& query) {
  if (query.calling_number.empty()) query.calling_number = query.transformed_calling;
  return query.calling_number.empty() ? CurriStatus::kNoNumber : CurriStatus::kOk;
}

std::string DescribeParseError(const pugi::xml_parse_result& result) {
  return std::string(result.description()) + " at offset " + std::to_string(result.offset);
}

CurriRequest EmptyRequest() {
  CurriRequest request;
  request.query.front_end = "curri";
  return request;
}

void ParseInto(std::string_view body, bool collect, CurriReader reader, CurriRequest& request) {
  if (IsBlank(body)) return;  // request.status is kEmptyBody by default
  if (MentionsDoctype(body)) {
    request.status = CurriStatus::kDoctype;
    return;
  }
  if (reader == CurriReader::kFastPath) {
    ScannedAttributes scanned(request, collect);
    if (ScanXacmlAttributes(body, scanned)) {
      request.status = ChooseCallingNumber(request.query);
      return;
    }
    request = EmptyRequest();  // declined part-way: forget what the scan recorded
  }
  pugi::xml_document document;
  pugi::xml_parse_result result = document.load_buffer(body.data(), body.size(), kParseFlags);
  if (!result) {
    request.status = CurriStatus::kMalformed;
    request.error = DescribeParseError(result);
    return;
  }
  if (HasDoctypeNode(document)) {
    request.status = CurriStatus::kDoctype;
    return;
  }
  ReadAttributes(document, request, collect);
  request.status = ChooseCallingNumber(request.query);
}

// ---- Rendering -----------------------------------------------------------------------------

// The Python service's bytes: its XML declaration puts encoding before version, and the CIXML
// uses ver="1.0". UCM accepts both; byte identity lets operators diff the two services.
constexpr std::string_view kResponseHead =
    "<?xml encoding=\"UTF-8\" version=\"1.0\"?><Response><Result><Decision>Permit</Decision>"
    "<Status></Status><Obligations><Obligation FulfillOn=\"Permit\" "
    "ObligationId=\"urn:cisco:xacml:policy-attribute\"><AttributeAssignment "
    "AttributeId=\"Policy:simplecontinue\"><AttributeValue "
    "DataType=\"http://www.w3.org/2001/XMLSchema#string\">&lt;cixml "
    "ver=\"1.0\"&gt;&lt;continue&gt;";
constexpr std::string_view kModifyHead = "&lt;modify callingname=\"";
constexpr std::string_view kModifyTail = "\"/&gt;";
constexpr std::string_view kResponseTail =
    "&lt;/continue&gt;&lt;/cixml&gt;</AttributeValue></AttributeAssignment></Obligation>"
    "</Obligations></Result></Response>";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
// Room for a few escapes without a second allocation; a name full of markup just makes the
// string grow once (reserving the worst case, 10 bytes per name byte, wastes memory).
constexpr std::size_t kEscapeSlack = 64;

// A name byte as it goes out after both escaping layers (CIXML attribute, then XACML text),
// or empty when the byte needs none.
std::string_view DoubleEscaped(char c) {
  switch (c) {
    case '&':
      return "&amp;amp;";
    case '<':
      return "&amp;lt;";
    case '>':
      return "&amp;gt;";
    case '"':
      return "&amp;quot;";
    case '\'':
      return "&amp;apos;";
    default:
      return {};
  }
}

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at the start of `s` (Unicode Table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one. `s` is non-empty.
std::size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(0);
  std::size_t length = lead > 0xF4 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if (!IsContinuation(byte(i))) return 0;
  }
  unsigned char second = byte(1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // surrogate
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // above U+10FFFF
  return length;
}

// C1 controls (U+0080-U+009F) and the XML non-characters U+FFFE / U+FFFF are dropped like C0.
bool IsDroppedSequence(std::string_view sequence) {
  if (sequence.size() == 2) {
    return sequence[0] == '\xC2' && static_cast<unsigned char>(sequence[1]) <= 0x9F;
  }
  return sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF";
}

// Appends the non-ASCII sequence at the start of `rest`; returns the bytes consumed. A byte
// that does not start well-formed UTF-8 becomes U+FFFD, so the output is always valid UTF-8.
std::size_t AppendNonAscii(std::string_view rest, std::string& out) {
  std::size_t length = Utf8SequenceLength(rest);
  if (length == 0) {
    out += kReplacement;
    return 1;
  }
  std::string_view sequence = rest.substr(0, length);
  if (!IsDroppedSequence(sequence)) out += sequence;
  return length;
}

bool IsPlainAscii(char c) { return c >= 0x20 && c < 0x7F && DoubleEscaped(c).empty(); }

// Appends `name` as it must appear inside the XACML AttributeValue: control characters removed,
// markup characters escaped twice, runs of plain ASCII copied in one step.
void AppendCallingName(std::string_view name, std::string& out) {
  std::size_t i = 0;
  while (i < name.size()) {
    std::size_t run = i;
    while (run < name.size() && IsPlainAscii(name[run])) ++run;
    out.append(name.substr(i, run - i));
    if (run == name.size()) return;
    char c = name[run];
    if (static_cast<unsigned char>(c) >= 0x80) {
      i = run + AppendNonAscii(name.substr(run), out);
    } else {
      out += DoubleEscaped(c);  // empty for C0 and DEL: dropped
      i = run + 1;
    }
  }
}

// Appends the modify directive, or nothing when the name is empty once cleaned: the Python
// service answers an empty name exactly as "not found".
void AppendModify(std::string_view name, std::string& out) {
  std::size_t mark = out.size();
  out += kModifyHead;
  std::size_t name_start = out.size();
  AppendCallingName(name, out);
  if (out.size() == name_start) {
    out.resize(mark);
    return;
  }
  out += kModifyTail;
}

}  // namespace

std::string_view ToString(CurriStatus status) {
  switch (status) {
    case CurriStatus::kOk:
      return "ok";
    case CurriStatus::kEmptyBody:
      return "empty_body";
    case CurriStatus::kMalformed:
      return "malformed";
    case CurriStatus::kDoctype:
      return "doctype";
    case CurriStatus::kNoNumber:
      return "no_number";
  }
  return "unknown";
}

CurriRequest ParseCurriRequest(std::string_view body, bool collect_attributes, CurriReader reader) {
  CurriRequest request = EmptyRequest();
  try {
    ParseInto(body, collect_attributes, reader, request);
  } catch (const std::exception& e) {  // std::bad_alloc: report it, never let it escape
    request = EmptyRequest();
    request.status = CurriStatus::kMalformed;
    request.error = e.what();
  }
  return request;
}

std::string RenderCurriResponse(const engine::Decision& decision) {
  std::string_view name = decision.calling_name.value_or(std::string_view());
  std::string out;
  out.reserve(kResponseHead.size() + kModifyHead.size() + name.size() + kEscapeSlack +
              kModifyTail.size() + kResponseTail.size());
  out += kResponseHead;
  if (!name.empty()) AppendModify(name, out);
  out += kResponseTail;
  return out;
}

}  // namespace callgate::codec
