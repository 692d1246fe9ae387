// RaiseOpenFileLimit and the spare descriptor (descriptors.h).
#include "server/descriptors.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace callgate::server {
namespace {

// Restores this process's open-file limit when it goes out of scope.
class SavedLimit {
 public:
  SavedLimit() { getrlimit(RLIMIT_NOFILE, &saved_); }
  ~SavedLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }
  SavedLimit(const SavedLimit&) = delete;
  SavedLimit& operator=(const SavedLimit&) = delete;
  const rlimit& saved() const { return saved_; }

 private:
  rlimit saved_{};
};

TEST(RaiseOpenFileLimitTest, RaisesTheSoftLimitToTheHardOne) {
  SavedLimit saved;
  ASSERT_GT(saved.saved().rlim_max, 64U);
  const rlimit lowered{64, saved.saved().rlim_max};  // a process may lower its soft limit
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  EXPECT_EQ(RaiseOpenFileLimit(), saved.saved().rlim_max);
  rlimit now{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, saved.saved().rlim_max);
}

TEST(DescriptorsNeededTest, OnePerConnectionAboveWhatAnIdleServerHolds) {
  EXPECT_GE(DescriptorsNeeded(0, 2), 20U);  // measured: an idle server with two workers
  EXPECT_EQ(DescriptorsNeeded(1040, 2) - DescriptorsNeeded(0, 2), 1040U);
  EXPECT_GE(DescriptorsNeeded(0, 16) - DescriptorsNeeded(0, 2), 3U * 14U);  // an event loop each
}

// The number the next open() would get: the lowest free descriptor.
int NextDescriptor() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ::close(fd);
  return fd;
}

TEST(SpareDescriptorTest, HoldsOneDescriptorUntilReleased) {
  const int free_before = NextDescriptor();
  SpareDescriptor spare;
  ASSERT_TRUE(spare.held());
  EXPECT_NE(NextDescriptor(), free_before) << "the spare holds the lowest free descriptor";
  spare.Release();
  EXPECT_FALSE(spare.held());
  EXPECT_EQ(NextDescriptor(), free_before) << "released: it is free again";
  spare.Retake();
  EXPECT_TRUE(spare.held());
  EXPECT_NE(NextDescriptor(), free_before);
}

}  // namespace
}  // namespace callgate::server
