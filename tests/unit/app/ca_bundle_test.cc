#include "app/ca_bundle.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/change_at_first_read.h"

namespace callgate::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The PEM contents of the two CA files: ReadPemFile reads any text, so no real certificate.
constexpr const char* kCaA = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
constexpr const char* kCaB = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";

std::string Contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CaBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "callgate-bundle-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Every file callgate reads or writes, one a line, and ca_bundle_path last.
  config::Config Config(const std::string& ca_bundle_path) const {
    const std::vector<std::string> lines = {
        "csv_file_path: " + Path("directory.csv"),  // line 1
        "tls_cert_file: " + Path("server.crt"),     // 2
        "tls_key_file: " + Path("server.key"),      // 3
        "log_dir: " + Path("logs"),                 // 4
        "clusters:",
        "  hq:",
        "    ca_file: " + Path("ca-a.pem"),  // 7
        "  dr:",
        "    ca_file: " + Path("ca-b.pem"),   // 9
        "ca_bundle_path: " + ca_bundle_path,  // 10
    };
    std::string yaml;
    for (const std::string& line : lines) yaml += line + "\n";
    Result<config::Config> config = config::ParseConfig(yaml, Path("config.yaml"));
    EXPECT_TRUE(config.ok()) << config.error().ToString();
    return config.ok() ? *config : config::Config{};
  }
  // The names in `dir_` (the sub-directory `under`), to see that no temporary file was left.
  std::vector<std::string> Names(const std::string& under = "") const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_ / under)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

struct CollisionCase {
  std::string bundle;             // ca_bundle_path, under the test's directory
  std::optional<std::string> is;  // what it is said to be; nullopt: no error
};

void PrintTo(const CollisionCase& c, std::ostream* os) { *os << c.bundle; }

class CheckCaBundlePathTest : public CaBundleTest,
                              public ::testing::WithParamInterface<CollisionCase> {};

// The files exist, but for the log files: serve has not made them yet, and they still count.
TEST_P(CheckCaBundlePathTest, RefusesAFileCallgateReadsOrWrites) {
  for (const char* name : {"directory.csv", "server.crt", "server.key", "ca-a.pem", "ca-b.pem"}) {
    Write(name, kCaA);
  }
  Write("config.yaml", "");
  fs::create_directories(dir_ / "logs");
  fs::create_symlink(dir_ / "ca-a.pem", dir_ / "link-to-ca-a.pem");
  fs::create_hard_link(dir_ / "directory.csv", dir_ / "hard-link-to-directory.csv");
  fs::create_directory_symlink(dir_ / "logs", dir_ / "link-to-logs");
  const CollisionCase& c = GetParam();
  const Status checked = CheckCaBundlePath(Config(Path(c.bundle)));
  if (!c.is) {
    EXPECT_TRUE(checked.ok()) << checked.error().ToString();
    return;
  }
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().file, Path("config.yaml"));
  EXPECT_EQ(checked.error().line, 10);
  EXPECT_EQ(checked.error().key, "ca_bundle_path");
  EXPECT_THAT(checked.error().message, HasSubstr("'" + Path(c.bundle) + "' is " + *c.is));
  EXPECT_THAT(
      checked.error().message,
      HasSubstr(
          ": serve writes the combined CA bundle to ca_bundle_path at start-up "
          "and at each reload, which would overwrite it; give ca_bundle_path a file of its own"));
}

INSTANTIATE_TEST_SUITE_P(
    All, CheckCaBundlePathTest,
    ::testing::Values(
        CollisionCase{"bundle.pem", std::nullopt},
        CollisionCase{"logs/app.1.log", std::nullopt},  // not a file serve writes at start-up
        CollisionCase{"config.yaml", "the configuration file itself"},
        CollisionCase{"directory.csv", "the file csv_file_path names (line 1)"},
        CollisionCase{"server.crt", "the file tls_cert_file names (line 2)"},
        CollisionCase{"server.key", "the file tls_key_file names (line 3)"},
        CollisionCase{"ca-a.pem", "the file clusters.hq.ca_file names (line 7)"},
        CollisionCase{"ca-b.pem", "the file clusters.dr.ca_file names (line 9)"},
        CollisionCase{"logs/app.log", "app.log in log_dir (line 4)"},
        CollisionCase{"logs/access.log", "access.log in log_dir (line 4)"},
        // The same file by another name: spelt otherwise, through links, or a hard link.
        CollisionCase{"logs/../ca-a.pem", "the file clusters.hq.ca_file names (line 7)"},
        CollisionCase{"./logs//./access.log", "access.log in log_dir (line 4)"},
        CollisionCase{"link-to-ca-a.pem", "the file clusters.hq.ca_file names (line 7)"},
        CollisionCase{"link-to-logs/app.log", "app.log in log_dir (line 4)"},
        CollisionCase{"hard-link-to-directory.csv", "the file csv_file_path names (line 1)"}));

TEST_F(CaBundleTest, CheckIsOkWithoutCaBundlePath) {
  config::Config config = Config("x");
  config.ca_bundle_path.clear();
  EXPECT_TRUE(CheckCaBundlePath(config).ok());
}

// The brief's case, relative paths and all: a ca_file given as ca_bundle_path too, named in the
// message by what the file wrote.
TEST_F(CaBundleTest, ARelativeCaFileIsNamedAsTheFileWroteIt) {
  Result<config::Config> config = config::ParseConfig(
      "clusters:\n  hq:\n    ca_file: bund/ca.pem\nca_bundle_path: bund/./ca.pem\n", "c.yaml");
  ASSERT_TRUE(config.ok()) << config.error().ToString();
  const Status checked = CheckCaBundlePath(*config);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().ToString(),
            "c.yaml:4: key 'ca_bundle_path': 'bund/./ca.pem' is the file clusters.hq.ca_file "
            "names (line 3), 'bund/ca.pem': serve writes the combined CA bundle to "
            "ca_bundle_path at start-up and at each reload, which would overwrite it; give "
            "ca_bundle_path a file of "
            "its own, or remove it (callgate does not need the bundle)");
}

