#include "server/snapshot_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace callgate::server {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const engine::Snapshot> SnapshotFrom(std::string path) {
  auto snapshot = std::make_shared<engine::Snapshot>();
  snapshot->directory_path = std::move(path);
  return snapshot;
}

TEST(SnapshotStoreTest, PublishReturnsTheSnapshotItReplaces) {
  const auto first = SnapshotFrom("first.csv");
  SnapshotStore store(first);
  const auto retired = store.Publish(SnapshotFrom("second.csv"));
  EXPECT_EQ(retired, first);
  EXPECT_EQ(store.Current()->directory_path, "second.csv");
}

// Records the thread that destroys it.
struct Tracked {
  explicit Tracked(std::promise<std::thread::id>& freed) : freed_on(freed) {}
  ~Tracked() { freed_on.set_value(std::this_thread::get_id()); }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  std::promise<std::thread::id>& freed_on;
};

TEST(FreeWhenUnpinnedTest, WaitsForTheLastPinAndFreesOnTheCallingThread) {
  std::promise<std::thread::id> freed;
  auto retired = std::make_shared<Tracked>(freed);
  std::thread request([pin = retired]() mutable {
    std::this_thread::sleep_for(50ms);  // a request still using the old snapshot
    pin.reset();
  });
  EXPECT_TRUE(FreeWhenUnpinned(std::move(retired), 60s));
  request.join();
  EXPECT_EQ(freed.get_future().get(), std::this_thread::get_id());
}

TEST(FreeWhenUnpinnedTest, FreesAtOnceWhenNothingPinsIt) {
  std::promise<std::thread::id> freed;
  auto future = freed.get_future();
  EXPECT_TRUE(FreeWhenUnpinned(std::make_shared<Tracked>(freed), 0ms));
  ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(future.get(), std::this_thread::get_id());
}

TEST(FreeWhenUnpinnedTest, LeavesItToTheLastHolderAfterItsPatience) {
  std::promise<std::thread::id> freed;
  auto future = freed.get_future();
  std::promise<void> let_go;
  auto retired = std::make_shared<Tracked>(freed);
  std::thread holder([pin = retired, release = let_go.get_future()]() mutable {
    release.wait();
    pin.reset();
  });
  const auto holder_id = holder.get_id();
  EXPECT_FALSE(FreeWhenUnpinned(std::move(retired), 20ms));
  EXPECT_EQ(future.wait_for(0s), std::future_status::timeout) << "freed while still pinned";
  let_go.set_value();
  holder.join();
  EXPECT_EQ(future.get(), holder_id);
}

}  // namespace
}  // namespace callgate::server
