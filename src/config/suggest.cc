#include "config/suggest.h"

#include <algorithm>
#include <cstddef>

#include "common/strings.h"

namespace callgate::config::internal {
namespace {

// Keys are short, so anything longer is not a typo of one and is not worth the quadratic cost.
constexpr std::size_t kMaxComparedBytes = 64;

// Optimal string alignment distance over lower-cased text, three rolling rows.
std::size_t EditDistance(std::string_view a_text, std::string_view b_text) {
  const std::string a = AsciiLower(a_text);
  const std::string b = AsciiLower(b_text);
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

}  // namespace

std::optional<std::string_view> ClosestKey(std::string_view key,
                                           const std::vector<std::string_view>& candidates) {
  if (key.size() > kMaxComparedBytes) return std::nullopt;
  const std::size_t allowed = key.size() <= 4 ? 1 : 2;
  std::optional<std::string_view> best;
  std::size_t best_distance = allowed + 1;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = EditDistance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace callgate::config::internal
