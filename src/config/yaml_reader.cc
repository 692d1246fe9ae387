#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>
#include <optional>
#include <vector>

#include "common/strings.h"
#include "config/values.h"

namespace callgate::config::internal {
namespace {

// yaml-cpp's tags: "?" for a plain scalar, "!" for '...' and "..." ones, and the tag as written
// otherwise, with "!!" resolved to the YAML prefix.
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kQuotedTag = "!";
constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

bool IsQuoted(const YAML::Node& node) { return node.Tag() == kQuotedTag; }

// A tag written on the value (`!!str true`), as it was written; empty for none.
std::string ExplicitTag(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag.empty() || tag == kPlainTag || tag == kQuotedTag) return "";
  if (tag.starts_with(kYamlTagPrefix)) return "!!" + tag.substr(kYamlTagPrefix.size());
  return tag;
}

Error Expected(const Entry& entry, std::string_view expected, const YAML::Node& got) {
  return entry.Fail("expected " + std::string(expected) + ", got " + Describe(got));
}

Result<std::string> ReadKey(const YAML::Node& key, std::string_view file, int line) {
  if (!key.IsScalar() || key.Scalar().empty()) {
    return Error{"expected a key name, got " + Describe(key), std::string(file), line, ""};
  }
  return key.Scalar();
}

std::string RangeText(std::int64_t min, std::int64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

// Decimal digits with an optional '-', so "-1" gets a range message rather than a type one.
std::optional<std::int64_t> ParseDecimal(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

int LineOf(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : fallback;
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar: {
      const std::string tag = ExplicitTag(node);
      if (!tag.empty()) return Quote(node.Scalar()) + " tagged " + Quote(tag);
      return (IsQuoted(node) ? "the quoted string " : "") + Quote(node.Scalar());
    }
    default:
      return "an empty value";
  }
}

namespace {

// YAML 1.1 merge keys, which PyYAML (and so the Python service) reads and yaml-cpp leaves as a
// plain key named "<<". Aliases make a document's size a poor bound on what merging visits, so
// both the nesting and the entries visited are limited.
constexpr int kMaxMergeDepth = 8;
constexpr std::size_t kMaxMergedEntries = 4096;

bool IsMergeKey(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && !IsQuoted(key);
}

// The errors of a mapping's entries, each with none of its own `more`, for one error carrying
// the others in file order.
class Errors {
 public:
  void Add(const Status& status) {
    if (status.ok()) return;
    const Error& error = status.error();
    errors_.push_back(error);
    errors_.back().more.clear();
    errors_.insert(errors_.end(), error.more.begin(), error.more.end());
  }
  // The first error in the file, carrying the others in file order (merged entries are read
  // after a mapping's own); OkStatus() when there were none.
  Status Take() && {
    if (errors_.empty()) return OkStatus();
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const Error& a, const Error& b) { return a.line < b.line; });
    Error first = std::move(errors_.front());
    first.more.assign(std::make_move_iterator(errors_.begin() + 1),
                      std::make_move_iterator(errors_.end()));
    return first;
  }

 private:
  std::vector<Error> errors_;
};

// Visits the entries that the merge entry `merge` (`<<: *base` or `<<: [*a, *b]`) brings into
// the mapping whose keys so far are in `seen`: those the mapping does not set itself. Among the
// merged mappings the first to set a key wins, and a mapping's own keys win over those it merges
// in turn, as in PyYAML. Errors go to `errors`, and the entries after one are still read.
// `origin` is the merge entry of the mapping being read, which the limits' errors name: false
// when a limit stopped the merge, which then reads nothing more.
bool VisitMerged(const Entry& origin, const Entry& merge, std::string_view prefix, int depth,
                 std::map<std::string, int, std::less<>>& seen, std::size_t& budget,
                 const EntryVisitor& visit, Errors& errors) {
  std::vector<YAML::Node> sources;
  if (merge.value.IsMap()) {
    sources.push_back(merge.value);
  } else if (merge.value.IsSequence()) {
    for (const YAML::Node& source : merge.value) sources.push_back(source);
  }
  const bool maps_only = std::all_of(sources.begin(), sources.end(),
                                     [](const YAML::Node& source) { return source.IsMap(); });
  if (sources.empty() || !maps_only) {
    errors.Add(merge.Fail(
        "a merge key takes a mapping or a list of mappings (<<: *base or <<: [*a, *b]), got " +
        Describe(merge.value)));
    return true;
  }
  if (depth == kMaxMergeDepth) {
    errors.Add(
        origin.Fail("merge keys nested more than " + std::to_string(kMaxMergeDepth) + " deep"));
    return false;
  }
  for (const YAML::Node& source : sources) {
    std::vector<Entry> nested;
    for (const auto& pair : source) {
      if (budget-- == 0) {
        errors.Add(origin.Fail("merge keys bring in more than " +
                               std::to_string(kMaxMergedEntries) + " entries"));
        return false;
      }
      const int line = LineOf(pair.first, merge.line);
      Result<std::string> name = ReadKey(pair.first, merge.file, line);
      if (!name.ok()) {
        errors.Add(name.error());
        continue;
      }
      Entry entry{merge.file, std::string(prefix) + Escape(*name), *name, pair.second, line};
      if (IsMergeKey(pair.first)) {
        nested.push_back(std::move(entry));
      } else if (seen.emplace(*name, line).second) {
        errors.Add(visit(entry));
      }
    }
    for (const Entry& inner : nested) {
      if (!VisitMerged(origin, inner, prefix, depth + 1, seen, budget, visit, errors)) return false;
    }
  }
  return true;
}

}  // namespace

