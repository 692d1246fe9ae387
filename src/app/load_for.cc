#include "app/load_for.h"

namespace callgate::app {

std::string WhenToLoadAgain(LoadFor load_for, std::string_view nothing_to_keep) {
  switch (load_for) {
    case LoadFor::kStart:
      return ". At start-up " + std::string(nothing_to_keep) +
             ": start callgate again once the new file is written";
    case LoadFor::kReload:
      return ". Send SIGHUP again once the new file is written";
    case LoadFor::kCommand:
      break;
  }
  return ". Run this command again once the new file is written";
}

}  // namespace callgate::app
