// ConnectionRegistry: the live connections of one I/O thread, so that a graceful shutdown can
// close the idle ones at once and let busy ones finish their request, and so that the thread's
// deadline sweep can close the ones whose read or write has taken too long. Each worker thread
// owns one registry and only touches it from its own thread, so there is no locking.
//
// Why a sweep and not a timer per operation: Beast's stream timeouts arm a timer for every read
// and write and cancel it when the operation completes, an extra completion through the
// scheduler and a timer-queue update each time, on every request (docs/performance.md). A
// deadline is a time stored in the slot; one timer per thread checks them all a few times a
// second.
#pragma once

#include <chrono>
#include <functional>
#include <list>

namespace callgate::server {

struct ConnectionSlot {
  using Clock = std::chrono::steady_clock;

  bool busy = false;  // a request is being read, handled or written
  // When the connection's pending read or write must be done by; CloseExpired closes it once
  // this has passed. max(): no limit (before the session sets one, and during a TLS handshake,
  // which has a timer of its own).
  Clock::time_point deadline = Clock::time_point::max();
  bool timed_out = false;       // CloseExpired closed it: its pending operation ended in a timeout
  std::function<void()> close;  // closes the socket: a pending operation ends with an error
  // Cancels the pending operation (it ends with operation_aborted), leaving the socket open: a
  // read that has already taken a request's bytes still completes with them.
  std::function<void()> cancel;
};

class ConnectionRegistry {
 public:
  using Handle = std::list<ConnectionSlot*>::iterator;
  using Clock = ConnectionSlot::Clock;

  // `slot` must have `close` and `cancel` set, and stay alive until it is removed.
  Handle Add(ConnectionSlot* slot) { return slots_.insert(slots_.end(), slot); }
  void Remove(Handle handle) { slots_.erase(handle); }

  // Ends every idle connection; busy ones see the stop flag after their response. An idle one's
  // read is cancelled, not its socket closed: that read may have taken a request's bytes already,
  // its completion queued behind this, or more bytes may wait in the socket, which the session
  // reads and answers before it closes the connection (session.cc, AwaitRequest). Closing the
  // socket here lost such requests, sent before the stop.
  void CloseIdle() {
    for (ConnectionSlot* slot : slots_) {
      if (!slot->busy) slot->cancel();
    }
  }

  // Closes every connection whose deadline is at or before `now`, once, and marks it timed out.
  // Returns how many it closed. Closing only cancels the pending operation (its coroutine
  // resumes later, through the scheduler), so no slot leaves the registry during the loop.
  std::size_t CloseExpired(Clock::time_point now) {
    std::size_t closed = 0;
    for (ConnectionSlot* slot : slots_) {
      if (slot->timed_out || slot->deadline > now) continue;
      slot->timed_out = true;
      slot->close();
      ++closed;
    }
    return closed;
  }

 private:
  std::list<ConnectionSlot*> slots_;
};

}  // namespace callgate::server
