#include "app/recovering_file_sink.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>

namespace callgate::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using Sink = RecoveringFileSink<std::mutex>;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A sink on app.log in a fresh directory, 1,000 bytes a file, 3 backups, with a clock the test
// moves. Lines are "line <n>" padded to 100 bytes.
class RecoveringFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "callgate-sink-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    sink_ =
        std::make_shared<Sink>((dir_ / "app.log").string(), 1000, 3, spdlog::file_event_handlers{},
                               [this] { return now_; }, STDERR_FILENO, lines_lost_);
    logger_ = std::make_shared<spdlog::logger>("test", sink_);
    logger_->set_pattern("%v");
    testing::internal::CaptureStderr();
  }
  void TearDown() override {
    console_ += testing::internal::GetCapturedStderr();
    fs::remove_all(dir_);
  }

  void Write(int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string line = "line " + std::to_string(i) + " ";
      line.resize(99, '.');
      logger_->info(line);
    }
  }
  void Flush() { logger_->flush(); }
  void NextSecond() { now_ += std::chrono::milliseconds(1001); }
  std::string Console() {
    console_ += testing::internal::GetCapturedStderr();
    testing::internal::CaptureStderr();
    return console_;
  }
  // Every file's text, newest last.
  std::string AllFiles() {
    std::string text;
    for (const char* name : {"app.3.log", "app.2.log", "app.1.log", "app.log"}) {
      if (fs::is_regular_file(dir_ / name)) text += Read(dir_ / name);
    }
    return text;
  }

  fs::path dir_;
  Sink::Clock::time_point now_{std::chrono::hours(1)};
  std::shared_ptr<std::atomic<std::uint64_t>> lines_lost_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::string console_;
};

TEST_F(RecoveringFileSinkTest, RotatesAsSpdlogNamesTheFiles) {
  Write(0, 45);  // ten lines a file
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.log"), "line "), 5U);
  EXPECT_EQ(Count(Read(dir_ / "app.1.log"), "line "), 10U);
  EXPECT_THAT(Read(dir_ / "app.1.log"), HasSubstr("line 39 "));
  EXPECT_THAT(Read(dir_ / "app.3.log"), HasSubstr("line 10 ")) << "the oldest kept";
  EXPECT_THAT(AllFiles(), Not(HasSubstr("line 9 "))) << "older than log_backup_count files";
  EXPECT_FALSE(fs::exists(dir_ / "app.4.log"));
  EXPECT_EQ(Console(), "");
}

// A rename that fails (here app.2.log -> app.3.log, app.3.log being a directory; a read-only
// log_dir as well) keeps every line already written: spdlog's sink truncated the file it could
// not rotate, after sleeping 100 ms under the log lock. Lines go on into the file, the rotation
// is tried again a second later, and the console hears of each end once.
TEST_F(RecoveringFileSinkTest, ARotationThatCannotRenameKeepsEveryLine) {
  std::ofstream(dir_ / "app.1.log") << "one\n";
  std::ofstream(dir_ / "app.2.log") << "two\n";
  fs::create_directories(dir_ / "app.3.log" / "in-the-way");
  Write(0, 30);
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.log"), "line "), 30U) << "nothing lost, past the limit";
  EXPECT_EQ(Read(dir_ / "app.1.log"), "one\n");
  EXPECT_EQ(Count(Console(), "cannot rotate"), 1U) << Console();

  fs::remove_all(dir_ / "app.3.log");
  Write(30, 31);
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.log"), "line "), 31U) << "not before a second has passed";
  NextSecond();
  Write(31, 32);
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.1.log"), "line "), 31U);
  EXPECT_EQ(Read(dir_ / "app.3.log"), "two\n");
  EXPECT_EQ(Read(dir_ / "app.2.log"), "one\n");
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 31 "));
  EXPECT_THAT(Console(), HasSubstr("rotating " + (dir_ / "app.log").string() + " again"));
}

// A rotation moves only the run of backups it would overwrite: a gap stops it. A rotation that
// failed half-way leaves one (app.1.log moved on, app.log not), and tried again every second it
// must not push the older backups on, and out, each time, as spdlog's loop over every index did.
TEST_F(RecoveringFileSinkTest, ARotationStopsAtAGapInTheBackups) {
  Write(0, 30);  // app.2.log 0-9, app.1.log 10-19, app.log 20-29
  Flush();
  fs::rename(dir_ / "app.2.log", dir_ / "app.3.log");
  fs::rename(dir_ / "app.1.log", dir_ / "app.2.log");
  Write(30, 31);
  Flush();
  EXPECT_THAT(Read(dir_ / "app.3.log"), HasSubstr("line 0 ")) << "kept where it was";
  EXPECT_THAT(Read(dir_ / "app.2.log"), HasSubstr("line 10 "));
  EXPECT_THAT(Read(dir_ / "app.1.log"), HasSubstr("line 20 "));
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 30 "));
}

