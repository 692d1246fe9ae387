// Where a relative path was looked for, for the errors about a file that is not there.
#pragma once

#include <string>
#include <string_view>

namespace callgate {

// For an error about `path` not existing: when it is relative, " (a relative path, looked for
// in DIR)" with DIR the working directory, since a service's (systemd's default: /) is not the
// one of the shell the file was written from. Empty for an absolute or empty path. Reads the
// working directory (getcwd); never throws.
std::string RelativePathNote(std::string_view path);

}  // namespace callgate
