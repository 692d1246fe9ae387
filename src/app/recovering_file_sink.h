// RecoveringFileSink: a size-rotated log file that comes back after a failed rotation.
//
// spdlog's rotating_file_sink closes its file to rotate it and throws if it cannot open it again
// (out of file descriptors, log_dir removed or made unwritable); from then on every line throws
// and the file is never written again until a restart. This sink drops a file that failed, loses
// (and counts) the lines it cannot write, and opens the file anew at most once a second. The
// console hears of both ends of an outage, since the file itself cannot say it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

namespace callgate::app {

template <class Mutex>
class RecoveringFileSink final : public spdlog::sinks::base_sink<Mutex> {
 public:
  // Opens `path` at once; throws spdlog::spdlog_ex if it cannot (start-up reports that).
  RecoveringFileSink(std::string path, std::size_t max_bytes, std::size_t backups,
                     spdlog::file_event_handlers handlers)
      : path_(std::move(path)),
        max_bytes_(max_bytes),
        backups_(backups),
        handlers_(std::move(handlers)),
        file_(NewFile()) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (!file_ && !Reopen()) {
      ++lost_;
      return;
    }
    try {
      file_->log(message);
    } catch (const spdlog::spdlog_ex& e) {
      ++lost_;
      Failed(e.what());
    }
  }

  void flush_() override {
    if (!file_) return;
    try {
      file_->flush();
    } catch (const spdlog::spdlog_ex& e) {
      Failed(e.what());
    }
  }

  void set_pattern_(const std::string& pattern) override {
    set_formatter_(std::make_unique<spdlog::pattern_formatter>(pattern));
  }

  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    this->formatter_ = std::move(formatter);
    if (file_) file_->set_formatter(this->formatter_->clone());
  }

 private:
  using File = spdlog::sinks::rotating_file_sink<spdlog::details::null_mutex>;  // locked by us
  static constexpr std::chrono::seconds kRetryEvery{1};

  std::unique_ptr<File> NewFile() {
    auto file = std::make_unique<File>(path_, max_bytes_, backups_, false, handlers_);
    file->set_formatter(this->formatter_->clone());
    return file;
  }

  // Makes log_dir again if it has gone, as start-up does, then tries open(2) first: spdlog's own
  // open retries five times, 10 ms apart, and every logging thread would wait for that under
  // this sink's lock, once a second, for as long as it fails.
  bool Reopen() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt_) return false;
    next_attempt_ = now + kRetryEvery;
    std::error_code ignored;  // open(2) below fails all the same
    const std::filesystem::path file = path_;
    std::filesystem::create_directories(file.parent_path(), ignored);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    ::close(fd);
    try {
      file_ = NewFile();
    } catch (const spdlog::spdlog_ex&) {
      return false;
    }
    fmt::print(stderr, "callgate: writing {} again; {} line{} could not be written to it\n", path_,
               lost_, lost_ == 1 ? "" : "s");
    std::fflush(stderr);
    lost_ = 0;
    return true;
  }

  void Failed(const std::string& reason) {
    file_.reset();
    next_attempt_ = std::chrono::steady_clock::now() + kRetryEvery;
    fmt::print(stderr,
               "callgate: cannot write {}: {}; its lines are lost until it can be opened again "
               "(tried every second)\n",
               path_, reason);
    std::fflush(stderr);
  }

  const std::string path_;
  const std::size_t max_bytes_;
  const std::size_t backups_;
  const spdlog::file_event_handlers handlers_;
  std::unique_ptr<File> file_;  // null while the file cannot be written
  std::chrono::steady_clock::time_point next_attempt_{};
  std::uint64_t lost_ = 0;
};

}  // namespace callgate::app
