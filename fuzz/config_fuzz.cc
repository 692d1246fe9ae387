// ParseConfig on arbitrary bytes must never crash, hang or throw (yaml-cpp's exceptions are
// caught inside the config layer). What parses also goes through the checks that follow it at
// start-up, so their reading of the parsed structs is exercised too.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  callgate::Result<callgate::config::Config> config =
      callgate::config::ParseConfig(text, "fuzz.yaml");
  if (!config.ok()) {
    (void)config.error().ToString();
    return 0;
  }
  (void)callgate::config::ValidateSecurity(config.value());
  (void)callgate::config::ApplyEnvironment(config.value(), text.substr(0, 16));
  return 0;
}
