// What a load of the files the configuration names is for, and so what to tell an administrator
// whose file was caught while being written.
#pragma once

#include <string>
#include <string_view>

namespace callgate::app {

// What a load is for. The error for a file that changed while it was read (being written) ends
// with what that means there and when to load it again (WhenToLoadAgain).
enum class LoadFor {
  kStart,    // serve, before it serves: there is nothing in service to keep
  kReload,   // SIGHUP: what is in service stays
  kCommand,  // check, lookup
};

// What follows the error for a file that changed while it was read (which says to write the new
// file beside it and rename it into place): ". Send SIGHUP again once the new file is written",
// ". Run this command again once ...", and at start-up, which has nothing to keep, ". At
// start-up " + `nothing_to_keep` + ": start callgate again once ..." (`nothing_to_keep`: "there
// is no directory in service to keep").
std::string WhenToLoadAgain(LoadFor load_for, std::string_view nothing_to_keep);

}  // namespace callgate::app
