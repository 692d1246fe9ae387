// What to add to an error about a file that is not there.
#pragma once

#include <string>
#include <string_view>

namespace callgate {

// For an error about `path` not existing (ENOENT):
// * when `path` is a symbolic link whose target does not exist, " (a symbolic link to 'TARGET',
//   which does not exist)": the link is there, so where it was looked for is not the question;
// * else, when it is relative, " (a relative path, looked for in DIR)" with DIR the working
//   directory, since a service's (systemd's default: /) is not the one of the shell the file was
//   written from;
// * else (absolute, or empty) "".
// Reads the link and the working directory; never throws.
std::string MissingPathNote(std::string_view path);

}  // namespace callgate
