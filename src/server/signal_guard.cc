#include "server/signal_guard.h"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace callgate::server {
namespace {

// Registering a signal with Asio installs its handler, which queues the signal for every
// signal_set registered for it: a holder's, which nobody waits on, and the server's while it
// exists. Asio restores the default action when the last registration goes away, so a holder's
// never does: the holders are never destroyed, not even at exit. Their context is never run.
// Made at start-up (HoldHangupsForTheServer): a context opens descriptors, which a stop that
// comes when the process is out of them could not get; a registration opens none.
struct SignalHolders {
  boost::asio::io_context context{1};
  boost::asio::signal_set hangup{context};
  boost::asio::signal_set stop{context};
};

SignalHolders& Holders() {
  static SignalHolders* const holders = new SignalHolders;
  return *holders;
}

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
  [[maybe_unused]] static const bool held = [] {
    Holders().hangup.add(SIGHUP);
    RestartCallsAfterHangups();
    return true;
  }();
}

void HoldStopSignalsUntilExit() {
  // Once only: the stopping callback runs once. Failing, the exit is as it was without this.
  boost::system::error_code ignored;
  Holders().stop.add(SIGTERM, ignored);
  Holders().stop.add(SIGINT, ignored);
}

}  // namespace callgate::server
