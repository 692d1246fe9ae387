#include "directory/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace callgate::directory::internal {
namespace {

constexpr std::size_t kUnknownSizeStart = 64 * 1024;
constexpr std::size_t kMaxReadChunk = std::size_t{1} << 30;

Error SystemError(const std::string& path, std::string_view what, int error_number) {
  return Error{std::string(what) + ": " + std::generic_category().message(error_number), path, 0,
               ""};
}

Error TooLarge(const std::string& path, std::size_t max_bytes) {
  return Error{"file is larger than max_file_bytes (" + std::to_string(max_bytes) + " bytes)", path,
               0, ""};
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void Grow(FileBytes* bytes, std::size_t* capacity) {
  *capacity *= 2;
  auto bigger = std::make_unique_for_overwrite<char[]>(*capacity);
  if (bytes->size > 0) std::memcpy(bigger.get(), bytes->data.get(), bytes->size);
  bytes->data = std::move(bigger);
}

}  // namespace

Result<FileBytes> ReadFile(const std::string& path, std::size_t max_bytes) {
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return SystemError(path, "cannot open the file", errno);
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) return SystemError(path, "cannot stat the file", errno);
  if (S_ISDIR(info.st_mode)) return Error{"is a directory, not a file", path, 0, ""};
  const bool sized = S_ISREG(info.st_mode) && info.st_size > 0;
  if (sized && static_cast<std::size_t>(info.st_size) > max_bytes) return TooLarge(path, max_bytes);
  // One byte more than the size, so that the read that sees the end needs no second buffer.
  std::size_t capacity = sized ? static_cast<std::size_t>(info.st_size) + 1 : kUnknownSizeStart;
  FileBytes bytes{std::make_unique_for_overwrite<char[]>(capacity), 0};
  while (true) {
    if (bytes.size == capacity) Grow(&bytes, &capacity);
    const std::size_t chunk = std::min(capacity - bytes.size, kMaxReadChunk);
    const ssize_t n = read(fd.get(), bytes.data.get() + bytes.size, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemError(path, "cannot read the file", errno);
    if (n == 0) break;
    bytes.size += static_cast<std::size_t>(n);
    if (bytes.size > max_bytes) return TooLarge(path, max_bytes);
  }
  return bytes;
}

}  // namespace callgate::directory::internal
