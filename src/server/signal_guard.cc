#include "server/signal_guard.h"

#include <csignal>
#include <initializer_list>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace callgate::server {
namespace {

// Registering a signal with Asio installs its handler, which queues the signal for every
// signal_set registered for it: a holder's, which nobody waits on, and the server's while it
// exists. Asio restores the default action when the last registration goes away, so a holder's
// never does: it is never destroyed, not even at exit. Its context is never run.
struct SignalHolder {
  explicit SignalHolder(std::initializer_list<int> signals) {
    for (int signal : signals) held.add(signal);
  }
  boost::asio::io_context context{1};
  boost::asio::signal_set held{context};
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
  [[maybe_unused]] static const SignalHolder* const holder = [] {
    auto* held = new SignalHolder{SIGHUP};
    RestartCallsAfterHangups();
    return held;
  }();
}

// The same holder: the server's registration goes away with it, this one stays.
void HoldStopSignalsUntilExit() {
  [[maybe_unused]] static const SignalHolder* const holder = new SignalHolder{SIGTERM, SIGINT};
}

}  // namespace callgate::server
