#include "common/result.h"

#include <algorithm>

namespace callgate {

std::string Error::ToString() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
  }
  if (!key.empty()) out += "key '" + key + "': ";
  if (!column.empty()) out += "column '" + column + "': ";
  out += message;
  return out;
}

std::string Error::AllToString(std::string_view prefix, std::size_t limit) const {
  std::string out = std::string(prefix) + ToString() + "\n";
  const std::size_t shown = std::min(more.size(), limit > 0 ? limit - 1 : 0);
  for (std::size_t i = 0; i < shown; ++i) out += std::string(prefix) + more[i].ToString() + "\n";
  if (shown < more.size()) {
    out += std::string(prefix) + std::to_string(more.size() - shown) + " more error(s) not shown\n";
  }
  return out;
}

}  // namespace callgate
