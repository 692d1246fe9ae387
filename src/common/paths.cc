#include "common/paths.h"

#include <filesystem>
#include <system_error>

namespace callgate {

std::string RelativePathNote(std::string_view path) {
  if (path.empty() || path.front() == '/') return "";
  std::error_code error;
  const std::filesystem::path directory = std::filesystem::current_path(error);
  if (error) return " (a relative path, from a working directory that cannot be named)";
  return " (a relative path, looked for in " + directory.string() + ")";
}

}  // namespace callgate
