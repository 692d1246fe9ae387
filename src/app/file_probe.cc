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

// "'PATH' is a symbolic link to 'TARGET', which does not exist" when `path` is one; else "".
// Creating a directory there fails with "File exists", which does not say why.
std::string DanglingLink(const fs::path& path, const fs::path& shown) {
  std::error_code error;
  if (!fs::is_symlink(fs::symlink_status(path, error))) return "";
  if (fs::exists(fs::status(path, error))) return "";
  return Quoted(shown) + " is a symbolic link to " + Quoted(fs::read_symlink(path, error)) +
         ", which does not exist";
}

}  // namespace

fs::path NearestExisting(fs::path path) {
  std::error_code error;
  while (path.has_relative_path() && !fs::exists(fs::symlink_status(path, error))) {
    path = path.parent_path();
  }
  return path;
}

std::string WhyNotWritable(const fs::path& path, PathKind kind) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  if (error) return Quoted(path) + ": " + error.message();
  // A file is written through a link to a missing file, but a directory is not made at its end.
  if (kind == PathKind::kDirectory) {
    if (std::string dangling = DanglingLink(absolute, path); !dangling.empty()) return dangling;
  }
  const fs::file_status status = fs::status(absolute, error);
  if (fs::exists(status)) {
    if (kind == PathKind::kDirectory) {
      if (!fs::is_directory(status)) return Quoted(path) + " is not a directory";
      return Denied(absolute, W_OK | X_OK);
    }
    if (fs::is_directory(status)) return Quoted(path) + " is a directory";
    // Writes to a FIFO wait for its reader: serve's log lines are written under a lock every
    // request waits on.
    if (fs::is_fifo(status)) return Quoted(path) + " is a FIFO (named pipe)";
    return Denied(absolute, W_OK);
  }
  const fs::path ancestor = NearestExisting(absolute.parent_path());
  if (std::string dangling = DanglingLink(ancestor, ancestor); !dangling.empty()) {
    return "cannot create " + Quoted(path) + ": " + dangling;
  }
  if (!fs::is_directory(ancestor, error)) {
    return "cannot create " + Quoted(path) + ": " + Quoted(ancestor) + " is not a directory";
  }
  if (std::string denied = Denied(ancestor, W_OK | X_OK); !denied.empty()) {
    return "cannot create " + Quoted(path) + ": " + denied;
  }
  return "";
}

}  // namespace callgate::app
