// Snapshot: everything the engine reads to decide, immutable once built. Requests pin one with a
// std::shared_ptr<const Snapshot> for their whole life, so a reload is a pointer swap.
#pragma once

#include <chrono>
#include <string>

#include "directory/phone_directory.h"

namespace callgate::engine {

struct Snapshot {
  directory::PhoneDirectory directory;
  std::string directory_path;  // where the directory came from
  std::chrono::system_clock::time_point loaded_at;
};

}  // namespace callgate::engine
