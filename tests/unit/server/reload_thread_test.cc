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

// Requests made while a reload runs are folded into one more run, after it.
TEST(ReloadThreadTest, RequestsDuringARunMakeOneMoreRunAfterIt) {
  ReloadThread reloads;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  reloads.SetHandler([&] {
    ++started;
    released.wait();
  });
  reloads.Request();
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }));
  reloads.Request();
  reloads.Request();
  EXPECT_EQ(started.load(), 1) << "not while the first runs";
  release.set_value();
  ASSERT_TRUE(Eventually([&] { return started.load() == 2; }));
  ASSERT_TRUE(reloads.StopWithin(std::chrono::seconds(10))) << "the second run ends";
  EXPECT_EQ(started.load(), 2) << "one run for both requests";
}

// Pending() is a request the thread has not taken up yet, not a reload that runs.
TEST(ReloadThreadTest, PendingIsARequestNotYetTakenUp) {
  ReloadThread reloads;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  reloads.SetHandler([&] {
    ++started;
    released.wait();
  });
  EXPECT_FALSE(reloads.Pending());
  reloads.Request();
  ASSERT_TRUE(Eventually([&] { return started.load() == 1; }));
  EXPECT_FALSE(reloads.Pending()) << "the first run has taken it up";
  reloads.Request();
  EXPECT_TRUE(reloads.Pending()) << "waits for the first run to end";
  release.set_value();
  ASSERT_TRUE(Eventually([&] { return started.load() == 2; }));
  EXPECT_FALSE(reloads.Pending());
  ASSERT_TRUE(reloads.StopWithin(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace callgate::server
