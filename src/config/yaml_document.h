// Loading the one YAML document of a configuration text. Private to the config layer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/result.h"

namespace callgate::config::internal {

// The text's only document: a Null node for an empty text (or only comments), else its root.
// Syntax errors, a second document ("---" twice) and a text that is read as UTF-8 but is not
// valid UTF-8 are errors located in `file`. Never throws.
// Linear in the text, at most two passes.
Result<YAML::Node> LoadSingleDocument(const std::string& text, const std::string& file);

}  // namespace callgate::config::internal
