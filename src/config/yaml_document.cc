// YAML::LoadAll is not used: yaml-cpp 0.7 never returns from it on some malformed input (on a
// ',' at the top level its parser keeps reporting new empty documents without consuming it;
// found by fuzz/config_fuzz.cc). Counting document starts with the event parser and stopping
// at the second one is bounded, and YAML::Load then builds only the first.
#include "config/yaml_document.h"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/utf8.h"
#include "config/values.h"

namespace callgate::config::internal {
namespace {

class DocumentCounter : public YAML::EventHandler {
 public:
  int count() const { return count_; }
  const YAML::Mark& last_start() const { return last_start_; }
  // The parser reported a document without consuming anything: it is stuck on a token.
  bool stuck() const { return count_ > 1 && last_start_.pos == first_start_.pos; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++count_ == 1) first_start_ = mark;
    last_start_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  int count_ = 0;
  YAML::Mark first_start_ = YAML::Mark::null_mark();
  YAML::Mark last_start_ = YAML::Mark::null_mark();
};

int OneBased(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 0; }

Error SyntaxError(const std::string& message, const YAML::Mark& mark, const std::string& file) {
  return Error{"invalid YAML: " + message + " (column " + std::to_string(mark.column + 1) + ")",
               file, OneBased(mark), ""};
}

// The lines of `text`, 1-based, up to `last` (all of them when `last` is 0), until `visit`
// returns true.
template <typename Visit>
void ForEachLine(std::string_view text, int last, Visit visit) {
  std::size_t start = 0;
  for (int line = 1; start <= text.size() && (last == 0 || line <= last); ++line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (visit(line, text.substr(start, end - start))) return;
    start = end + 1;
  }
}

// The first line up to `last` indented with a tab (comments and blank lines aside), or 0.
int TabIndentedLine(std::string_view text, int last) {
  int found = 0;
  ForEachLine(text, last, [&found](int line, std::string_view content) {
    const std::size_t indent = content.find_first_not_of(" \t");  // npos: a blank line
    if (indent == std::string_view::npos || content[indent] == '#') return false;
    if (content.substr(0, indent).find('\t') == std::string_view::npos) return false;
    found = line;
    return true;
  });
  return found;
}

// The first character of the value on line `number` (`key: value`) when it opens a YAML list or
// mapping, or '\0'.
char OpeningBracketOfValue(std::string_view text, int number) {
  char bracket = '\0';
  ForEachLine(text, number, [&](int line, std::string_view content) {
    if (line != number) return false;
    const std::size_t colon = content.find(": ");
    const std::size_t value =
        colon == std::string_view::npos ? colon : content.find_first_not_of(' ', colon + 2);
    if (value != std::string_view::npos && (content[value] == '[' || content[value] == '{')) {
      bracket = content[value];
    }
    return true;
  });
  return bracket;
}

// yaml-cpp's words for a syntax error say what its parser expected, not what the writer of the
// file did. The usual causes, when the text shows them: indentation with a tab (YAML allows only
// spaces), and a value starting with '[' or '{' that was meant as text ([::1]:5000).
std::string SyntaxHint(std::string_view text, const YAML::Mark& mark) {
  const int line = OneBased(mark);  // 0: not known
  if (const int tabbed = TabIndentedLine(text, line)) {
    return "; line " + std::to_string(tabbed) +
           " is indented with a tab, and YAML indents with spaces only";
  }
  if (const char bracket = line == 0 ? '\0' : OpeningBracketOfValue(text, line)) {
    return "; a value that starts with '" + std::string(1, bracket) +
           "' is a YAML list or mapping: put a value meant as text in quotes";
  }
  return "";
}

// YAML, and PyYAML, end a line at a lone CR (a file from an old Mac) as at LF or CRLF; yaml-cpp
// does not. Such a CR becomes LF, which keeps every line where it was.
std::string WithLoneCrsAsLf(const std::string& text) {
  std::string out = text;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\r' && (i + 1 == out.size() || out[i + 1] != '\n')) out[i] = '\n';
  }
  return out;
}

// Stops at two: that is enough to refuse, and bounds the loop (see the file comment).
Result<int> CountDocuments(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (counter.count() < 2 && parser.HandleNextDocument(counter)) {
  }
  if (counter.stuck()) {
    const auto pos = static_cast<std::size_t>(counter.last_start().pos);
    return SyntaxError("unexpected " + Quote(text.substr(pos, 1)), counter.last_start(), file);
  }
  if (counter.count() > 1) {
    return Error{"expected one YAML document, found more (a second one starts here)", file,
                 OneBased(counter.last_start()), ""};
  }
  return counter.count();
}

// yaml-cpp reads a text as UTF-16 or UTF-32 when a byte-order mark or the NUL bytes of its first
// characters say so (the YAML specification's detection), and as UTF-8 otherwise.
bool ReadAsUtf8(std::string_view text) {
  const std::string_view head = text.substr(0, 4);
  return !head.starts_with("\xFE\xFF") && !head.starts_with("\xFF\xFE") &&
         head.find('\0') == std::string_view::npos;
}

std::string Hex(unsigned char byte) {
  char hex[5];
  std::snprintf(hex, sizeof hex, "0x%02X", byte);
  return hex;
}

// Control characters other than tab and the line ends, which YAML does not allow anywhere (PyYAML
// refuses them). yaml-cpp reads some as escapes: a NUL in `csv_file_path: d<NUL>/x.csv` made it
// `d/x.csv`.
bool IsForbiddenControl(unsigned char byte) {
  return (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') || byte == 0x7F;
}

// yaml-cpp passes bytes that are not UTF-8 through unchecked; PyYAML refuses them. A Latin-1 'é'
// in a certificate subject would never match one, so such a text is refused, at its first bad
// byte, and so is one with a control character. The column counts characters, as an editor does.
Status CheckUtf8(std::string_view text, const std::string& file) {
  if (!ReadAsUtf8(text)) return OkStatus();
  int line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < text.size(); ++column) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++line;
      column = 0;
    }
    if (IsForbiddenControl(byte)) {
      return Error{"the file holds a control character (byte " + Hex(byte) + ") at column " +
                       std::to_string(column) + ", which YAML does not allow; remove it",
                   file, line, ""};
    }
    if (byte < 0x80) {
      ++i;
      continue;
    }
    const Utf8Char decoded = DecodeUtf8(text, i);
    if (!decoded.valid) {
      return Error{"the file is not UTF-8: byte " + Hex(byte) + " at column " +
                       std::to_string(column) + " is not valid UTF-8; save the file as UTF-8",
                   file, line, ""};
    }
    i += decoded.length;
  }
  return OkStatus();
}

}  // namespace

Result<YAML::Node> LoadSingleDocument(const std::string& raw_text, const std::string& file) {
  // Lines first, so that an error in a file of lone CRs is placed on its line.
  const std::string text = ReadAsUtf8(raw_text) ? WithLoneCrsAsLf(raw_text) : raw_text;
  if (Status utf8 = CheckUtf8(text, file); !utf8.ok()) return utf8.error();
  try {
    Result<int> count = CountDocuments(text, file);
    if (!count.ok()) return count.error();
    if (count.value() == 0) return YAML::Node();
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Error error = SyntaxError(e.msg, e.mark, file);
    if (ReadAsUtf8(text)) error.message += SyntaxHint(text, e.mark);
    return error;
  }
}

}  // namespace callgate::config::internal
