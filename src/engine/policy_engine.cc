#include "engine/policy_engine.h"

namespace callgate::engine {

std::string_view ToString(NameSource source) {
  switch (source) {
    case NameSource::kExact:
      return "exact";
    case NameSource::kPrefix:
      return "prefix";
    case NameSource::kNotFound:
      return "not_found";
    case NameSource::kNoNumber:
      return "no_number";
    case NameSource::kNotANumber:
      return "not_a_number";
  }
  return "unknown";
}

Decision Decide(const CallQuery& query, const Snapshot& snapshot) {
  Decision decision;
  if (query.calling_number.empty()) return decision;  // kNoNumber
  decision.number = PhoneNumber::Parse(query.calling_number);
  if (!decision.number) {
    decision.source = NameSource::kNotANumber;
    return decision;
  }
  auto match = snapshot.directory.Lookup(*decision.number);
  if (!match) {
    decision.source = NameSource::kNotFound;
    return decision;
  }
  decision.calling_name = match->name;
  decision.source =
      match->type == directory::MatchType::kExact ? NameSource::kExact : NameSource::kPrefix;
  return decision;
}

}  // namespace callgate::engine
