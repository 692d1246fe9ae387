#include "app/file_probe.h"

#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace callgate::app {
namespace fs = std::filesystem;
namespace {

std::string Quoted(const fs::path& path) { return "'" + path.string() + "'"; }

// "" when access(2) grants `mode` on `path`, otherwise the reason.
std::string Denied(const fs::path& path, int mode) {
  if (access(path.c_str(), mode) == 0) return "";
  return Quoted(path) + ": " + std::generic_category().message(errno);
}

// The nearest ancestor of `path` (absolute) that exists; the root at worst.
fs::path NearestExisting(fs::path path) {
  std::error_code error;
  while (path.has_relative_path() && !fs::exists(path, error)) path = path.parent_path();
  return path;
}

}  // namespace

std::string WhyNotWritable(const fs::path& path, PathKind kind) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  if (error) return Quoted(path) + ": " + error.message();
  const fs::file_status status = fs::status(absolute, error);
  if (fs::exists(status)) {
    if (kind == PathKind::kDirectory) {
      if (!fs::is_directory(status)) return Quoted(path) + " is not a directory";
      return Denied(absolute, W_OK | X_OK);
    }
    if (fs::is_directory(status)) return Quoted(path) + " is a directory";
    return Denied(absolute, W_OK);
  }
  const fs::path ancestor = NearestExisting(absolute.parent_path());
  if (!fs::is_directory(ancestor, error)) {
    return "cannot create " + Quoted(path) + ": " + Quoted(ancestor) + " is not a directory";
  }
  if (std::string denied = Denied(ancestor, W_OK | X_OK); !denied.empty()) {
    return "cannot create " + Quoted(path) + ": " + denied;
  }
  return "";
}

}  // namespace callgate::app
