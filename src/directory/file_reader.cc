#include "directory/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "common/paths.h"

namespace callgate::directory::internal {
namespace {

Error TooLarge(const std::string& path, std::size_t max_bytes) {
  return Error{"file is larger than the limit of " + std::to_string(max_bytes) + " bytes", path, 0,
               ""};
}

// "WHAT: <the system's message>", naming the file.
Error FileError(const std::string& path, const char* what, int error_number) {
  return Error{std::string(what) + ": " + std::generic_category().message(error_number), path, 0,
               ""};
}

}  // namespace

Result<FileStream> FileStream::Open(const std::string& path, std::size_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int open_error = errno;
    Error error = FileError(path, "cannot open the file", open_error);
    if (open_error == ENOENT) error.message += RelativePathNote(path);
    return error;
  }
  FileStream file(fd, path, max_bytes, std::nullopt);  // closes fd on every return below
  struct stat info {};
  if (fstat(fd, &info) != 0) return FileError(path, "cannot stat the file", errno);
  if (S_ISDIR(info.st_mode)) return Error{"is a directory, not a file", path, 0, ""};
  if (S_ISREG(info.st_mode) && info.st_size > 0) {
    file.size_ = static_cast<std::size_t>(info.st_size);
    if (*file.size_ > max_bytes) return TooLarge(path, max_bytes);
  }
  return file;
}

FileStream::FileStream(int fd, std::string path, std::size_t max_bytes,
                       std::optional<std::size_t> size)
    : fd_(fd), path_(std::move(path)), max_bytes_(max_bytes), size_(size) {}

FileStream::FileStream(FileStream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      max_bytes_(other.max_bytes_),
      size_(other.size_),
      read_(other.read_) {}

FileStream& FileStream::operator=(FileStream&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    max_bytes_ = other.max_bytes_;
    size_ = other.size_;
    read_ = other.read_;
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
    if (n < 0) return FileError(path_, "cannot read the file", errno);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  read_ += done;
  if (read_ > max_bytes_) return TooLarge(path_, max_bytes_);
  return done;
}

Status FileStream::Rewind() {
  if (lseek(fd_, 0, SEEK_SET) != 0) return FileError(path_, "cannot go back in the file", errno);
  read_ = 0;
  return OkStatus();
}

}  // namespace callgate::directory::internal
