#include "app/security_loader.h"

#include <utility>

#include "common/file_stream.h"

namespace callgate::app {

Result<std::shared_ptr<const server::SecurityState>> LoadSecurityState(const config::Config& config,
                                                                       LoadFor load_for) {
  auto state = server::BuildSecurityState(config);
  if (!state) return WithWhenToLoadAgain(state.error(), load_for);
  return state;
}

Error WithWhenToLoadAgain(Error error, LoadFor load_for) {
  if (ChangedWhileRead(error)) {
    error.message += WhenToLoadAgain(load_for, "there are no TLS certificates in service to keep");
  }
  return error;
}

}  // namespace callgate::app
