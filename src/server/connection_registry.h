// ConnectionRegistry: the live connections of one I/O thread, so that a graceful shutdown can
// close the idle ones at once and let busy ones finish their request. Each worker thread owns one
// registry and only touches it from its own thread, so there is no locking.
#pragma once

#include <functional>
#include <list>

namespace callgate::server {

struct ConnectionSlot {
  bool busy = false;                 // a request is being read, handled or written
  std::function<void()> close_idle;  // cancels the wait for the next request
};

class ConnectionRegistry {
 public:
  using Handle = std::list<ConnectionSlot*>::iterator;

  Handle Add(ConnectionSlot* slot) { return slots_.insert(slots_.end(), slot); }
  void Remove(Handle handle) { slots_.erase(handle); }

  // Closes every idle connection; busy ones see the stop flag after their response.
  void CloseIdle() {
    for (ConnectionSlot* slot : slots_) {
      if (!slot->busy && slot->close_idle) slot->close_idle();
    }
  }

 private:
  std::list<ConnectionSlot*> slots_;
};

}  // namespace callgate::server
