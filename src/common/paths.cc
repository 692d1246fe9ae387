#include "common/paths.h"

#include <filesystem>
#include <system_error>

namespace callgate {

std::string MissingPathNote(std::string_view path) {
  if (path.empty()) return "";
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path named(path);
  if (fs::is_symlink(fs::symlink_status(named, error))) {
    const fs::path target = fs::read_symlink(named, error);
    if (!error) return " (a symbolic link to '" + target.string() + "', which does not exist)";
  }
  if (path.front() == '/') return "";
  const fs::path directory = fs::current_path(error);
  if (error) return " (a relative path, from a working directory that cannot be named)";
  return " (a relative path, looked for in " + directory.string() + ")";
}

}  // namespace callgate
