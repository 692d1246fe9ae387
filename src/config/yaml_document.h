// Loading the one YAML document of a configuration text. Private to the config layer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "common/result.h"

namespace callgate::config::internal {

// The text's only document: a Null node for an empty text (or only comments), else its root.
// Syntax errors and a second document ("---" twice) are errors located in `file`. Never throws.
// Linear in the text, at most two passes.
Result<YAML::Node> LoadSingleDocument(const std::string& text, const std::string& file);

}  // namespace callgate::config::internal
