// ConsoleSink: the console when it is not a terminal (systemd's journal, Docker, a pipe), written
// so that a console that stops taking lines cannot stop the calls.
//
// Worker threads log each request's line under the application log's lock. A journald that
// stalls, or a pipe whose reader stopped, blocks a plain write(2) once its buffer is full, and
// every request then waits for the lock. So lines gather in a buffer of this sink's own and are
// written only as far as the console takes them without waiting: poll(2) first, then at most
// PIPE_BUF bytes a write, which a pipe or a socket that polls writable takes whole. What the
// console does not take stays buffered, up to kMaxPending; lines beyond that are dropped and
// counted, and once the console takes lines again a line says how many were dropped.
//
// Lines are written when 64 KB have gathered and on every flush (warnings at once, and once a
// second), not one write(2) per line as spdlog's console sinks do: at INFO every request logs a
// line. Unlocked: it is only ever an output of the application log's sink, which holds the lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace callgate::app {

// Writes `text` to `fd` as far as the console takes it within `wait`, waiting no longer, and
// never throws (EPIPE, EIO, EBADF: not written). For notices written under a lock that requests
// wait on, other than the console's own (RecoveringFileSink's), which a stalled console must not
// hold. A pipe or a socket takes a notice of up to PIPE_BUF bytes whole, or not at all. Returns
// whether all of `text` was written.
bool WriteNotice(int fd, std::string_view text, std::chrono::milliseconds wait);

class ConsoleSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  static constexpr std::size_t kWriteAt = std::size_t{64} * 1024;
  static constexpr std::size_t kMaxPending = std::size_t{1024} * 1024;

  // Writes to `fd`, which it does not own (stderr by default).
  explicit ConsoleSink(int fd);
  // Gives the console up to a second more to take what is still buffered.
  ~ConsoleSink() override;

  ConsoleSink(const ConsoleSink&) = delete;
  ConsoleSink& operator=(const ConsoleSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override;

 private:
  // Writes what the console takes within `wait`, then the count of lines dropped if everything
  // before it went out.
  void Drain(std::chrono::milliseconds wait);
  // Writes from the front of pending_ while the console takes bytes within `wait`.
  void WritePending(std::chrono::milliseconds wait);

  const int fd_;
  const bool regular_file_;  // never waits: no poll needed
  std::string pending_;
  std::uint64_t dropped_ = 0;
};

}  // namespace callgate::app