// A file removed under the sink (log_dir deleted) is made again within a second, at a flush:
// before, lines went on into the deleted file, unseen, until the next rotation.
TEST_F(RecoveringFileSinkTest, AFileRemovedUnderItIsMadeAgain) {
  Write(0, 2);
  Flush();
  fs::remove_all(dir_);
  Write(2, 3);
  Flush();
  EXPECT_FALSE(fs::exists(dir_)) << "not checked more than once a second";
  NextSecond();
  Write(3, 4);
  Flush();  // finds it gone, opens it anew
  Write(4, 5);
  Flush();
  ASSERT_TRUE(fs::exists(dir_ / "app.log"));
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 4 "));
  EXPECT_THAT(Console(), HasSubstr("app.log was removed or replaced; opening it anew"));
}

// A rotation that falls between a removal and the check that would see it opens the file anew:
// it neither moves the backups on nor reports a rename that could not work.
TEST_F(RecoveringFileSinkTest, AFileRemovedJustBeforeItsRotationIsNotRotated) {
  std::ofstream(dir_ / "app.1.log") << "one\n";
  Write(0, 10);
  Flush();
  fs::remove(dir_ / "app.log");
  Write(10, 11);  // over the limit: a rotation is due
  Flush();
  EXPECT_EQ(Read(dir_ / "app.1.log"), "one\n");
  EXPECT_FALSE(fs::exists(dir_ / "app.2.log"));
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 10 "));
  EXPECT_THAT(Console(), Not(HasSubstr("cannot rotate")));
}

// logrotate's "create": the file renamed away and a new one put in its place.
TEST_F(RecoveringFileSinkTest, AFileReplacedUnderItIsOpenedAnew) {
  Write(0, 2);
  Flush();
  fs::rename(dir_ / "app.log", dir_ / "app.log-20261124");
  std::ofstream(dir_ / "app.log") << "";
  NextSecond();
  Write(2, 3);
  Flush();
  Write(3, 4);
  Flush();
  EXPECT_THAT(Read(dir_ / "app.log-20261124"), HasSubstr("line 2 "));
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 3 "));
}

// logrotate's copytruncate copies the file and empties it: the lines go on at its start, and
// max_bytes counts from there (the count was 800 bytes, and two more lines rotated it).
TEST_F(RecoveringFileSinkTest, AFileEmptiedUnderItIsCountedFromEmpty) {
  Write(0, 8);
  Flush();
  fs::resize_file(dir_ / "app.log", 0);
  NextSecond();
  Flush();  // notices within a second
  Write(8, 17);
  Flush();
  EXPECT_FALSE(fs::exists(dir_ / "app.1.log")) << "900 bytes: not rotated";
  const std::string text = Read(dir_ / "app.log");
  EXPECT_EQ(Count(text, "line "), 9U);
  EXPECT_EQ(text.rfind("line 8 ", 0), 0U) << "written at the start, no hole before it";
  Write(17, 19);
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.1.log"), "line "), 10U) << "rotated at max_bytes as before";
  EXPECT_EQ(Console(), "");
}

// The same, emptied less than a second before the lines would rotate it: the rotation looks at
// the file first (lines 8 and 9 still buffered when it was cut).
TEST_F(RecoveringFileSinkTest, AFileEmptiedJustBeforeItsRotationIsNotRotated) {
  Write(0, 8);
  Flush();
  Write(8, 10);
  fs::resize_file(dir_ / "app.log", 0);
  Write(10, 17);
  Flush();
  EXPECT_FALSE(fs::exists(dir_ / "app.1.log")) << "900 bytes: not rotated";
  const std::string text = Read(dir_ / "app.log");
  EXPECT_EQ(Count(text, "line "), 9U);
  EXPECT_EQ(text.rfind("line 8 ", 0), 0U);
  Write(17, 19);
  Flush();
  EXPECT_EQ(Count(Read(dir_ / "app.1.log"), "line "), 10U);
  EXPECT_EQ(Console(), "");
}

