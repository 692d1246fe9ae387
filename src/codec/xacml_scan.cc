// The XACML attribute scanner. A cursor over the body that accepts only the subset described in
// xacml_scan.h and returns false at the first byte outside it: it never reports an error of its
// own, because pugixml, which reads every declined document, words those better.
#include "codec/xacml_scan.h"

#include <array>
#include <cstring>

#include "common/strings.h"

namespace callgate::codec {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);  // "no such element open"

// Character classes, one table lookup per byte in the loops that look at every byte.
enum CharClass : unsigned char { kSpace = 1, kNameStart = 2, kName = 4 };

constexpr std::array<unsigned char, 256> kCharClasses = [] {
  std::array<unsigned char, 256> classes{};
  // XML whitespace as pugixml counts it; vertical tab and form feed are not, so they are declined.
  for (unsigned char c : {' ', '\t', '\r', '\n'}) classes[c] = kSpace;
  // ASCII names only: a name with any other byte is declined.
  for (int c = 0; c < 256; ++c) {
    bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
    bool other = (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (letter) classes[c] = kNameStart | kName;
    if (other) classes[c] = kName;
  }
  return classes;
}();

bool Is(char c, CharClass cls) { return (kCharClasses[static_cast<unsigned char>(c)] & cls) != 0; }

bool IsVersionNumber(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (!(c == '.' || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// The declaration's pseudo-attributes, held to values in which pugixml's encoding sniffing (it
// looks for "en" anywhere in the declaration) can only find the encoding field, and that only
// UTF-8.
bool IsPlainDeclarationField(std::string_view name, std::string_view value) {
  if (name == "version") return IsVersionNumber(value);
  if (name == "encoding") return EqualsIgnoreCase(value, "UTF-8");
  if (name == "standalone") return value == "yes" || value == "no";
  return false;
}

// A cursor over the document. Run() first makes sure the document's last byte that is not
// whitespace is a '>': that byte stops every loop over names and whitespace, so those loops need
// no bounds check, and every byte read while a tag is open lies before it.
class Scanner {
 public:
  Scanner(std::string_view body, AttributeVisitor& visitor)
      : p_(body.data()), end_(body.data() + body.size()), visitor_(visitor) {}

  bool Run() {
    if (p_ == end_ || *p_ != '<') return false;
    std::size_t size = static_cast<std::size_t>(end_ - p_);
    if (std::memchr(p_, '\0', size) != nullptr || std::memchr(p_, '&', size) != nullptr) {
      return false;
    }
    while (Is(end_[-1], kSpace)) --end_;  // stops at the leading '<' at the latest
    if (end_[-1] != '>') return false;
    if (!Declaration() || p_ == end_) return false;
    SkipSpace();
    do {
      if (*p_ != '<' || !Tag()) return false;
      if (depth_ == 0) break;  // the root element is closed
      if (!Text()) return false;
    } while (true);
    return p_ == end_;  // only whitespace follows the root element
  }

 private:
  bool Consume(char c) {
    if (*p_ != c) return false;
    ++p_;
    return true;
  }

  bool SkipSpace() {
    const char* start = p_;
    while (Is(*p_, kSpace)) ++p_;
    return p_ != start;
  }

  // An ASCII name at the cursor, or "" when there is none.
  std::string_view Name() {
    const char* start = p_;
    if (!Is(*p_, kNameStart)) return {};
    while (Is(*p_, kName)) ++p_;
    return {start, static_cast<std::size_t>(p_ - start)};
  }

  // Moves the cursor to the next `c` before end_; false when there is none.
  bool SkipTo(char c) {
    const void* found = std::memchr(p_, c, static_cast<std::size_t>(end_ - p_));
    if (found == nullptr) return false;
    p_ = static_cast<const char*>(found);
    return true;
  }

  // `name = "value"` (or single quotes), whitespace allowed around '='; the cursor is on the name.
  bool NameValuePair(std::string_view& name, std::string_view& value) {
    name = Name();
    if (name.empty()) return false;
    SkipSpace();
    if (!Consume('=')) return false;
    SkipSpace();
    char quote = *p_;
    if (quote != '"' && quote != '\'') return false;
    const char* start = ++p_;
    if (!SkipTo(quote)) return false;
    value = {start, static_cast<std::size_t>(p_ - start)};
    ++p_;
    return value.find('<') == std::string_view::npos;  // '<' is left to pugixml
  }

  // An optional `<?xml version="1.0" encoding="UTF-8"?>` at the very start.
  bool Declaration() {
    std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
    if (!rest.starts_with("<?")) return true;
    if (!rest.starts_with("<?xml")) return false;
    p_ += 5;
    while (true) {
      bool spaced = SkipSpace();
      if (p_[0] == '?' && p_[1] == '>') {  // '?' is never the last byte: '>' is
        p_ += 2;
        return true;
      }
      std::string_view name, value;
      if (!spaced || !NameValuePair(name, value)) return false;
      if (!IsPlainDeclarationField(name, value)) return false;
    }
  }

  // A start or end tag; the cursor is on its '<'.
  bool Tag() {
    ++p_;
    return Consume('/') ? EndTag() : StartTag();
  }

  bool StartTag() {
    std::string_view name = Name();
    if (name.empty()) return false;  // also "<!" and "<?": comments, CDATA, DTDs, PIs
    std::string_view id;
    bool has_id = false;
    while (true) {
      bool spaced = SkipSpace();
      if (Consume('>')) return Open(name, has_id, id, /*self_closing=*/false);
      if (Consume('/')) return Consume('>') && Open(name, has_id, id, /*self_closing=*/true);
      std::string_view attribute, value;
      if (!spaced || !NameValuePair(attribute, value)) return false;
      if (!has_id && attribute == "AttributeId") {  // the first one counts, as in pugixml
        id = value;
        has_id = true;
      }
    }
  }

  bool Open(std::string_view name, bool has_id, std::string_view id, bool self_closing) {
    if (value_depth_ != kNone) return false;  // an element inside the value: left to pugixml
    if (attribute_depth_ == kNone && HasLocalName(name, "Attribute")) {
      attribute_depth_ = depth_;
      has_id_ = has_id;
      id_ = id;
      value_ = {};
      value_seen_ = false;
    } else if (attribute_depth_ != kNone && depth_ == attribute_depth_ + 1 && !value_seen_ &&
               HasLocalName(name, "AttributeValue")) {
      value_seen_ = true;
      if (!self_closing) value_depth_ = depth_;
    }
    if (self_closing) return Closed();
    if (depth_ == kMaxScanDepth) return false;
    open_[depth_++] = name;
    return true;
  }

  // `</name>` for the innermost open element; the cursor is after "</".
  bool EndTag() {
    if (depth_ == 0) return false;
    std::string_view open = open_[depth_ - 1];
    for (char c : open) {  // stops at a mismatch, at the latest on the final '>'
      if (*p_ != c) return false;
      ++p_;
    }
    if (Is(*p_, kName)) return false;  // a longer name
    SkipSpace();
    if (!Consume('>')) return false;
    --depth_;
    return Closed();
  }

  // The element at depth_ has just ended.
  bool Closed() {
    if (depth_ == value_depth_) value_depth_ = kNone;
    if (depth_ == attribute_depth_) {
      if (has_id_) visitor_.OnAttribute(id_, value_);
      attribute_depth_ = kNone;
    }
    return true;
  }

  // The text up to the next tag; kept when it is the content of the value being read. Most text
  // is the indentation between tags.
  bool Text() {
    const char* start = p_;
    if (p_ == end_) return false;
    SkipSpace();
    if (*p_ != '<' && !SkipTo('<')) return false;
    if (value_depth_ != kNone) value_ = {start, static_cast<std::size_t>(p_ - start)};
    return true;
  }

  const char* p_;    // the cursor
  const char* end_;  // one past the document's last '>' once Run() has begun
  AttributeVisitor& visitor_;
  std::array<std::string_view, kMaxScanDepth> open_;  // names of the open elements
  std::size_t depth_ = 0;
  // The outermost <Attribute> being read: its depth, its id, and its first <AttributeValue>.
  std::size_t attribute_depth_ = kNone;
  bool has_id_ = false;
  std::string_view id_;
  bool value_seen_ = false;
  std::size_t value_depth_ = kNone;  // the depth of that <AttributeValue> while it is open
  std::string_view value_;
};

}  // namespace

bool HasLocalName(std::string_view name, std::string_view local) {
  if (name.size() < local.size() || name.back() != local.back()) return false;  // most names
  if (!name.ends_with(local)) return false;
  return name.size() == local.size() || name[name.size() - local.size() - 1] == ':';
}

bool ScanXacmlAttributes(std::string_view body, AttributeVisitor& visitor) {
  return Scanner(body, visitor).Run();
}

}  // namespace callgate::codec
