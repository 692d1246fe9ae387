// ReloadThread: runs a reload handler on a thread of its own, so that reading files never stalls
// an I/O thread. Requests that arrive while a reload runs are folded into one more run, after it.
#pragma once

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace callgate::server {

class ReloadThread {
 public:
  ReloadThread() = default;
  ~ReloadThread() { Stop(); }
  ReloadThread(const ReloadThread&) = delete;
  ReloadThread& operator=(const ReloadThread&) = delete;

  void SetHandler(std::function<void()> handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }

  // Thread-safe; starts the thread on first use.
  void Request() {
    std::lock_guard lock(mutex_);
    if (!handler_ || quit_) return;
    pending_ = true;
    if (!thread_.joinable()) {
      thread_ = std::thread([this] { Loop(); });
      ::pthread_setname_np(thread_.native_handle(), "reload");  // for top -H, ps -L, a debugger
    }
    wake_.notify_one();
  }

  // Whether a Request() waits for the thread to take it up (not whether a reload runs): a
  // Request() now would be folded into that one.
  bool Pending() {
    std::lock_guard lock(mutex_);
    return pending_;
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

  // Stop(), unless a reload is still running after `limit`: then false, and the thread is left
  // running (a read from a FIFO, or from a network file system that does not answer, may never
  // return), so the caller must end the process without destroying what the handler uses.
  bool StopWithin(std::chrono::milliseconds limit) {
    {
      std::unique_lock lock(mutex_);
      quit_ = true;
      wake_.notify_one();
      if (!idle_.wait_for(lock, limit, [this] { return !running_; })) return false;
    }
    if (thread_.joinable()) thread_.join();
    return true;
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return pending_ || quit_; });
      if (quit_) return;
      pending_ = false;
      running_ = true;
      auto handler = handler_;
      lock.unlock();
      handler();
      lock.lock();
      running_ = false;
      idle_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;  // a reload has finished
  std::function<void()> handler_;
  bool pending_ = false;
  bool running_ = false;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace callgate::server
