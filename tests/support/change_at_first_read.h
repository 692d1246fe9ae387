// ChangeAtFirstRead: changes a file at the moment something first reads it, after the reader has
// opened it and before its first read(2) returns anything: a writer caught between a reader's
// open and its read, made deterministic. The reader may be this process or another (the server
// under test): fanotify holds its read in the kernel until the change has been made. That needs
// CAP_SYS_ADMIN and a kernel with fanotify permission events; a test checks Available() and
// skips without them. Header-only: the test binaries compile only *_test.cc files.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace callgate::testing {

class ChangeAtFirstRead {
 public:
  // Whether this process may hold reads this way.
  static bool Available() {
    const int group = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY);
    if (group < 0) return false;
    const bool marked = fanotify_mark(group, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, "/") == 0;
    close(group);
    return marked;
  }

  // Watches `path`, which must exist, and must be opened by the reader after this. `change` runs
  // once, on a thread of this object, when a read of the file first starts; it must not read the
  // file itself (that read would wait for it). Throws std::runtime_error if the file cannot be
  // watched.
  ChangeAtFirstRead(const std::string& path, std::function<void()> change)
      : change_(std::move(change)),
        group_(fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_LARGEFILE)),
        stop_(eventfd(0, EFD_CLOEXEC)) {
    if (group_ < 0 || stop_ < 0 ||
        fanotify_mark(group_, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, path.c_str()) != 0) {
      const std::string why = std::generic_category().message(errno);
      Close();
      throw std::runtime_error("cannot watch the reads of " + path + ": " + why);
    }
    thread_ = std::thread([this] { AnswerReads(); });
  }

  // Stops watching. A read still held is let through.
  ~ChangeAtFirstRead() {
    const std::uint64_t one = 1;
    if (write(stop_, &one, sizeof one) != sizeof one) std::terminate();
    thread_.join();
    Close();
  }

  ChangeAtFirstRead(const ChangeAtFirstRead&) = delete;
  ChangeAtFirstRead& operator=(const ChangeAtFirstRead&) = delete;

  // Whether a read has started and `change` has run.
  bool changed() const { return changed_; }

 private:
  void AnswerReads() {
    pollfd fds[2] = {{group_, POLLIN, 0}, {stop_, POLLIN, 0}};
    while (true) {
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if ((fds[1].revents & POLLIN) != 0) return;
      if ((fds[0].revents & POLLIN) != 0) AnswerEvents();
    }
  }

  // Every read waiting is let through, the first after `change` has run.
  void AnswerEvents() {
    alignas(fanotify_event_metadata) char buffer[4096];
    const ssize_t got = read(group_, buffer, sizeof buffer);
    const std::size_t length = got > 0 ? static_cast<std::size_t>(got) : 0;
    for (std::size_t at = 0; at + sizeof(fanotify_event_metadata) <= length;) {
      fanotify_event_metadata event;
      std::memcpy(&event, buffer + at, sizeof event);
      if (event.event_len < sizeof event) return;
      if ((event.mask & FAN_ACCESS_PERM) != 0) {
        if (!changed_) change_();
        changed_ = true;
        const fanotify_response allow{event.fd, FAN_ALLOW};
        if (write(group_, &allow, sizeof allow) != sizeof allow) std::terminate();
      }
      if (event.fd >= 0) close(event.fd);
      at += event.event_len;
    }
  }

  void Close() {
    if (group_ >= 0) close(group_);  // lets through any read still held
    if (stop_ >= 0) close(stop_);
  }

  std::function<void()> change_;
  int group_;
  int stop_;
  std::atomic<bool> changed_{false};
  std::thread thread_;
};

}  // namespace callgate::testing