Status ForEachEntry(const YAML::Node& map, std::string_view file, std::string_view prefix,
                    const EntryVisitor& visit) {
  std::map<std::string, int, std::less<>> first_lines;
  std::optional<Entry> merge;  // applied after the mapping's own entries, which win over it
  Errors errors;
  for (const auto& pair : map) {
    const int line = LineOf(pair.first, LineOf(map, 1));
    Result<std::string> name = ReadKey(pair.first, file, line);
    if (!name.ok()) {
      errors.Add(name.error());
      continue;
    }
    Entry entry{file, std::string(prefix) + Escape(name.value()), name.value(), pair.second, line};
    if (IsMergeKey(pair.first)) {
      if (merge) {
        errors.Add(entry.Fail("duplicate merge key (first on line " + std::to_string(merge->line) +
                              "): use <<: [*a, *b]"));
      } else {
        merge = std::move(entry);
      }
      continue;
    }
    const auto [it, inserted] = first_lines.emplace(name.value(), line);
    if (!inserted) {
      errors.Add(
          entry.Fail("duplicate key (first set on line " + std::to_string(it->second) + ")"));
      continue;
    }
    errors.Add(visit(entry));
  }
  if (merge) {
    std::size_t budget = kMaxMergedEntries;
    (void)VisitMerged(*merge, *merge, prefix, 0, first_lines, budget, visit, errors);
  }
  return std::move(errors).Take();
}

