#include "common/paths.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace callgate {
namespace {

TEST(RelativePathNoteTest, NamesTheWorkingDirectoryForARelativePathOnly) {
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(RelativePathNote("directory.csv"), " (a relative path, looked for in " + cwd + ")");
  EXPECT_EQ(RelativePathNote("../certs/server.crt"),
            " (a relative path, looked for in " + cwd + ")");
  EXPECT_EQ(RelativePathNote("/etc/callgate/directory.csv"), "");
  EXPECT_EQ(RelativePathNote(""), "");
}

}  // namespace
}  // namespace callgate
