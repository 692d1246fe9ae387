// Whether this process could write a file or directory the configuration names, found without
// creating or opening anything: for `callgate check`, which must not leave files behind, to
// report what `serve` would fail to create.
#pragma once

#include <filesystem>
#include <string>

namespace callgate::app {

enum class PathKind { kFile, kDirectory };

// "" when this process could write `path` as a `kind`; otherwise why not, naming the path at
// fault. An existing path must be of that kind (a file not a FIFO) and writable (a directory
// also searchable). A
// missing one is judged by its nearest existing ancestor, which must be a directory this process
// can create entries in (serve creates missing log directories). Judged with access(2), so
// read-only mounts count; the real user is the one tested, as serve runs as one user.
std::string WhyNotWritable(const std::filesystem::path& path, PathKind kind);

// The nearest ancestor of `path` (absolute), itself included, that exists, if only as a symbolic
// link; the root at worst.
std::filesystem::path NearestExisting(std::filesystem::path path);

}  // namespace callgate::app
