// `callgate lookup NUMBER`: what a call from NUMBER would get, and why.
#include <iostream>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/effective_config.h"
#include "app/snapshot_loader.h"
#include "codec/curri.h"
#include "common/log_text.h"
#include "engine/policy_engine.h"

namespace callgate::app {
namespace {

// Text from the directory, whole, made safe for a terminal as for a log line (log_text.h): a
// character that reorders or breaks lines is shown as \xHH, and `quote` as \".
std::string Shown(std::string_view text, char quote = '\0') {
  return LogSafeCopy(text, quote, text.size());
}

void PrintDecision(const engine::Decision& decision) {
  switch (decision.source) {
    case engine::NameSource::kExact:
    case engine::NameSource::kPrefix:
      std::cout << "result: " << engine::ToString(decision.source) << " match: \""
                << Shown(*decision.calling_name, '"') << "\"\n";
      break;
    case engine::NameSource::kNotFound:
      std::cout << "result: no entry: the call continues without a name change\n";
      break;
    case engine::NameSource::kNoNumber:
    case engine::NameSource::kNotANumber:
      std::cout << "result: not a phone number: no lookup, the call continues unchanged\n";
      break;
  }
}

}  // namespace

int RunLookup(const CommandLine& command_line) {
  auto config = LoadEffectiveConfig(command_line);
  if (!config) return PrintError(config.error());
  auto loaded = LoadSnapshot(*config);
  if (!loaded) return PrintError(loaded.error());
  engine::CallQuery query;
  query.calling_number = command_line.number;
  const engine::Decision decision = engine::Decide(query, *loaded->snapshot);
  std::cout << "number: " << command_line.number;
  if (decision.number) std::cout << " (normalised: " << decision.number->view() << ")";
  std::cout << "\n";
  PrintDecision(decision);
  std::cout << "response: " << Shown(codec::RenderCurriResponse(decision)) << "\n";
  return 0;
}

}  // namespace callgate::app
