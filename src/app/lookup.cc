// `callgate lookup NUMBER`: what a call from NUMBER would get, and why, from the directory file as
// it is on disk now, not the directory a running server has in service (the one it last loaded).
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "app/commands.h"
#include "app/effective_config.h"
#include "app/snapshot_loader.h"
#include "codec/curri.h"
#include "common/log_text.h"
#include "config/config.h"
#include "directory/phone_directory.h"
#include "engine/policy_engine.h"

namespace callgate::app {
namespace {

// Text from the directory, whole, made safe for a terminal as for a log line (log_text.h): a
// character that reorders or breaks lines is shown as \xHH, and `quote` as \".
std::string Shown(std::string_view text, char quote = '\0') {
  return LogSafeCopy(text, quote, text.size());
}

// "exact entry +14085550101" / "prefix entry +1408": the directory entry `match` is.
std::string EntryOf(const directory::Match& match, const PhoneNumber& number) {
  return std::string(directory::ToString(match.type)) + " entry " +
         std::string(number.view().substr(0, match.matched_length));
}

// The same number with its leading '+' removed, or with one added.
std::optional<PhoneNumber> OtherPlusForm(const PhoneNumber& number) {
  std::string_view digits = number.view();
  if (number.has_plus()) return PhoneNumber::Parse(digits.substr(1));
  return PhoneNumber::Parse("+" + std::string(digits));
}

// A directory written with (or without) the leading '+' that calls lack (or have) is the usual
// reason for "no entry", or for a prefix's name where an exact entry was meant; say so when the
// other form of the number has an entry (only an exact one when `exact_only`).
void PrintPlusHint(const PhoneNumber& number, const directory::PhoneDirectory& directory,
                   bool exact_only) {
  const auto other = OtherPlusForm(number);
  if (!other) return;
  const auto match = directory.Lookup(*other);
  if (!match) return;
  if (exact_only && match->type != directory::MatchType::kExact) return;
  std::cout << "hint: " << other->view() << " would match the " << EntryOf(*match, *other) << " (\""
            << Shown(match->name, '"')
            << "\"): a number and an entry match only when both start with '+' or neither "
               "does; write the directory as UCM sends the number\n";
}

bool IsEmpty(const directory::PhoneDirectory& directory) {
  return directory.exact_entries() + directory.prefix_entries() == 0;
}

// The directory the answer comes from: its size, and whether rows were lost or changed on the
// way in, since a skipped row is a common reason for "no entry". The warnings themselves are
// check's to list: they name lines, not numbers, so which one concerns NUMBER is not known here.
void PrintDirectory(const LoadedSnapshot& loaded) {
  const engine::Snapshot& snapshot = *loaded.snapshot;
  const directory::PhoneDirectory& directory = snapshot.directory;
  std::cout << "directory: " << snapshot.directory_path << ": ";
  if (IsEmpty(directory)) {
    if (loaded.rows == 0) {
      std::cout << "empty: no rows after the header\n";
    } else {
      std::cout << "empty: all " << loaded.rows << " row(s) skipped (callgate check says why)\n";
    }
    return;
  }
  std::cout << directory.exact_entries() << " exact and " << directory.prefix_entries()
            << " prefix entries from " << loaded.rows << " rows";
  if (loaded.warning_count > 0) {
    std::cout << "; " << loaded.warning_count
              << " warning(s) about its header or rows skipped, replaced or changed (callgate "
                 "check lists them)";
  }
  std::cout << "\n";
}

void PrintDecision(const engine::Decision& decision, std::string_view raw,
                   const directory::PhoneDirectory& directory) {
  switch (decision.source) {
    case engine::NameSource::kExact:
    case engine::NameSource::kPrefix: {
      std::cout << "result: " << engine::ToString(decision.source) << " match: \""
                << Shown(*decision.calling_name, '"') << "\"";
      const auto match = directory.Lookup(*decision.number);
      const bool by_prefix = match && match->type == directory::MatchType::kPrefix;
      if (by_prefix) std::cout << " (" << EntryOf(*match, *decision.number) << "; no exact entry)";
      std::cout << "\n";
      if (by_prefix) PrintPlusHint(*decision.number, directory, /*exact_only=*/true);
      break;
    }
    case engine::NameSource::kNotFound:
      std::cout << "result: no entry" << (IsEmpty(directory) ? " (the directory is empty)" : "")
                << ": the call continues without a name change\n";
      PrintPlusHint(*decision.number, directory, /*exact_only=*/false);
      break;
    case engine::NameSource::kNoNumber:
    case engine::NameSource::kNotANumber: {
      NumberError error = NumberError::kEmpty;
      PhoneNumber::Parse(raw, &error);
      std::cout << "result: not a phone number (" << Describe(error)
                << "): no lookup, the call continues unchanged\n";
      break;
    }
  }
}

// lookup answers for any configuration it can read, but an answer for one that serve refuses
// (secure by default, or a ca_bundle_path that would overwrite a file callgate uses) is not what
// any call gets: say so, and why.
void PrintStartRefusal(const config::Config& config) {
  if (Status refused = StartRefusal(config); !refused) {
    std::cout << "note: serve would refuse to start with this configuration: "
              << refused.error().ToString() << "\n";
  }
}

}  // namespace

int RunLookup(const CommandLine& command_line) {
  auto config = LoadEffectiveConfig(command_line);
  if (!config) return PrintError(config.error());
  auto loaded = LoadSnapshot(*config, LoadFor::kCommand, ErrorsFor::kTerminal);
  if (!loaded) return PrintError(loaded.error());
  const directory::PhoneDirectory& directory = loaded->snapshot->directory;
  engine::CallQuery query;
  query.calling_number = command_line.number;
  const engine::Decision decision = engine::Decide(query, *loaded->snapshot);
  PrintDirectory(*loaded);
  std::cout << "number: " << Shown(command_line.number);
  if (decision.number) std::cout << " (normalised: " << decision.number->view() << ")";
  std::cout << "\n";
  PrintDecision(decision, command_line.number, directory);
  std::cout << "response: " << Shown(codec::RenderCurriResponse(decision)) << "\n";
  PrintStartRefusal(*config);
  return 0;
}

}  // namespace callgate::app
