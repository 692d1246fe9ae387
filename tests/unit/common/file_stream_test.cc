#include "common/file_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "common/paths.h"

namespace callgate {
namespace {

constexpr std::string_view kContent = "phone_number,display_name\n+1,Ada Lovelace\n";
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

std::string Scratch(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("callgate_file_stream_" + std::to_string(getpid()) + "_" + name))
      .string();
}

void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void Append(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::app) << content;
}

// Sets the modification time of `path` to a fixed day in 2020.
void SetOldModificationTime(const std::string& path) {
  const timespec times[2] = {{1'600'000'000, 0}, {1'600'000'000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

// Returns once the clock file times are taken from has passed `path`'s status change time, so
// that the next change of the file gives it another one (the clock moves a tick, a few ms, at a
// time).
void WaitForTheClockToPassItsChangeTime(const std::string& path) {
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  timespec now{};
  do {
    std::this_thread::yield();
    clock_gettime(CLOCK_REALTIME_COARSE, &now);
  } while (now.tv_sec < info.st_ctim.tv_sec ||
           (now.tv_sec == info.st_ctim.tv_sec && now.tv_nsec <= info.st_ctim.tv_nsec));
}

// Reads up to `count` bytes (to the end for kAll), a few at a time; false on an error.
bool ReadSome(FileStream& file, std::size_t count) {
  char buffer[16];
  while (count > 0) {
    const std::size_t want = std::min(sizeof buffer, count);
    Result<std::size_t> n = file.Read(buffer, want);
    if (!n.ok()) return false;
    if (*n < want) break;  // the end of the file
    count -= *n;
  }
  return true;
}

using Change = std::function<void(const std::string& path)>;

void Unchanged(const std::string&) {}

void AppendACutRow(const std::string& path) { Append(path, "+2,Tom & Je"); }

void RewriteInPlace(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(pwrite(fd, "+9", 2, 26), 2);  // "+1" -> "+9": the same size
  close(fd);
}

struct ChangeCase {
  std::string label;
  std::size_t read_before;  // bytes read before `change` (kAll: to the end)
  Change change;
  Change after_the_end = Unchanged;  // once the read has reached the end
  std::string says;                  // how the error says it changed; "" for no error
};

const ChangeCase kChangeCases[] = {
    {"nothing happens", 5, Unchanged, Unchanged, ""},
    {"nothing happens, read to the end", kAll, Unchanged, Unchanged, ""},
    {"a writer appends during the read", 5, AppendACutRow, Unchanged,
     "its size went from 42 to 53 bytes"},
    {"a writer appends after the last byte was read", kAll, AppendACutRow, Unchanged,
     "its size went from 42 to 53 bytes"},
    // The read ends early; by the time it is checked, the file has its old size again.
    {"a writer truncates the file under the read, then writes it again", 5,
     [](const std::string& path) { std::filesystem::resize_file(path, 10); },
     [](const std::string& path) { WriteFile(path, kContent); },
     "it had 42 bytes when opened, but the read found its end after 10"},
    {"a writer rewrites it in place to the same size", 5, RewriteInPlace, Unchanged,
     "it was written to: its modification time moved"},
    {"a writer rewrites it and puts its modification time back, as cp -p does", 5,
     [](const std::string& path) {
       RewriteInPlace(path);
       SetOldModificationTime(path);
     },
     Unchanged, "its status change time moved"},
    {"another file is renamed into its place", 5,
     [](const std::string& path) {
       WriteFile(path + ".new", kContent);
       std::filesystem::rename(path + ".new", path);
     },
     Unchanged, "another file was put in its place"},
    {"it is removed", kAll, [](const std::string& path) { std::filesystem::remove(path); },
     Unchanged, "it was removed or renamed: its path names no file now"},
};

TEST(FileStreamTest, CheckUnchangedSaysHowTheFileChangedWhileItWasRead) {
  for (const ChangeCase& c : kChangeCases) {
    SCOPED_TRACE(c.label);
    const std::string path = Scratch("changed.csv");
    WriteFile(path, kContent);
    SetOldModificationTime(path);
    WaitForTheClockToPassItsChangeTime(path);
    Result<FileStream> file = FileStream::Open(path, 1 << 20);
    ASSERT_TRUE(file.ok()) << file.error().ToString();
    ASSERT_TRUE(ReadSome(*file, c.read_before));
    c.change(path);
    ASSERT_TRUE(ReadSome(*file, kAll));
    c.after_the_end(path);
    const Status unchanged = file->CheckUnchanged();
    std::filesystem::remove(path);
    if (c.says.empty()) {
      EXPECT_TRUE(unchanged.ok()) << unchanged.error().ToString();
      continue;
    }
    ASSERT_FALSE(unchanged.ok());
    const Error& error = unchanged.error();
    EXPECT_EQ(error.file, path);
    EXPECT_EQ(error.line, 0);
    EXPECT_TRUE(
        error.message.starts_with(std::string(FileStream::kChangedWhileRead) + " (" + c.says))
        << error.message;
  }
}

TEST(FileStreamTest, TheErrorSaysToWriteBesideAndRename) {
  const std::string path = Scratch("growing.csv");
  WriteFile(path, kContent);
  Result<FileStream> file = FileStream::Open(path, 1 << 20);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(ReadSome(*file, kAll));
  Append(path, "+2,Tom & Je");
  const Status unchanged = file->CheckUnchanged();
  std::filesystem::remove(path);
  ASSERT_FALSE(unchanged.ok());
  EXPECT_EQ(unchanged.error().ToString(),
            path +
                ": changed while it was read (its size went from 42 to 53 bytes): a file being "
                "written, or replaced, is not used. Write the new file beside it and rename it "
                "into place, which replaces it in one step");
}

// A deployment that switches a symbolic link to a new file: the path names another file.
TEST(FileStreamTest, ASymbolicLinkSwitchedToAnotherFileDuringTheReadIsAChange) {
  const std::string old_file = Scratch("old.csv");
  const std::string new_file = Scratch("new.csv");
  const std::string link = Scratch("link.csv");
  WriteFile(old_file, kContent);
  WriteFile(new_file, kContent);
  std::filesystem::create_symlink(old_file, link);
  Result<FileStream> file = FileStream::Open(link, 1 << 20);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(ReadSome(*file, kAll));
  EXPECT_TRUE(file->CheckUnchanged().ok()) << "still the same file";
  std::filesystem::remove(link);
  std::filesystem::create_symlink(new_file, link);
  const Status unchanged = file->CheckUnchanged();
  for (const auto& path : {old_file, new_file, link}) std::filesystem::remove(path);
  ASSERT_FALSE(unchanged.ok());
  EXPECT_NE(unchanged.error().message.find("another file was put in its place"), std::string::npos)
      << unchanged.error().message;
}

// The words of FileStream's errors, which the CSV's errors have always had.
TEST(FileStreamTest, ErrorsSayWhatWentWrongWithTheFile) {
  const std::string big = Scratch("big.csv");
  WriteFile(big, kContent);
  const struct {
    std::string path;
    std::size_t max_bytes;
    std::string message;
  } cases[] = {
      {"/nonexistent/callgate/file.csv", 1 << 20,
       "cannot open the file: No such file or directory"},
      {"/tmp", 1 << 20, "is a directory, not a file"},
      {big, 20, "file is larger than the limit of 20 bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    Result<FileStream> file = FileStream::Open(c.path, c.max_bytes);
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().file, c.path);
    EXPECT_EQ(file.error().message, c.message);
  }
  // A file that does not say its size (/proc) is stopped once it has given more than the limit.
  Result<FileStream> status = FileStream::Open("/proc/self/status", 100);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  EXPECT_FALSE(ReadSome(*status, kAll));
  std::filesystem::remove(big);
}

// A caller words the errors its own way (the TLS files keep theirs), from what went wrong, the
// system's reason and the limit; a missing file still says where a relative path was looked for.
TEST(FileStreamTest, ACallerMayWordTheErrors) {
  const FileProblemText words = [](FileProblem problem, int error_number, std::size_t max_bytes) {
    return std::to_string(static_cast<int>(problem)) + "/" + std::to_string(error_number) + "/" +
           std::to_string(max_bytes);
  };
  const std::string big = Scratch("big.pem");
  WriteFile(big, kContent);
  const struct {
    std::string path;
    std::string message;
  } cases[] = {
      {"/nonexistent/callgate/file.pem",
       std::to_string(static_cast<int>(FileProblem::kCannotOpen)) + "/" + std::to_string(ENOENT) +
           "/20"},
      {"relative-and-missing.pem", std::to_string(static_cast<int>(FileProblem::kCannotOpen)) +
                                       "/" + std::to_string(ENOENT) + "/20" +
                                       MissingPathNote("relative-and-missing.pem")},
      {"/tmp", std::to_string(static_cast<int>(FileProblem::kIsADirectory)) + "/0/20"},
      {big, std::to_string(static_cast<int>(FileProblem::kTooLarge)) + "/0/20"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    Result<FileStream> file = FileStream::Open(c.path, 20, words);
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().file, c.path);
    EXPECT_EQ(file.error().message, c.message);
  }
  Result<FileStream> status = FileStream::Open("/proc/self/status", 20, words);
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  char buffer[64];
  Result<std::size_t> read = status->Read(buffer, sizeof buffer);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message,
            std::to_string(static_cast<int>(FileProblem::kTooLarge)) + "/0/20");
  std::filesystem::remove(big);
}

TEST(ChangedWhileReadTest, KnowsTheErrorAsALoaderWordsIt) {
  const struct {
    std::string message;
    bool changed;
  } cases[] = {
      {"changed while it was read (its size went from 1 to 2 bytes): ...", true},
      // BuildTlsContext and LoadClusterCaFile lead with the file's path.
      {"'certs/hq.pem': changed while it was read (its size went from 1 to 2 bytes): ...", true},
      {"'certs/hq.pem': cannot open: No such file or directory", false},
      {"'certs/hq.pem': certificate #1 (CN = changed while it was read) is a leaf certificate",
       false},
      {"no PEM certificate found", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ChangedWhileRead(Error{c.message, "callgate.yaml", 9, "clusters.hq.ca_file", ""}),
              c.changed)
        << c.message;
  }
}

}  // namespace
}  // namespace callgate
