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

// A ReloadThread whose runs each wait for Release(): the first run holds the thread.
class ReloadThreadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reloads_.SetHandler([this] {
      ++started_;
      released_.wait();
    });
  }
  // Released at the end in any case, so that a failed test does not wait for its run forever.
  void TearDown() override {
    if (released_.wait_for(0s) != std::future_status::ready) Release();
  }
  void Release() { release_.set_value(); }
  int started() const { return started_.load(); }

  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::atomic<int> started_{0};
  ReloadThread reloads_;  // last: stopped before what its handler uses goes
};

// Requests made while a reload runs are folded into one more run, after it.
TEST_F(ReloadThreadTest, RequestsDuringARunMakeOneMoreRunAfterIt) {
  reloads_.Request();
  ASSERT_TRUE(Eventually([&] { return started() == 1; }));
  reloads_.Request();
  reloads_.Request();
  EXPECT_EQ(started(), 1) << "not while the first runs";
  Release();
  ASSERT_TRUE(Eventually([&] { return started() == 2; }));
  ASSERT_TRUE(reloads_.StopWithin(std::chrono::seconds(10))) << "the second run ends";
  EXPECT_EQ(started(), 2) << "one run for both requests";
}

// Pending() is a request the thread has not taken up yet, not a reload that runs.
TEST_F(ReloadThreadTest, PendingIsARequestNotYetTakenUp) {
  EXPECT_FALSE(reloads_.Pending());
  reloads_.Request();
  ASSERT_TRUE(Eventually([&] { return started() == 1; }));
  EXPECT_FALSE(reloads_.Pending()) << "the first run has taken it up";
  reloads_.Request();
  EXPECT_TRUE(reloads_.Pending()) << "waits for the first run to end";
  Release();
  ASSERT_TRUE(Eventually([&] { return started() == 2; }));
  EXPECT_FALSE(reloads_.Pending());
  ASSERT_TRUE(reloads_.StopWithin(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace callgate::server
