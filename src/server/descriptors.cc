#include "server/descriptors.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace callgate::server {

std::uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

std::uint64_t HardOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return limit.rlim_max;
}

std::uint64_t DescriptorsNeeded(std::uint64_t connections, unsigned worker_threads) {
  constexpr std::uint64_t kReserve = 32;
  constexpr std::uint64_t kPerEventLoop = 3;  // epoll, its wake-up eventfd, its timerfd
  return connections + kPerEventLoop * (worker_threads + 1) + kReserve;
}

void SpareDescriptor::Release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SpareDescriptor::Retake() {
  if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

}  // namespace callgate::server
