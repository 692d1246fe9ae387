#include "app/console_sink.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include <fmt/format.h>

namespace callgate::app {
namespace {

bool IsRegularFile(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Whether `fd` takes bytes within `wait` (0: now). A closed reader (POLLERR) or a hang-up does
// not: the bytes stay buffered, and are dropped once the buffer is full.
bool TakesBytes(int fd, std::chrono::milliseconds wait) {
  pollfd console{fd, POLLOUT, 0};
  const int ready = ::poll(&console, 1, static_cast<int>(wait.count()));
  return ready == 1 && (console.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0 &&
         (console.revents & POLLOUT) != 0;
}

// Writes from the front of `text` while `fd` takes bytes within `wait` (a regular file always
// does), at most PIPE_BUF bytes a write, which a pipe or a socket that polls writable takes whole.
// Returns how many bytes were written. Never throws.
std::size_t WriteWhileTaken(int fd, bool regular_file, std::string_view text,
                            std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  std::size_t written = 0;
  while (written < text.size()) {
    if (!regular_file) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (!TakesBytes(fd, std::max(left, std::chrono::milliseconds(0)))) break;
    }
    std::size_t size = text.size() - written;
    if (!regular_file) size = std::min<std::size_t>(size, PIPE_BUF);
    const ssize_t n = ::write(fd, text.data() + written, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN, EPIPE, EBADF
    written += static_cast<std::size_t>(n);
  }
  return written;
}

}  // namespace

bool WriteNotice(int fd, std::string_view text, std::chrono::milliseconds wait) {
  return WriteWhileTaken(fd, IsRegularFile(fd), text, wait) == text.size();
}

ConsoleSink::ConsoleSink(int fd) : fd_(fd), regular_file_(IsRegularFile(fd)) {
  pending_.reserve(kWriteAt + 1024);
}

ConsoleSink::~ConsoleSink() { Drain(std::chrono::seconds(1)); }

void ConsoleSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t line;
  formatter_->format(message, line);
  if (pending_.size() + line.size() > kMaxPending) {
    WritePending(std::chrono::milliseconds(0));
    if (pending_.size() + line.size() > kMaxPending) {
      ++dropped_;
      return;
    }
  }
  pending_.append(line.data(), line.size());
  if (pending_.size() >= kWriteAt) Drain(std::chrono::milliseconds(0));
}

void ConsoleSink::flush_() { Drain(std::chrono::milliseconds(0)); }

void ConsoleSink::Drain(std::chrono::milliseconds wait) {
  WritePending(wait);
  if (dropped_ == 0 || !pending_.empty()) return;
  pending_ = fmt::format(
      "callgate: {} console line{} dropped: the console did not take them (a stalled journal, "
      "or a pipe whose reader stopped); app.log has them when log_dir is set\n",
      dropped_, dropped_ == 1 ? " was" : "s were");
  dropped_ = 0;
  WritePending(wait);
}

void ConsoleSink::WritePending(std::chrono::milliseconds wait) {
  pending_.erase(0, WriteWhileTaken(fd_, regular_file_, pending_, wait));  // the rest kept
}

}  // namespace callgate::app
