// The configuration keys: their names, aliases, valid values and how each is read into Config.
// Private to the config layer; the tables here are the single source of truth for what
// ParseConfig accepts (TopLevelKeys() and ClusterKeys() expose their names).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "config/yaml_reader.h"

namespace callgate::config::internal {

// Reads every entry of the top-level mapping `root` into `config`, recording key_lines.
// Unknown, duplicate and aliased-twice keys and invalid values are located errors.
Status ReadTopLevel(const YAML::Node& root, std::string_view file, Config& config);

// Reads the value of `clusters:` (null, or a mapping of name to rules) into `clusters`.
Status ReadClusters(const Entry& entry, std::vector<Cluster>& clusters);

std::vector<std::string_view> TopLevelKeyNames();
std::vector<std::string_view> ClusterKeyNames();

}  // namespace callgate::config::internal