// YAML 1.1's booleans, as PyYAML reads them: each word in lower case, capitalised or in upper
// case. The Python service tested `value is True`, so anything else (`tRUE`, `"true"`,
// `!!str true`) was a string there, which meant false: refused here rather than read either way.
// `!!bool true` is a boolean there too.
Result<bool> ReadBool(const Entry& entry) {
  constexpr std::string_view kExpected = "true or false";
  const YAML::Node& node = entry.value;
  if (!node.IsScalar()) return Expected(entry, kExpected, node);
  if (IsQuoted(node)) return Expected(entry, "true or false without quotes", node);
  if (const std::string tag = ExplicitTag(node); !tag.empty() && tag != "!!bool") {
    return Expected(entry, "true or false without a tag", node);
  }
  const std::string& text = node.Scalar();
  const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  const bool yaml_case = std::all_of(text.begin() + (text.empty() ? 0 : 1), text.end(), lower) ||
                         std::all_of(text.begin(), text.end(), upper);
  for (const auto& [word, value] : {std::pair{"true", true},
                                    {"yes", true},
                                    {"on", true},
                                    {"false", false},
                                    {"no", false},
                                    {"off", false}}) {
    if (!EqualsIgnoreCase(text, word)) continue;
    if (yaml_case) return value;
    return Expected(entry, "true or false (in lower case, Capitalised or UPPER case)", node);
  }
  return Expected(entry, kExpected, node);
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A number with a fraction or a unit after it ("1.5", "10MB", "30 s"): the unit the key counts in,
// as its name says ("max_body_bytes"), for the hint.
std::string UnitHint(std::string_view key, std::string_view text) {
  const std::size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos) return "";
  const std::string_view rest = text.substr(digits);
  if (rest.size() > 1 && rest.front() == '.' && IsDigit(rest[1])) {
    return " (write a whole number)";
  }
  const bool unit = std::all_of(rest.begin(), rest.end(), [](char c) {
    return c == ' ' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
  if (!unit) return "";
  if (key.ends_with("_bytes")) return " (write the number of bytes alone, without a unit)";
  if (key.ends_with("_seconds")) return " (write the number of seconds alone, without a unit)";
  return " (write the number alone, without a unit)";
}

// Why digits written as YAML 1.1 (and so the Python service) read them are refused, when they
// are, or what else they were written with: what to write instead.
std::string IntegerHint(std::string_view key, std::string_view text) {
  const bool digits_and = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return IsDigit(c) || c == '_' || c == '+' || c == '-';
  });
  if (!digits_and) return UnitHint(key, text);
  if (text.find('_') != std::string_view::npos) return " (write it without '_')";
  if (text.front() == '+') return " (write it without '+')";
  if (text.size() > 1 && text.front() == '0') {
    const bool octal = text.find_first_not_of("01234567") == std::string_view::npos;
    return octal ? " (write it without leading zeros: YAML 1.1, as the Python service read it, "
                   "takes them for an octal number)"
                 : " (write it without leading zeros)";
  }
  return "";
}

}  // namespace

Result<std::int64_t> ReadInteger(const Entry& entry, std::int64_t min, std::int64_t max) {
  const YAML::Node& node = entry.value;
  const std::optional<std::int64_t> value =
      node.IsScalar() ? ParseDecimal(node.Scalar()) : std::nullopt;
  if (!value || *value < min || *value > max) {
    Error error = Expected(entry, RangeText(min, max), node);
    if (node.IsScalar()) error.message += IntegerHint(entry.name, node.Scalar());
    return error;
  }
  return *value;
}

Result<std::string> ReadScalar(const Entry& entry, std::string_view expected) {
  if (!entry.value.IsScalar()) return Expected(entry, expected, entry.value);
  return entry.value.Scalar();
}

Result<std::vector<Item>> ReadScalarList(const Entry& entry, std::string_view expected) {
  if (!entry.value.IsSequence()) {
    Error error = Expected(entry, "a list of " + std::string(expected), entry.value);
    if (entry.value.IsScalar() && !entry.value.Scalar().empty()) {
      error.message += "; a list is written in brackets, [a, b], or one '- item' per line";
    }
    return error;
  }
  std::vector<Item> items;
  for (const YAML::Node& element : entry.value) {
    const int line = LineOf(element, entry.line);
    if (!element.IsScalar()) {
      Entry located = entry;
      located.line = line;
      return Expected(located, "each element to be " + std::string(expected), element);
    }
    items.push_back(Item{element.Scalar(), line});
  }
  return items;
}

}  // namespace callgate::config::internal
