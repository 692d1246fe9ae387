// Typed, located reads from a yaml-cpp tree: every failure is an Error naming the file, the
// 1-based line and the key, with what was expected and what was found. Private to the config
// layer; yaml-cpp may throw from these only on internal errors, which ParseConfig catches.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace callgate::config::internal {

// One "key: value" pair of a mapping.
struct Entry {
  std::string_view file;
  std::string path;  // the key as reported, escaped: "listen_port", "clusters.hq.ca_file"
  std::string name;  // the bare key: "ca_file"
  YAML::Node value;
  int line = 0;  // 1-based line of the key

  Error Fail(std::string message) const {
    return Error{std::move(message), std::string(file), line, path};
  }
};

// A scalar of a list, with the line it is on.
struct Item {
  std::string text;
  int line = 0;
};

// The 1-based line of `node`, or `fallback` when yaml-cpp has no position for it.
int LineOf(const YAML::Node& node, int fallback);

// What a node is, for "got ..." in messages: "a list", "a mapping", "an empty value", or the
// quoted scalar.
std::string Describe(const YAML::Node& node);

// Visits the entries of the mapping `map` in file order. `prefix` is put before each key in
// paths ("clusters.hq."). A merge key (`<<: *base`, YAML 1.1, as PyYAML reads it) then adds the
// entries of the mappings it names that `map` does not set itself, each with the line where it
// is written. An entry that fails (a key that is not a non-empty scalar, a key set twice, which
// yaml-cpp keeps and this refuses, or an error from `visit`) does not stop the others: the result
// is the error on the first line, with the rest in its `more` by line (a nested mapping's among
// them). Only the merge limits (depth, entries) stop the merge they are met in.
using EntryVisitor = std::function<Status(const Entry&)>;
Status ForEachEntry(const YAML::Node& map, std::string_view file, std::string_view prefix,
                    const EntryVisitor& visit);

// true/false, yes/no, on/off in any case, unquoted (what YAML 1.1 and the Python service read
// as booleans). A quoted "false" is refused: Python would have taken it as true.
Result<bool> ReadBool(const Entry& entry);

// A decimal integer in [min, max]; quoted digits are accepted, leading zeros are not.
Result<std::int64_t> ReadInteger(const Entry& entry, std::int64_t min, std::int64_t max);

// Any scalar as text; `expected` describes the valid values for the message.
Result<std::string> ReadScalar(const Entry& entry, std::string_view expected);

// A list of scalars; an error names the offending element's line.
Result<std::vector<Item>> ReadScalarList(const Entry& entry, std::string_view expected);

}  // namespace callgate::config::internal
