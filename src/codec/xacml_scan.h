// The CURRI codec's fast path: reads the <Attribute> elements of an XACML request in one pass over
// its bytes, without building a tree, for the plain documents UCM sends. Anything outside a small,
// strict subset of XML is declined, and the caller parses that document with pugixml instead.
//
// The subset, chosen so that pugixml (with the codec's flags) reads every accepted document the
// same way, byte for byte:
// * the first byte is '<' (no byte-order mark, no UTF-16/32) and no byte is NUL or '&' (so no
//   entity or character reference is ever left to interpret);
// * an optional XML declaration at the very start, whose pseudo-attributes are version (digits
//   and dots), encoding (UTF-8, any case) and standalone (yes / no);
// * then exactly one root element, with only whitespace (space, tab, CR, LF) around it;
// * elements and end tags only: no comment, CDATA section, DTD or processing instruction;
// * ASCII names; attributes separated by whitespace, values quoted, without '<';
// * every end tag names the element it closes; nesting at most kMaxScanDepth deep;
// * the first <AttributeValue> of an <Attribute> holds text only (no child element).
//
// Pure: no I/O, no allocation, no global state. Linear in the body's size.
#pragma once

#include <cstddef>
#include <string_view>

namespace callgate::codec {

inline constexpr std::size_t kMaxScanDepth = 32;

// Receives the attributes a scan finds. A scan that is declined part-way may already have called
// it: discard what it received when ScanXacmlAttributes() returns false.
class AttributeVisitor {
 public:
  // One outermost <Attribute> element (local name, any namespace prefix) that has an AttributeId:
  // the id and the text of its first <AttributeValue> child ("" when it has none), both exactly as
  // written (untrimmed). <Attribute> elements nested inside another one are not reported, the same
  // as the codec's walk of pugixml's tree.
  virtual void OnAttribute(std::string_view attribute_id, std::string_view value) = 0;

 protected:
  ~AttributeVisitor() = default;
};

// True for "Attribute" and "any:Attribute" when `local` is "Attribute": the namespace prefix is
// ignored. Both of the codec's readers match element names with it.
bool HasLocalName(std::string_view name, std::string_view local);

// True when `body` is in the subset above and every attribute was reported to `visitor`, in
// document order; false when the document must be read by the full parser instead.
bool ScanXacmlAttributes(std::string_view body, AttributeVisitor& visitor);

}  // namespace callgate::codec
