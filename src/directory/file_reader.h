// Reads a file front to back, a buffer at a time, with a limit on its size. The file is copied
// rather than mapped: an administrator rewriting the directory in place during a reload would make
// a mapping fault (SIGBUS) instead of giving us merely inconsistent bytes, which the parser
// tolerates.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "common/result.h"

namespace callgate::directory::internal {

class FileStream {
 public:
  // Opens `path` for reading. Fails, naming the file, if it cannot be opened, is a directory, or
  // says it holds more than `max_bytes`. Pipes and other files of unknown size are fine.
  static Result<FileStream> Open(const std::string& path, std::size_t max_bytes);

  FileStream(FileStream&& other) noexcept;
  FileStream& operator=(FileStream&& other) noexcept;
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;
  ~FileStream();

  // The size a regular file reported when opened; std::nullopt for pipes and files that report
  // 0 (such as /proc files). Only a hint: the file may change while it is read.
  std::optional<std::size_t> size() const { return size_; }

  // Reads up to `count` bytes into `out` and returns how many it read: fewer than `count` only
  // at the end of the file. Fails, naming the file, on a read error or once more than max_bytes
  // have been read since the start.
  Result<std::size_t> Read(char* out, std::size_t count);

  // Goes back to the first byte. Only for files with a known size().
  Status Rewind();

 private:
  FileStream(int fd, std::string path, std::size_t max_bytes, std::optional<std::size_t> size);

  int fd_;
  std::string path_;
  std::size_t max_bytes_;
  std::optional<std::size_t> size_;
  std::size_t read_ = 0;  // bytes read since the start
};

}  // namespace callgate::directory::internal
