// File descriptors: the process's open-file limit, and a spare descriptor for when it runs out.
//
// Every connection holds a descriptor. When a process has none left, accept() fails and the
// kernel keeps the connection queued: the client's request is never answered, and UCM waits out
// its whole routing timer on every call sent there. systemd's default soft limit (1024) is below
// what max_connections (default 1024) and the admin listener need, so the server raises its
// soft limit to the hard one at start-up and warns when even that is short of what its
// configuration needs. It also holds one spare descriptor: when accept() fails for lack of
// descriptors, it frees the spare, accepts the waiting connection, closes it at once (the
// client sees the close, as it does over max_connections) and takes the spare back.
#pragma once

#include <cstdint>

namespace callgate::server {

// Raises RLIMIT_NOFILE's soft limit to its hard limit where it is lower; returns the soft limit
// now in force (the old one when the system refuses the raise; 0 when it cannot be read).
std::uint64_t RaiseOpenFileLimit();

// RLIMIT_NOFILE's hard limit: what RaiseOpenFileLimit() raises to (0 when it cannot be read).
std::uint64_t HardOpenFileLimit();

// The descriptors a server may hold with `connections` open at once and `worker_threads`
// threads: one per connection, three per event loop (the workers' and the listeners'), and a
// reserve for the listeners, the log files, standard streams, signals and the files a reload
// reads. Measured: 20 at rest with two workers, one log directory and two listeners.
std::uint64_t DescriptorsNeeded(std::uint64_t connections, unsigned worker_threads);

// One descriptor held in reserve (of /dev/null).
class SpareDescriptor {
 public:
  SpareDescriptor() { Retake(); }
  ~SpareDescriptor() { Release(); }
  SpareDescriptor(const SpareDescriptor&) = delete;
  SpareDescriptor& operator=(const SpareDescriptor&) = delete;

  bool held() const { return fd_ >= 0; }
  void Release();  // closes the spare, so that one more descriptor can be opened
  void Retake();   // opens the spare again when it is not held; held() says if that worked

 private:
  int fd_ = -1;
};

}  // namespace callgate::server
