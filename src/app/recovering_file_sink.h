// RecoveringFileSink: a size-rotated log file that outlives what happens to its directory.
//
// spdlog's rotating_file_sink, when a rename fails (log_dir made read-only), sleeps 100 ms under
// the log lock, which every request's access line waits on, then truncates the file it could not
// rotate, destroying lines already written, and throws; when it cannot open its file again (out
// of descriptors, log_dir removed) every later line throws until a restart. So this sink rotates
// itself, as spdlog names the files (app.log, app.1.log newest ... app.N.log):
// - a rotation whose rename fails leaves every file as it is: lines go on into the current file,
//   past max_bytes, and the rotation is tried again a second later;
// - a file that cannot be written is dropped, its lines are lost (and counted) until it opens
//   again, tried once a second;
// - a file removed or replaced under it (log_dir deleted, logrotate's "create") is opened anew
//   at the next flush, within a second, instead of writing on into a deleted file; one emptied
//   under it (logrotate's "copytruncate") is counted from empty again.
// The console hears of both ends of each outage, once, since the file itself cannot say it.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/details/file_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

#include "app/console_sink.h"

namespace callgate::app {

template <class Mutex>
class RecoveringFileSink final : public spdlog::sinks::base_sink<Mutex> {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens `path` at once; throws spdlog::spdlog_ex if it cannot (start-up reports that). `now`
  // is for tests, which cannot wait for the retries.
  // `notice_fd` is the console its notices go to (WriteNotice: never waiting for it long).
  // `lines_lost`, if not null, counts every line lost, over all outages (shared by the sinks).
  RecoveringFileSink(std::string path, std::size_t max_bytes, std::size_t backups,
                     const spdlog::file_event_handlers& handlers,
                     std::function<Clock::time_point()> now = Clock::now,
                     int notice_fd = STDERR_FILENO,
                     std::shared_ptr<std::atomic<std::uint64_t>> lines_lost = nullptr)
      : path_(std::move(path)),
        max_bytes_(max_bytes),
        backups_(backups),
        now_(std::move(now)),
        notice_fd_(notice_fd),
        lines_lost_(std::move(lines_lost)),
        file_(handlers) {
    Open(/*truncate=*/false);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    if (!open_ && !Reopen()) {
      Lose(1);
      return;
    }
    spdlog::memory_buf_t line;
    this->formatter_->format(message, line);
    if (size_ > 0 && size_ + line.size() > max_bytes_) Rotate(line.size());
    if (!open_) {  // the rotation could not open the new file
      Lose(1);
      return;
    }
    try {
      file_.write(line);
      size_ += line.size();
      ++unflushed_;
    } catch (const spdlog::spdlog_ex& e) {
      Failed(e.what(), /*line_in_hand=*/1);
    }
  }

  void flush_() override {
    if (!open_) return;
    try {
      file_.flush();
    } catch (const spdlog::spdlog_ex& e) {
      Failed(e.what(), /*line_in_hand=*/0);
      return;
    }
    unflushed_ = 0;
    if (out_of_service_) {
      // "up to": some of the lines counted since the last flush may have reached the file.
      Announce("writing {} again; up to {} line{} could not be written to it", path_, lost_,
               lost_ == 1 ? "" : "s");
      out_of_service_ = false;
      lost_ = 0;
    }
    if (now_() >= next_presence_check_) CheckStillThere();
  }

  void set_pattern_(const std::string& pattern) override {
    set_formatter_(std::make_unique<spdlog::pattern_formatter>(pattern));
  }

  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    this->formatter_ = std::move(formatter);
  }

 private:
  static constexpr std::chrono::seconds kRetryEvery{1};
  static constexpr const char* kFifo = "it is a FIFO (named pipe), not a file";

  // How long a notice may wait for the console: it is written under this sink's lock, which
  // requests wait on. A console that takes nothing for that long (a stalled journal, a pipe whose
  // reader stopped, a closed one) does not get it.
  static constexpr std::chrono::milliseconds kNoticeWait{10};

