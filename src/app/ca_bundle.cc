#include "app/ca_bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <string_view>
#include <system_error>

#include "app/file_probe.h"
#include "app/logging.h"
#include "security/certificates.h"

namespace callgate::app {
namespace fs = std::filesystem;
namespace {

// A file callgate reads or writes, and what the configuration calls it.
struct UsedFile {
  std::string what;  // "the file csv_file_path names", "app.log in log_dir", ...
  int line = 0;      // where the configuration sets it; 0: not known, or a default
  std::string path;
};

std::vector<UsedFile> FilesCallgateUses(const config::Config& config) {
  std::vector<UsedFile> files;
  if (!config.file.empty()) files.push_back({"the configuration file itself", 0, config.file});
  const auto add_key = [&](std::string_view key, const std::string& path) {
    if (path.empty()) return;
    files.push_back(
        {"the file " + std::string(config.KeyAsWritten(key)) + " names", config.LineOf(key), path});
  };
  add_key("csv_file_path", config.csv_file_path);
  add_key("tls_cert_file", config.tls_cert_file);
  add_key("tls_key_file", config.tls_key_file);
  for (const config::Cluster& cluster : config.clusters) {
    if (!cluster.ca_file) continue;
    files.push_back({"the file clusters." + cluster.name + ".ca_file names",
                     cluster.LineOf("ca_file"), *cluster.ca_file});
  }
  if (!config.log_dir.empty()) {
    for (const std::string_view log : {kAppLog, kAccessLog}) {
      files.push_back({std::string(log) + " in log_dir", config.LineOf("log_dir"),
                       (fs::path(config.log_dir) / log).string()});
    }
  }
  return files;
}

// `path` made absolute (against the working directory, as every path of the configuration is)
// and normal: "a/./b/../c" is "$PWD/a/c".
fs::path Normal(const fs::path& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  return (error ? path : absolute).lexically_normal();
}

// Whether `a` and `b` name one file, as CheckCaBundlePath says. A log file need not exist yet:
// the first two tests do not need it to.
bool SameFile(const fs::path& a, const fs::path& b) {
  if (Normal(a) == Normal(b)) return true;
  std::error_code error;
  const fs::path real_a = fs::weakly_canonical(Normal(a), error);
  if (!error && real_a == fs::weakly_canonical(Normal(b), error) && !error) return true;
  return fs::equivalent(a, b, error) && !error;
}

Error Collision(const config::Config& config, const UsedFile& used) {
  std::string message = "'" + config.ca_bundle_path + "' is " + used.what;
  if (used.line > 0) message += " (line " + std::to_string(used.line) + ")";
  if (used.path != config.ca_bundle_path) message += ", '" + used.path + "'";
  message +=
      ": serve writes the combined CA bundle to ca_bundle_path at start-up and at each reload, "
      "which would overwrite it; give ca_bundle_path a file of its own, or remove it (callgate "
      "does not need the bundle)";
  return config::KeyError(config, "ca_bundle_path", std::move(message));
}

// An error about `file` with the system's reason; `file` is left out when it is the bundle itself,
// which the warning that reports the error names already.
Error SystemError(const config::Config& config, const fs::path& file, const std::string& what,
                  int error_number) {
  const std::string named = file == config.ca_bundle_path ? "" : file.string();
  return Error{what + ": " + std::generic_category().message(error_number), named, 0, ""};
}

// The bundle's bytes: every source read whole, each followed by a newline.
Result<std::string> JoinSources(const std::vector<std::string>& sources) {
  std::string bundle;
  for (const std::string& source : sources) {
    Result<std::string> pem = security::ReadPemFile(source);
    if (!pem) return pem.error();
    bundle += *pem;
    bundle += '\n';
  }
  return bundle;
}

// The file the bundle replaces: ca_bundle_path, or the file it is a symbolic link to, as a write
// through the link would have reached.
fs::path Target(const std::string& bundle) {
  std::error_code error;
  if (!fs::is_symlink(fs::symlink_status(bundle, error))) return bundle;
  fs::path real = fs::canonical(bundle, error);
  return error ? fs::path(bundle) : real;
}

// The permissions the new bundle gets: those of the file it replaces (an administrator may have
// opened it to another user's tool), std::nullopt when there is none. An error when what is there
// is not a file: a FIFO would be replaced by a file, where its reader waits for a bundle.
Result<std::optional<mode_t>> ModeToKeep(const config::Config& config, const fs::path& target) {
  struct stat status {};
  if (::stat(target.c_str(), &status) != 0) {
    if (errno == ENOENT) return std::optional<mode_t>();
    return SystemError(config, target, "cannot stat", errno);
  }
  if (S_ISREG(status.st_mode)) return std::optional<mode_t>(status.st_mode & 0777);
  const std::string named = target == config.ca_bundle_path ? "it" : "'" + target.string() + "'";
  if (S_ISFIFO(status.st_mode)) return Error{named + " is a FIFO (named pipe)", "", 0, ""};
  if (S_ISDIR(status.st_mode)) return Error{named + " is a directory", "", 0, ""};
  return Error{named + " is not a regular file", "", 0, ""};
}

Status MakeParent(const config::Config& config, const fs::path& target) {
  const fs::path parent = target.parent_path();
  if (parent.empty()) return OkStatus();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) return SystemError(config, parent, "cannot create the directory", error.value());
  return OkStatus();
}

bool WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return false;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

// Writes `content` to the new file `path`, with `mode` when set, and flushes it to disk, so that
// the rename that follows cannot put an empty or partial file in place. Removes it on failure.
Status WriteNewFile(const config::Config& config, const fs::path& path, const std::string& content,
                    std::optional<mode_t> mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return SystemError(config, path, "cannot create", errno);
  const char* failed = nullptr;
  int error_number = 0;
  const auto fail = [&](const char* what) {
    failed = what;
    error_number = errno;
  };
  if (mode && ::fchmod(fd, *mode) != 0) {
    fail("cannot set its permissions");
  } else if (!WriteAll(fd, content)) {
    fail("cannot write");
  } else if (::fsync(fd) != 0) {
    fail("cannot flush it to disk");
  }
  if (::close(fd) != 0 && failed == nullptr) fail("cannot write");
  if (failed == nullptr) return OkStatus();
  ::unlink(path.c_str());
  return SystemError(config, path, failed, error_number);
}

}  // namespace

