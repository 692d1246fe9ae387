// SnapshotStore: the one place the current engine::Snapshot is published. Readers pin the
// current snapshot with Current() and keep it for the whole request; Publish() swaps in a new
// one atomically. Old snapshots die when their last request finishes.
//
// Thread-safe: any number of concurrent readers and publishers.
#pragma once

#include <atomic>
#include <memory>

#include "engine/snapshot.h"

namespace callgate::server {

class SnapshotStore {
 public:
  explicit SnapshotStore(std::shared_ptr<const engine::Snapshot> initial)
      : current_(std::move(initial)) {}

  std::shared_ptr<const engine::Snapshot> Current() const {
    return current_.load(std::memory_order_acquire);
  }
  void Publish(std::shared_ptr<const engine::Snapshot> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const engine::Snapshot>> current_;
};

}  // namespace callgate::server