  // One line to the console, never blocking on it and never throwing: an exception here would
  // leave this sink's state half changed (a file removed under it never opened again).
  template <class... Args>
  void Announce(fmt::format_string<Args...> format, Args&&... args) noexcept {
    try {
      WriteNotice(notice_fd_,
                  fmt::format("callgate: {}\n", fmt::format(format, std::forward<Args>(args)...)),
                  kNoticeWait);
    } catch (...) {  // out of memory for the line: it is left out
    }
  }

  std::string Backup(std::size_t index) const {
    return spdlog::sinks::rotating_file_sink<spdlog::details::null_mutex>::calc_filename(path_,
                                                                                         index);
  }

  // Opens path_ (throws spdlog_ex) and notes which file it is, for CheckStillThere.
  void Open(bool truncate) {
    file_.open(path_, truncate);
    open_ = true;
    size_ = file_.size();
    EndPartialLine();
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) identity_ = {st.st_dev, st.st_ino};
    next_presence_check_ = now_() + kRetryEvery;
  }

  // A write cut short (a full disk) leaves part of a line at the end of the file: the next line
  // starts on a line of its own, not glued to it, which would break every line-based reader.
  void EndPartialLine() {
    if (size_ == 0) return;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return;
    char last = '\n';
    const bool read = ::pread(fd, &last, 1, static_cast<off_t>(size_ - 1)) == 1;
    ::close(fd);
    if (!read || last == '\n') return;
    spdlog::memory_buf_t newline;
    newline.push_back('\n');
    file_.write(newline);
    ++size_;
  }

  // Opens path_ unless open(2) says it cannot be: spdlog's own open retries five times, 10 ms
  // apart, and every logging thread would wait for that under this sink's lock. Not a FIFO: one
  // put in its place would block the open until it has a reader, and every write once its
  // reader stops, and with them every request (O_NONBLOCK keeps this probe's open from waiting).
  bool TryOpen(bool truncate) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | (truncate ? O_TRUNC : O_APPEND);
    const int fd = ::open(path_.c_str(), flags, 0666);  // less the umask, as fopen(3) makes it
    if (fd < 0) {                                       // ENXIO: a FIFO with no reader
      Failed(errno == ENXIO ? kFifo : std::generic_category().message(errno), 0);
      return false;
    }
    struct stat st {};
    const bool fifo = ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
    ::close(fd);
    if (fifo) {
      Failed(kFifo, 0);
      return false;
    }
    try {
      Open(truncate);
    } catch (const spdlog::spdlog_ex& e) {
      Failed(e.what(), 0);
      return false;
    }
    return true;
  }

  // Makes log_dir again if it has gone, as start-up does, then opens the file; at most once a
  // second. The console hears of it at the first flush that reaches the file.
  bool Reopen() {
    const auto now = now_();
    if (now < next_attempt_) return false;
    next_attempt_ = now + kRetryEvery;
    std::error_code ignored;  // the open below fails all the same
    const std::filesystem::path file = path_;
    std::filesystem::create_directories(file.parent_path(), ignored);
    return TryOpen(/*truncate=*/false);
  }

  // app.N-1.log -> app.N.log ... app.log -> app.1.log, then a new app.log. Only the run of
  // backups that would be overwritten moves: a rotation that failed half-way, tried again, must
  // not push the older ones on (and out) each time. The open file is renamed with the rest and
  // closed only once every rename has worked: until then it is still the current file, and a
  // failed rename leaves nothing to undo.
  // `incoming`: the size of the line that would take the file past max_bytes.
  void Rotate(std::size_t incoming) {
    const auto now = now_();
    if (now < next_rotation_) return;
    // Flushed first, so that the file's size says what it holds (CheckStillThere).
    try {
      file_.flush();
      unflushed_ = 0;
    } catch (const spdlog::spdlog_ex& e) {
      Failed(e.what(), /*line_in_hand=*/0);
      return;
    }
    // A file removed since the last check is not rotated: its backups would move for nothing,
    // and its rename fail. One emptied under it (copytruncate) may no longer need it.
    if (!CheckStillThere() || size_ + incoming <= max_bytes_) return;
    std::size_t run = 0;  // app.1.log ... app.<run>.log exist
    while (run < backups_ && ::access(Backup(run + 1).c_str(), F_OK) == 0) ++run;
    for (std::size_t i = std::min(run + 1, backups_); i > 0; --i) {
      const std::string from = Backup(i - 1);
      const std::string to = Backup(i);
      if (std::rename(from.c_str(), to.c_str()) != 0) {
        const int error = errno;
        if (!rotation_failing_) {
          Announce(
              "cannot rotate {}: renaming {} to {}: {}; it grows past log_max_bytes until a "
              "rotation works (tried every second)",
              path_, from, to, std::generic_category().message(error));
        }
        rotation_failing_ = true;
        next_rotation_ = now + kRetryEvery;
        return;
      }
    }
    if (rotation_failing_) Announce("rotating {} again", path_);
    rotation_failing_ = false;
    unflushed_ = 0;  // file_helper's close flushes them into app.1.log
    TryOpen(/*truncate=*/true);
  }

  // A file removed or replaced since it was opened: the lines written to it from here on would
  // be lost (log_dir deleted) or never rotated (logrotate made a new one).
  // Returns false when it was not, and the file has been opened anew (or dropped).
  // Called just after a flush, with no line waiting in the buffer: a file shorter than what was
  // written to it was emptied under it (logrotate's copytruncate), and max_bytes counts again
  // from what it holds, as the lines go on at its end (O_APPEND). Otherwise it would be rotated
  // as early as it was cut.
  bool CheckStillThere() {
    next_presence_check_ = now_() + kRetryEvery;
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) {
      if (FileIdentity{st.st_dev, st.st_ino} == identity_) {
        size_ = std::min(size_, static_cast<std::size_t>(st.st_size));
        return true;
      }
    } else if (errno != ENOENT && errno != ENOTDIR) {
      return true;  // cannot tell (EACCES): keep writing
    }
    Announce("{} was removed or replaced; opening it anew", path_);
    file_.close();  // flushes what it holds into the file that was there
    unflushed_ = 0;
    open_ = false;
    next_attempt_ = {};
    Reopen();
    return false;
  }

  void Lose(std::uint64_t lines) {
    lost_ += lines;
    if (lines_lost_) lines_lost_->fetch_add(lines, std::memory_order_relaxed);
  }

  // Drops the file: the line in hand and those not flushed yet are lost.
  void Failed(const std::string& reason, std::uint64_t line_in_hand) {
    Lose(unflushed_ + line_in_hand);
    unflushed_ = 0;
    file_.close();
    open_ = false;
    next_attempt_ = now_() + kRetryEvery;
    if (out_of_service_) return;  // announced when it started
    out_of_service_ = true;
    Announce(
        "cannot write {}: {}; its lines are lost until it can be written again (tried every "
        "second)",
        path_, reason);
  }

  struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    bool operator==(const FileIdentity&) const = default;
  };

  const std::string path_;
  const std::size_t max_bytes_;
  const std::size_t backups_;
  const std::function<Clock::time_point()> now_;
  const int notice_fd_;
  const std::shared_ptr<std::atomic<std::uint64_t>> lines_lost_;
  spdlog::details::file_helper file_;
  bool open_ = false;
  std::size_t size_ = 0;
  FileIdentity identity_;
  bool out_of_service_ = false;    // announced as not written; until a flush works again
  bool rotation_failing_ = false;  // announced; until a rotation works again
  Clock::time_point next_attempt_{};
  Clock::time_point next_rotation_{};
  Clock::time_point next_presence_check_{};
  std::uint64_t lost_ = 0;       // lines lost in this outage
  std::uint64_t unflushed_ = 0;  // lines written since the last flush that worked
};

}  // namespace callgate::app