Status CheckCaBundlePath(const config::Config& config) {
  if (config.ca_bundle_path.empty()) return OkStatus();
  for (const UsedFile& used : FilesCallgateUses(config)) {
    if (SameFile(config.ca_bundle_path, used.path)) return Collision(config, used);
  }
  return OkStatus();
}

std::string WhyCaBundleNotWritable(const config::Config& config) {
  const fs::path target = Target(config.ca_bundle_path);
  const std::string problem = WhyNotWritable(target, PathKind::kFile);
  if (!problem.empty()) return problem;
  // The new bundle is made beside the old one, and renamed over it.
  std::error_code error;
  const fs::path absolute = fs::absolute(target, error);
  if (error) return "";
  return WhyNotWritable(absolute.parent_path(), PathKind::kDirectory);
}

std::vector<std::string> CaBundleSources(const config::Config& config) {
  std::vector<std::string> files;
  for (const config::Cluster& cluster : config.clusters) {
    if (cluster.ca_file && std::find(files.begin(), files.end(), *cluster.ca_file) == files.end()) {
      files.push_back(*cluster.ca_file);
    }
  }
  return files;
}

Result<std::size_t> WriteCaBundle(const config::Config& config) {
  const std::vector<std::string> sources = CaBundleSources(config);
  // Read first: a source that cannot be read leaves the bundle as it was.
  Result<std::string> content = JoinSources(sources);
  if (!content) return content.error();
  const fs::path target = Target(config.ca_bundle_path);
  if (Status made = MakeParent(config, target); !made) return made.error();
  Result<std::optional<mode_t>> mode = ModeToKeep(config, target);
  if (!mode) return mode.error();
  // Beside the bundle, so that the rename stays on one file system; named by the process, so that
  // two callgates cannot write one temporary file.
  const fs::path temporary = target.string() + "." + std::to_string(::getpid()) + ".tmp";
  if (Status written = WriteNewFile(config, temporary, *content, *mode); !written) {
    return written.error();
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int error_number = errno;
    ::unlink(temporary.c_str());
    return SystemError(config, target, "cannot rename '" + temporary.string() + "' into place",
                       error_number);
  }
  return sources.size();
}

}  // namespace callgate::app