// Writes that fail (a full disk: /dev/full) lose their lines, counted; the console hears once
// that the file is out of service, and once that it is back, with the count; not every second.
TEST_F(RecoveringFileSinkTest, AnOutageIsAnnouncedOnceAtEachEndWithTheLinesLost) {
  fs::remove(dir_ / "app.log");
  fs::create_symlink("/dev/full", dir_ / "app.log");
  NextSecond();
  Write(0, 1);
  Flush();  // the removal is seen: the link is opened, and fails
  for (int second = 0; second < 5; ++second) {
    NextSecond();
    Write(1 + second * 3, 4 + second * 3);
    Flush();
  }
  EXPECT_EQ(Count(Console(), "cannot write"), 1U) << Console();
  EXPECT_THAT(Console(), Not(HasSubstr("writing ")));

  fs::remove(dir_ / "app.log");
  NextSecond();
  Write(100, 101);
  Flush();
  EXPECT_THAT(Read(dir_ / "app.log"), HasSubstr("line 100 "));
  EXPECT_THAT(Console(), HasSubstr("writing " + (dir_ / "app.log").string() +
                                   " again; up to 15 lines could not be written to it"));
  EXPECT_EQ(lines_lost_->load(), 15U) << "the shared count, for /health";

  fs::remove(dir_ / "app.log");  // a second outage: the notice counts its own, /health all
  fs::create_symlink("/dev/full", dir_ / "app.log");
  NextSecond();
  Write(101, 102);
  Flush();  // line 101 reached the file replaced; the link is opened
  NextSecond();
  Write(102, 107);
  Flush();
  fs::remove(dir_ / "app.log");
  NextSecond();
  Write(107, 108);
  Flush();
  EXPECT_THAT(Console(), HasSubstr(" again; up to 5 lines could not be written to it"));
  EXPECT_EQ(lines_lost_->load(), 20U);
}

// A FIFO put in the file's place is not written: a write waits for its reader, and every request
// would wait with it. Its lines are lost (and counted) until a file is back.
TEST_F(RecoveringFileSinkTest, AFifoInTheFilesPlaceIsNotWritten) {
  Write(0, 1);
  Flush();
  const fs::path path = dir_ / "app.log";
  fs::remove(path);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  const int reader = open(path.c_str(), O_RDONLY | O_NONBLOCK);  // else open(2) would wait
  ASSERT_GE(reader, 0);
  NextSecond();
  Write(1, 3);
  Flush();  // sees the replacement
  Write(3, 4);
  Flush();
  char byte = 0;
  const ssize_t got = read(reader, &byte, 1);
  close(reader);
  ASSERT_LE(got, 0) << "a line was written into the FIFO";
  EXPECT_THAT(Console(), HasSubstr("cannot write " + path.string() +
                                   ": it is a FIFO (named pipe), not a file"));

  NextSecond();  // with no reader, opening it for writing fails at once (ENXIO), as a FIFO
  Write(4, 5);
  Flush();
  fs::remove(path);
  NextSecond();
  Write(5, 6);
  Flush();
  EXPECT_THAT(Read(path), HasSubstr("line 5 "));
  // Lines 1 and 2 went to the file removed before the flush that noticed; 3 and 4 were lost.
  EXPECT_THAT(Console(), HasSubstr("writing " + path.string() + " again; up to 2 lines could not"));
}

