#include "common/result.h"

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

}  // namespace callgate
