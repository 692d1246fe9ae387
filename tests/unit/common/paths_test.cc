#include "common/paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace callgate {
namespace {

namespace fs = std::filesystem;

TEST(MissingPathNoteTest, NamesTheWorkingDirectoryForARelativePathOnly) {
  const std::string cwd = fs::current_path().string();
  EXPECT_EQ(MissingPathNote("directory.csv"), " (a relative path, looked for in " + cwd + ")");
  EXPECT_EQ(MissingPathNote("../certs/server.crt"),
            " (a relative path, looked for in " + cwd + ")");
  EXPECT_EQ(MissingPathNote("/etc/callgate/directory.csv"), "");
  EXPECT_EQ(MissingPathNote(""), "");
}

// A link that is there but points nowhere was found: where it was looked for is not the
// question, where it points is, relative or absolute.
TEST(MissingPathNoteTest, NamesWhereADanglingLinkPoints) {
  const fs::path dir = fs::temp_directory_path() / ("paths_test." + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_symlink("gone.csv", dir / "relative.csv");
  fs::create_symlink("/nonexistent/callgate.yaml", dir / "absolute.yaml");
  EXPECT_EQ(MissingPathNote((dir / "relative.csv").string()),
            " (a symbolic link to 'gone.csv', which does not exist)");
  EXPECT_EQ(MissingPathNote((dir / "absolute.yaml").string()),
            " (a symbolic link to '/nonexistent/callgate.yaml', which does not exist)");
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  EXPECT_EQ(MissingPathNote("relative.csv"),
            " (a symbolic link to 'gone.csv', which does not exist)");
  fs::current_path(cwd);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace callgate