// The console as a pipe no one reads any more, full, as a stalled journal's is: its write end
// blocking, as a console's is. Or one whose reader has gone (writes fail with EPIPE).
class ConsolePipe {
 public:
  enum class Reader { kStalled, kGone };
  explicit ConsolePipe(Reader reader) {
    EXPECT_EQ(pipe(fds_), 0);
    if (reader == Reader::kGone) {
      close(fds_[0]);
      fds_[0] = -1;
      signal(SIGPIPE, SIG_IGN);  // as callgate has it
      return;
    }
    fcntl(fds_[1], F_SETFL, O_NONBLOCK);
    const std::string block(4096, 'x');
    while (write(fds_[1], block.data(), block.size()) > 0) {
    }
    fcntl(fds_[1], F_SETFL, 0);
  }
  ~ConsolePipe() {
    for (const int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int write_end() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

// The console's notices are written under the sink's lock, which requests wait on: a console
// that takes nothing must neither hold the sink (the flush below would never return: every call
// waited with it) nor, failing, leave it half changed (a file removed under it was never opened
// again, fmt's print having thrown on EPIPE).
TEST_F(RecoveringFileSinkTest, AConsoleThatTakesNothingHoldsNothingUp) {
  for (const auto reader : {ConsolePipe::Reader::kStalled, ConsolePipe::Reader::kGone}) {
    SCOPED_TRACE(reader == ConsolePipe::Reader::kStalled ? "stalled" : "gone");
    const ConsolePipe console(reader);
    const fs::path path = dir_ / (reader == ConsolePipe::Reader::kStalled ? "s.log" : "g.log");
    auto sink = std::make_shared<Sink>(
        path.string(), 1000, 3, spdlog::file_event_handlers{}, [this] { return now_; },
        console.write_end());
    spdlog::logger logger("console", sink);
    logger.set_pattern("%v");
    logger.info("before");
    logger.flush();
    fs::remove(path);
    NextSecond();
    logger.info("lost");
    logger.flush();  // sees the removal, and tells the console, which takes nothing
    logger.info("after");
    logger.flush();
    ASSERT_TRUE(fs::exists(path)) << "opened anew";
    EXPECT_THAT(Read(path), HasSubstr("after"));
  }
}

// A write cut short (a full disk) left part of a line: the next line does not continue it.
TEST_F(RecoveringFileSinkTest, ALineLeftUnfinishedIsEndedBeforeTheNext) {
  const fs::path path = dir_ / "cut.log";
  std::ofstream(path) << "whole\n2026-11-24 19:44:14.872 [in";
  // A sink opened on the file as it is, as at a start or a reopen, logging one line.
  const auto log_once = [&](const std::string& line) {
    spdlog::logger logger(
        "cut", std::make_shared<Sink>(path.string(), 1000, 3, spdlog::file_event_handlers{},
                                      [this] { return now_; }));
    logger.set_pattern("%v");
    logger.info(line);
    logger.flush();
  };
  log_once("next");
  EXPECT_EQ(Read(path), "whole\n2026-11-24 19:44:14.872 [in\nnext\n");
  log_once("last");
  EXPECT_EQ(Read(path), "whole\n2026-11-24 19:44:14.872 [in\nnext\nlast\n")
      << "a file that ends a line gets no empty one";
}

// Uses up every descriptor the process may open, until Release(): open(2) then fails with EMFILE
// while rename(2) still works.
class DescriptorsUsedUp {
 public:
  DescriptorsUsedUp() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = 64;
    setrlimit(RLIMIT_NOFILE, &low);
    for (int fd = open("/dev/null", O_RDONLY); fd >= 0; fd = open("/dev/null", O_RDONLY)) {
      held_.push_back(fd);
    }
  }
  void Release() {
    for (int fd : held_) close(fd);
    held_.clear();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> held_;
};

// A rotation that renamed the files but cannot open a new app.log (out of descriptors) while the
// console has not yet heard that an earlier outage is over. The sink must drop the file it
// renamed: it went on writing into app.1.log, and each later rotation pushed a backup out.
// Run in a child process, which may lower its own descriptor limit.
void RotateWhenOpenFailsJustAfterAnOutage() {
  std::string pattern = (fs::temp_directory_path() / "callgate-sink-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) _exit(2);
  const fs::path dir = pattern;
  Sink::Clock::time_point now{std::chrono::hours(1)};
  auto sink = std::make_shared<Sink>((dir / "app.log").string(), 1000, 3,
                                     spdlog::file_event_handlers{}, [&now] { return now; });
  spdlog::logger logger("test", sink);
  logger.set_pattern("%v");
  const auto write = [&logger](int from, int to) {
    for (int i = from; i < to; ++i) logger.info("line {:<94}", i);  // 100 bytes with the newline
  };
  fs::remove(dir / "app.log");
  fs::create_symlink("/dev/full", dir / "app.log");
  now += std::chrono::seconds(2);
  write(0, 1);
  logger.flush();  // sees app.log replaced, opens /dev/full
  write(1, 2);
  logger.flush();  // fails: the outage starts
  fs::remove(dir / "app.log");
  now += std::chrono::seconds(2);
  write(2, 11);  // app.log opened again (the console hears of it at the next flush): 900 bytes
  DescriptorsUsedUp used_up;
  write(11, 20);  // rotates: renamed to app.1.log, no new app.log
  now += std::chrono::seconds(2);
  write(20, 30);  // still no descriptor: lost
  used_up.Release();
  now += std::chrono::seconds(2);
  write(30, 31);
  logger.flush();
  std::string files;  // app.N.log ... app.log, each line prefixed with its file's name
  for (const char* name : {"app.3.log", "app.2.log", "app.1.log", "app.log"}) {
    std::istringstream lines(Read(dir / name));
    for (std::string line; std::getline(lines, line);)
      files += std::string(name) + ": " + line + "\n";
  }
  fs::remove_all(dir);
  const auto file_of = [&files](int line) {
    const std::size_t at = files.find(": line " + std::to_string(line) + " ");
    return at == std::string::npos ? std::string("-") : files.substr(files.rfind('\n', at) + 1, 9);
  };
  // Lines 12-19 came while no file could be opened: lost (and counted), not written on into the
  // renamed file beside lines 2-11.
  const bool ok = file_of(2) == file_of(11) && file_of(12) == "-" && file_of(19) == "-" &&
                  file_of(30) == "app.log: ";
  if (!ok) std::fprintf(stderr, "%s", files.c_str());
  _exit(ok ? 0 : 1);  // the child of the death test: nothing to clean up
}

TEST(RecoveringFileSinkDeathTest, ARotationThatCannotOpenItsNewFileDropsTheOldOne) {
  EXPECT_EXIT(RotateWhenOpenFailsJustAfterAnOutage(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace callgate::app
