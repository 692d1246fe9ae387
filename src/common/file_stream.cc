#include "common/file_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "common/paths.h"

namespace callgate {
namespace {

bool SameTime(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// How the open file, `then` at Open() and `now`, changed while it was read; std::nullopt if it
// did not, as far as its size and times tell.
std::optional<std::string> HowItChanged(const struct stat& then, const struct stat& now,
                                        std::optional<std::size_t> ended_at) {
  if (now.st_size != then.st_size) {
    return "its size went from " + std::to_string(then.st_size) + " to " +
           std::to_string(now.st_size) + " bytes";
  }
  if (ended_at) {
    return "it had " + std::to_string(then.st_size) +
           " bytes when opened, but the read found its " + "end after " + std::to_string(*ended_at);
  }
  if (!SameTime(now.st_mtim, then.st_mtim)) return "it was written to: its modification time moved";
  if (!SameTime(now.st_ctim, then.st_ctim)) {
    // ctime cannot be set back: it catches a writer that restores the modification time.
    return "its status change time moved: it was written to and its modification time put back "
           "(as cp -p and rsync --inplace do), or its mode, owner or links changed";
  }
  return std::nullopt;
}

Error Changed(const std::string& path, const std::string& how) {
  return Error{std::string(FileStream::kChangedWhileRead) + " (" + how +
                   "): a file being written, or replaced, is not used. Write the new file beside "
                   "it and rename it into place, which replaces it in one step",
               path, 0, ""};
}

}  // namespace

std::string DescribeFileProblem(FileProblem problem, int error_number, std::size_t max_bytes) {
  const auto refused = [error_number](std::string_view doing) {
    return std::string(doing) + ": " + std::generic_category().message(error_number);
  };
  switch (problem) {
    case FileProblem::kCannotOpen:
      return refused("cannot open the file");
    case FileProblem::kCannotStat:
      return refused("cannot stat the file");
    case FileProblem::kIsADirectory:
      return "is a directory, not a file";
    case FileProblem::kTooLarge:
      return "file is larger than the limit of " + std::to_string(max_bytes) + " bytes";
    case FileProblem::kCannotRead:
      return refused("cannot read the file");
    case FileProblem::kCannotRewind:
      return refused("cannot go back in the file");
  }
  return refused("cannot use the file");  // not reached: every FileProblem has its words above
}

Result<FileStream> FileStream::Open(const std::string& path, std::size_t max_bytes,
                                    FileProblemText describe) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int open_error = errno;
  FileStream file(fd, path, max_bytes, describe);  // closes fd on every return below
  if (fd < 0) {
    Error error = file.Problem(FileProblem::kCannotOpen, open_error);
    if (open_error == ENOENT) error.message += MissingPathNote(path);
    return error;
  }
  struct stat info {};
  if (fstat(fd, &info) != 0) return file.Problem(FileProblem::kCannotStat, errno);
  if (S_ISDIR(info.st_mode)) return file.Problem(FileProblem::kIsADirectory, 0);
  if (S_ISREG(info.st_mode)) file.opened_ = info;
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    file.size_ = static_cast<std::size_t>(info.st_size);
    if (*file.size_ > max_bytes) return file.Problem(FileProblem::kTooLarge, 0);
  }
  return file;
}

FileStream::FileStream(int fd, std::string path, std::size_t max_bytes, FileProblemText describe)
    : fd_(fd), path_(std::move(path)), max_bytes_(max_bytes), describe_(describe) {}

Error FileStream::Problem(FileProblem problem, int error_number) const {
  return Error{describe_(problem, error_number, max_bytes_), path_, 0, ""};
}

FileStream::FileStream(FileStream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      max_bytes_(other.max_bytes_),
      describe_(other.describe_),
      size_(other.size_),
      read_(other.read_),
      opened_(other.opened_),
      ended_at_(other.ended_at_) {}

FileStream& FileStream::operator=(FileStream&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    max_bytes_ = other.max_bytes_;
    describe_ = other.describe_;
    size_ = other.size_;
    read_ = other.read_;
    opened_ = other.opened_;
    ended_at_ = other.ended_at_;
  }
  return *this;
}

FileStream::~FileStream() {
  if (fd_ >= 0) close(fd_);
}

Result<std::size_t> FileStream::Read(char* out, std::size_t count) {
  std::size_t done = 0;
  while (done < count) {
    const ssize_t n = read(fd_, out + done, count - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Problem(FileProblem::kCannotRead, errno);
    if (n == 0) {
      if (size_ && read_ + done != *size_ && !ended_at_) ended_at_ = read_ + done;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  read_ += done;
  if (read_ > max_bytes_) return Problem(FileProblem::kTooLarge, 0);
  return done;
}

Status FileStream::Rewind() {
  if (lseek(fd_, 0, SEEK_SET) != 0) return Problem(FileProblem::kCannotRewind, errno);
  read_ = 0;
  return OkStatus();
}

Status FileStream::CheckUnchanged() const {
  if (!opened_) return OkStatus();
  struct stat now {};
  if (fstat(fd_, &now) != 0) return Problem(FileProblem::kCannotStat, errno);
  // The path first: a file renamed over the one open, or removed, changes its status change time
  // (one link fewer), which would say less.
  struct stat named {};
  if (stat(path_.c_str(), &named) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Changed(path_, "it was removed or renamed: its path names no file now");
    }
    return Problem(FileProblem::kCannotStat, errno);
  }
  if (named.st_dev != now.st_dev || named.st_ino != now.st_ino) {
    return Changed(path_, "another file was put in its place");
  }
  if (auto how = HowItChanged(*opened_, now, ended_at_)) return Changed(path_, *how);
  return OkStatus();
}

bool ChangedWhileRead(const Error& error) {
  std::string_view message = error.message;
  if (message.starts_with('\'')) {
    const std::size_t end = message.find("': ");
    if (end == std::string_view::npos) return false;
    message.remove_prefix(end + 3);
  }
  return message.starts_with(FileStream::kChangedWhileRead);
}

}  // namespace callgate
