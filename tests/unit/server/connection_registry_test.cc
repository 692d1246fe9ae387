#include "server/connection_registry.h"

#include <gtest/gtest.h>

namespace callgate::server {
namespace {

using std::chrono::seconds;
using Clock = ConnectionRegistry::Clock;

// A slot whose close() and cancel() count their calls, as a socket's would end its pending
// operation.
struct FakeConnection {
  ConnectionSlot slot;
  int closed = 0;
  int cancelled = 0;
  FakeConnection() {
    slot.close = [this] { ++closed; };
    slot.cancel = [this] { ++cancelled; };
  }
};

TEST(ConnectionRegistryTest, CloseExpiredClosesOnlyConnectionsPastTheirDeadlineAndOnlyOnce) {
  const Clock::time_point now = Clock::now();
  FakeConnection past, due, future, unlimited;
  past.slot.deadline = now - seconds(5);
  due.slot.deadline = now;
  future.slot.deadline = now + seconds(1);
  ConnectionRegistry registry;
  for (FakeConnection* c : {&past, &due, &future, &unlimited}) registry.Add(&c->slot);

  EXPECT_EQ(registry.CloseExpired(now), 2U);
  EXPECT_EQ(past.closed, 1);
  EXPECT_TRUE(past.slot.timed_out);
  EXPECT_EQ(due.closed, 1);
  EXPECT_EQ(future.closed, 0);
  EXPECT_FALSE(future.slot.timed_out);
  EXPECT_EQ(unlimited.closed, 0);

  // The next sweep does not close the timed-out ones again; the later deadline is now due.
  EXPECT_EQ(registry.CloseExpired(now + seconds(1)), 1U);
  EXPECT_EQ(past.closed, 1);
  EXPECT_EQ(future.closed, 1);
  EXPECT_EQ(unlimited.closed, 0);
}

TEST(ConnectionRegistryTest, RemovedConnectionsAreNotSwept) {
  FakeConnection gone, kept;
  gone.slot.deadline = kept.slot.deadline = Clock::now();
  ConnectionRegistry registry;
  const ConnectionRegistry::Handle handle = registry.Add(&gone.slot);
  registry.Add(&kept.slot);
  registry.Remove(handle);
  EXPECT_EQ(registry.CloseExpired(Clock::now()), 1U);
  EXPECT_EQ(gone.closed, 0);
  EXPECT_EQ(kept.closed, 1);
}

// An idle connection's read is cancelled, not its socket closed: the read may hold a request
// already, which the session then answers (SessionTest).
TEST(ConnectionRegistryTest, CloseIdleCancelsIdleReadsAndLeavesBusyConnectionsToFinish) {
  FakeConnection idle, busy;
  busy.slot.busy = true;
  ConnectionRegistry registry;
  registry.Add(&idle.slot);
  registry.Add(&busy.slot);
  registry.CloseIdle();
  EXPECT_EQ(idle.cancelled, 1);
  EXPECT_EQ(idle.closed, 0);
  EXPECT_EQ(busy.cancelled, 0);
  EXPECT_EQ(busy.closed, 0);
  EXPECT_FALSE(idle.slot.timed_out) << "a shutdown is not a timeout";
}

}  // namespace
}  // namespace callgate::server
