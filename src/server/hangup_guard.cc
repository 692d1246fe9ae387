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

}  // namespace

void HoldHangupsForTheServer() {
  [[maybe_unused]] static const HangupHolder* const holder = new HangupHolder;
}

}  // namespace callgate::server
