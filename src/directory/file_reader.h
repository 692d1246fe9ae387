// Reads a whole file into memory in one go, with a size limit. The file is copied rather than
// mapped: an administrator rewriting the directory in place during a reload would make a mapping
// fault (SIGBUS) instead of giving us merely inconsistent bytes, which the parser tolerates.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace callgate::directory::internal {

struct FileBytes {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;

  std::string_view view() const { return {data.get(), size}; }
};

// The bytes of `path`. Fails, naming the file, if it cannot be opened or read, is a directory, or
// holds more than `max_bytes`. Works on pipes and other files of unknown size too.
Result<FileBytes> ReadFile(const std::string& path, std::size_t max_bytes);

}  // namespace callgate::directory::internal
