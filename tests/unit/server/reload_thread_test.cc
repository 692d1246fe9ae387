#include "server/reload_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace callgate::server {
namespace {

using namespace std::chrono_literals;

// Waits up to 10 s for `done`; false if it never came.
template <class Predicate>
bool Eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// RunningFor() is what a SIGHUP consults to say that it waits for a reload still running.
TEST(ReloadThreadTest, RunningForIsSetOnlyWhileAReloadRuns) {
  ReloadThread reloads;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  reloads.SetHandler([&] {
    ++started;
    released.wait();
  });
  EXPECT_EQ(reloads.RunningFor(), std::nullopt);
  reloads.Request();
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }));
  const auto running = reloads.RunningFor();
  ASSERT_TRUE(running.has_value());
  EXPECT_TRUE(Eventually([&] { return reloads.RunningFor() > running; })) << "the time grows";

  reloads.Request();  // folded into one more run, after the one in progress
  reloads.Request();
  release.set_value();
  ASSERT_TRUE(Eventually([&] { return started.load() == 2 && !reloads.RunningFor(); }));
  reloads.Stop();
  EXPECT_EQ(started.load(), 2);
}

}  // namespace
}  // namespace callgate::server
