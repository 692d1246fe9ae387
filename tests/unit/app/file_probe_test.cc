#include "app/file_probe.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callgate::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class WhyNotWritableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "callgate-probe-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "file") << "x";
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  fs::path dir_;
};

TEST_F(WhyNotWritableTest, ExistingPathsOfTheRightKindAreWritable) {
  EXPECT_THAT(WhyNotWritable(dir_, PathKind::kDirectory), IsEmpty());
  EXPECT_THAT(WhyNotWritable(dir_ / "file", PathKind::kFile), IsEmpty());
}

TEST_F(WhyNotWritableTest, MissingPathsAreJudgedByTheirNearestExistingAncestor) {
  EXPECT_THAT(WhyNotWritable(dir_ / "logs", PathKind::kDirectory), IsEmpty());
  EXPECT_THAT(WhyNotWritable(dir_ / "a" / "b" / "logs", PathKind::kDirectory), IsEmpty());
  EXPECT_THAT(WhyNotWritable(dir_ / "bundle.pem", PathKind::kFile), IsEmpty());
  EXPECT_FALSE(fs::exists(dir_ / "logs") || fs::exists(dir_ / "a"));  // nothing was created
}

TEST_F(WhyNotWritableTest, APathOfTheWrongKindNamesIt) {
  EXPECT_EQ(WhyNotWritable(dir_ / "file", PathKind::kDirectory),
            "'" + (dir_ / "file").string() + "' is not a directory");
  EXPECT_EQ(WhyNotWritable(dir_, PathKind::kFile), "'" + dir_.string() + "' is a directory");
  // A log file that is a FIFO would make every write wait for its reader.
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  EXPECT_EQ(WhyNotWritable(dir_ / "fifo", PathKind::kFile),
            "'" + (dir_ / "fifo").string() + "' is a FIFO (named pipe)");
}

TEST_F(WhyNotWritableTest, APathUnderAFileCannotBeCreated) {
  const std::string why = WhyNotWritable(dir_ / "file" / "logs", PathKind::kDirectory);
  EXPECT_THAT(why, HasSubstr("cannot create '" + (dir_ / "file" / "logs").string() + "'"));
  EXPECT_THAT(why, HasSubstr("'" + (dir_ / "file").string() + "' is not a directory"));
}

// log_dir: /var/log/callgate -> a volume not mounted yet. serve's mkdir fails with "File
// exists", so check must name the link.
TEST_F(WhyNotWritableTest, ADanglingSymbolicLinkIsNamed) {
  fs::create_symlink(dir_ / "missing", dir_ / "link");
  const std::string named = "'" + (dir_ / "link").string() + "' is a symbolic link to '" +
                            (dir_ / "missing").string() + "', which does not exist";
  EXPECT_EQ(WhyNotWritable(dir_ / "link", PathKind::kDirectory), named);
  EXPECT_EQ(WhyNotWritable(dir_ / "link" / "logs", PathKind::kDirectory),
            "cannot create '" + (dir_ / "link" / "logs").string() + "': " + named);
  // A file is written through the link; a link to a directory is a directory.
  EXPECT_THAT(WhyNotWritable(dir_ / "link", PathKind::kFile), IsEmpty());
  fs::create_symlink(dir_, dir_ / "good");
  EXPECT_THAT(WhyNotWritable(dir_ / "good", PathKind::kDirectory), IsEmpty());
  EXPECT_THAT(WhyNotWritable(dir_ / "good" / "logs", PathKind::kDirectory), IsEmpty());
}

TEST_F(WhyNotWritableTest, RelativePathsAreFromTheWorkingDirectory) {
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  const std::string why = WhyNotWritable("file/logs", PathKind::kDirectory);
  const std::string fine = WhyNotWritable("logs", PathKind::kDirectory);
  fs::current_path(before);
  EXPECT_THAT(why, HasSubstr("cannot create 'file/logs'"));
  EXPECT_THAT(fine, IsEmpty());
}

TEST_F(WhyNotWritableTest, PermissionsAreThoseOfThisProcess) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write anywhere the mount allows";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THAT(WhyNotWritable(dir_, PathKind::kDirectory), HasSubstr("Permission denied"));
  EXPECT_THAT(WhyNotWritable(dir_ / "logs", PathKind::kDirectory),
              HasSubstr("cannot create '" + (dir_ / "logs").string() + "'"));
  fs::permissions(dir_ / "file", fs::perms::owner_read);
  EXPECT_THAT(WhyNotWritable(dir_ / "file", PathKind::kFile), HasSubstr("Permission denied"));
}

}  // namespace
}  // namespace callgate::app
