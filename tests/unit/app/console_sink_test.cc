#include "app/console_sink.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>

namespace callgate::app {
namespace {

using ::testing::HasSubstr;

// A console that is a pipe this test reads (or does not), behind a logger that writes "%v".
class ConsoleSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe2(fds_, O_CLOEXEC), 0);
    fcntl(fds_[1], F_SETPIPE_SZ, 4096);  // the smallest pipe: full after a few dozen lines
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    logger_ = std::make_shared<spdlog::logger>("test", std::make_shared<ConsoleSink>(fds_[1]));
    logger_->set_pattern("%v");
  }
  void TearDown() override {
    logger_.reset();  // its last drain finds the pipe full and gives up after a second
    close(fds_[0]);
    close(fds_[1]);
  }

  // Everything the pipe holds now.
  std::string ReadAvailable() {
    std::string text;
    char chunk[4096];
    for (ssize_t n; (n = read(fds_[0], chunk, sizeof chunk)) > 0;) text.append(chunk, n);
    return text;
  }
  static std::string Line(int i) {
    std::string line = "line " + std::to_string(i) + " ";
    line.resize(99, '.');
    return line;
  }

  int fds_[2] = {-1, -1};
  std::shared_ptr<spdlog::logger> logger_;
};

TEST_F(ConsoleSinkTest, LinesGoOutOnFlush) {
  logger_->info(Line(0));
  logger_->info(Line(1));
  EXPECT_EQ(ReadAvailable(), "") << "buffered until a flush";
  logger_->flush();
  EXPECT_EQ(ReadAvailable(), Line(0) + "\n" + Line(1) + "\n");
}

// A console that takes nothing (a stalled journal) must not hold up the threads that log: what
// it cannot take is kept up to a limit, the rest dropped, counted, and said once it takes lines
// again. Every line is either written whole and in order, or counted as dropped.
TEST_F(ConsoleSinkTest, AConsoleThatTakesNothingDoesNotHoldUpTheLogger) {
  constexpr int kLines = 20000;  // 2 MB: twice what the sink keeps
  auto logging = std::async(std::launch::async, [this] {
    for (int i = 0; i < kLines; ++i) logger_->info(Line(i));
    logger_->flush();
  });
  const bool finished = logging.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  std::string console;
  if (!finished) {  // a blocking sink: read until it is done, so that the test can end
    while (logging.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
      console += ReadAvailable();
    }
  }
  ASSERT_TRUE(finished) << "logging waited for the console";

  for (int round = 0; round < 1000 && console.find("dropped") == std::string::npos; ++round) {
    console += ReadAvailable();
    logger_->flush();
  }
  console += ReadAvailable();
  std::istringstream lines(console);
  std::string line;
  int next = 0;
  while (std::getline(lines, line) && line.rfind("line ", 0) == 0) {
    ASSERT_EQ(line, Line(next)) << "lines whole and in order";
    ++next;
  }
  EXPECT_GT(next, 0);
  EXPECT_LT(next, kLines);
  EXPECT_EQ(line, "callgate: " + std::to_string(kLines - next) +
                      " console lines were dropped: the console did not take them (a stalled "
                      "journal, or a pipe whose reader stopped); app.log has them when log_dir "
                      "is set");
  EXPECT_FALSE(std::getline(lines, line)) << "nothing after the count: " << line;
}

// A regular file (console redirected to one) is written without a poll, all of it at a flush.
TEST(ConsoleSinkFileTest, ARegularFileGetsEveryLine) {
  char path[] = "/tmp/callgate-console-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  {
    spdlog::logger logger("test", std::make_shared<ConsoleSink>(fd));
    logger.set_pattern("%v");
    for (int i = 0; i < 2000; ++i) logger.info("line {}", i);
    logger.flush();
  }
  close(fd);
  std::ifstream in(path);
  std::string line;
  int count = 0;
  while (std::getline(in, line)) EXPECT_EQ(line, "line " + std::to_string(count++));
  EXPECT_EQ(count, 2000);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace callgate::app