TEST_F(CaBundleTest, JoinsEveryDistinctCaFileInClusterOrderInDirectoriesItMakes) {
  const std::string a = Write("ca-a.pem", kCaA);
  const std::string b = Write("ca-b.pem", kCaB);
  config::Config config = Config(Path("state/callgate/bundle.pem"));
  config.clusters.push_back(config.clusters.front());  // a third cluster with hq's ca_file
  config.clusters.back().name = "lab";
  EXPECT_EQ(CaBundleSources(config), (std::vector<std::string>{a, b}));
  const Result<std::size_t> written = WriteCaBundle(config);
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_EQ(*written, 2U);
  EXPECT_EQ(Contents(config.ca_bundle_path), std::string(kCaA) + "\n" + kCaB + "\n");
  EXPECT_EQ(Names("state/callgate"), std::vector<std::string>{"bundle.pem"});
}

// The bundle is replaced whole, with the permissions it had (a tool of another user may read
// it), and a symbolic link to it stays a link.
TEST_F(CaBundleTest, ReplacesTheBundleWholeKeepingItsPermissionsAndLinks) {
  Write("ca-a.pem", kCaA);
  Write("ca-b.pem", kCaB);
  const std::string real = Write("real/bundle.pem", "old bundle\n");
  ASSERT_EQ(chmod(real.c_str(), 0604), 0);
  fs::create_symlink(real, dir_ / "bundle.pem");
  const Result<std::size_t> written = WriteCaBundle(Config(Path("bundle.pem")));
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_TRUE(fs::is_symlink(dir_ / "bundle.pem"));
  EXPECT_EQ(Contents(real), std::string(kCaA) + "\n" + kCaB + "\n");
  struct stat status {};
  ASSERT_EQ(stat(real.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0604U);
  EXPECT_EQ(Names("real"), std::vector<std::string>{"bundle.pem"});
}

// A ca_file that cannot be read leaves the old bundle as it was, byte for byte, and the error
// names that file and the system's reason.
TEST_F(CaBundleTest, ACaFileThatCannotBeReadLeavesTheBundleAsItWas) {
  Write("ca-a.pem", kCaA);  // ca-b.pem is missing
  const std::string bundle = Write("bundle.pem", "old bundle\n");
  const Result<std::size_t> written = WriteCaBundle(Config(bundle));
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().ToString(),
            Path("ca-b.pem") + ": cannot open: No such file or directory");
  EXPECT_EQ(Contents(bundle), "old bundle\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"bundle.pem", "ca-a.pem"}));
}

// A ca_file caught while it is written is not copied into the bundle.
TEST_F(CaBundleTest, ACaFileThatChangesWhileReadLeavesTheBundleAsItWas) {
  if (!callgate::testing::ChangeAtFirstRead::Available()) {
    GTEST_SKIP() << "holding a read needs fanotify permission events and CAP_SYS_ADMIN";
  }
  Write("ca-a.pem", kCaA);
  const std::string b = Write("ca-b.pem", kCaB);
  const std::string bundle = Write("bundle.pem", "old bundle\n");
  const callgate::testing::ChangeAtFirstRead writer(
      b, [&] { std::ofstream(b, std::ios::binary | std::ios::app) << kCaA; });
  const Result<std::size_t> written = WriteCaBundle(Config(bundle));
  ASSERT_TRUE(writer.changed());
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.error().ToString(), HasSubstr(b + ": changed while it was read"));
  EXPECT_EQ(Contents(bundle), "old bundle\n");
}

// What is not a file is not replaced by one: a FIFO's reader waits for a bundle, and opening a
// FIFO to write it would hold start-up until something read it.
TEST_F(CaBundleTest, AFifoOrADirectoryIsLeftAlone) {
  Write("ca-a.pem", kCaA);
  Write("ca-b.pem", kCaB);
  const std::string fifo = Path("fifo.pem");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const Result<std::size_t> to_fifo = WriteCaBundle(Config(fifo));
  ASSERT_FALSE(to_fifo.ok());
  EXPECT_EQ(to_fifo.error().ToString(), "it is a FIFO (named pipe)");
  EXPECT_TRUE(fs::is_fifo(fifo));
  fs::create_directory(dir_ / "directory.pem");
  const Result<std::size_t> to_directory = WriteCaBundle(Config(Path("directory.pem")));
  ASSERT_FALSE(to_directory.ok());
  EXPECT_EQ(to_directory.error().ToString(), "it is a directory");
  EXPECT_EQ(Names(),
            (std::vector<std::string>{"ca-a.pem", "ca-b.pem", "directory.pem", "fifo.pem"}));
}

// A directory that cannot be made is named, with the system's reason (not a stale errno).
TEST_F(CaBundleTest, ADirectoryThatCannotBeMadeIsNamed) {
  Write("ca-a.pem", kCaA);
  Write("ca-b.pem", kCaB);
  const std::string blocker = Write("not-a-directory", "");
  const Result<std::size_t> written = WriteCaBundle(Config(blocker + "/bundle.pem"));
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().ToString(), blocker + ": cannot create the directory: Not a directory");
}

}  // namespace
}  // namespace callgate::app
