// "Did you mean ...?" for unknown configuration keys. Private to the config layer.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace callgate::config::internal {

// The candidate closest to `key` by edit distance (insertions, deletions, substitutions and
// transpositions, ignoring ASCII case), if it is close enough to be a likely typo: at most one
// edit for keys up to 4 bytes, two beyond. Ties go to the earlier candidate. O(n * m) per pair.
std::optional<std::string_view> ClosestKey(std::string_view key,
                                           const std::vector<std::string_view>& candidates);

}  // namespace callgate::config::internal
