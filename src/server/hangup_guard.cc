#include "server/hangup_guard.h"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace callgate::server {
namespace {

// Registering SIGHUP with Asio installs its handler, which queues the signal for every
// signal_set registered for it: this one, which nobody waits on, and the server's while it
// exists. Asio restores the default action when the last registration goes away, so this one
// never does: it is never destroyed, not even at exit. The context is never run.
struct HangupHolder {
  boost::asio::io_context context{1};
  boost::asio::signal_set hangup{context, SIGHUP};
};

// Asio installs its handler without SA_RESTART (this version has no flag for it), so a SIGHUP
// would end a wait in open() or write() with EINTR: a start waiting to open a FIFO csv_file_path
// would fail with "Interrupted system call". With it the call resumes. (poll() does not: the
// console sink's wait then ends early, and keeps its lines for its next write.) Asio sets the
// handler only when the first registration is made, which the holder's is, and keeps it while any
// registration remains.
void RestartCallsAfterHangups() {
  struct sigaction action {};
  if (sigaction(SIGHUP, nullptr, &action) != 0) return;
  action.sa_flags |= SA_RESTART;
  sigaction(SIGHUP, &action, nullptr);
}

}  // namespace

void HoldHangupsForTheServer() {
  [[maybe_unused]] static const HangupHolder* const holder = [] {
    auto* held = new HangupHolder;
    RestartCallsAfterHangups();
    return held;
  }();
}

}  // namespace callgate::server
