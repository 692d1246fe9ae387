// Builds the TLS context and peer authorizer from the files the configuration names, at start-up,
// at each reload and in `callgate check`.
#pragma once

#include <memory>

#include "app/load_for.h"
#include "common/result.h"
#include "config/config.h"
#include "server/security_state.h"

namespace callgate::app {

// server::BuildSecurityState, whose errors name the key and the file, with the error for a
// certificate, key or CA file that changed while it was read ended as WithWhenToLoadAgain does.
Result<std::shared_ptr<const server::SecurityState>> LoadSecurityState(const config::Config& config,
                                                                       LoadFor load_for);

// `error`, from a loader of the TLS files; when it says that a file changed while it was read
// (ChangedWhileRead, common/file_stream.h), followed by when to load it again (WhenToLoadAgain).
Error WithWhenToLoadAgain(Error error, LoadFor load_for);

}  // namespace callgate::app
