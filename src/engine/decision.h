// Decision: what the engine answers for one call, and why.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/phone_number.h"

namespace callgate::engine {

// Why the decision carries the name it does (or none).
enum class NameSource : std::uint8_t {
  kExact,       // exact directory entry
  kPrefix,      // longest prefix entry
  kNotFound,    // a valid number with no entry
  kNoNumber,    // the request carried no calling number
  kNotANumber,  // the calling number was not a phone number after normalisation
};

std::string_view ToString(NameSource source);  // "exact", "prefix", "not_found", ...

// Today every decision is "continue"; `calling_name` set means "continue and show this name".
struct Decision {
  std::optional<std::string_view> calling_name;  // points into the pinned Snapshot
  NameSource source = NameSource::kNoNumber;
  std::optional<PhoneNumber> number;  // the normalised calling number, when there was one
};

}  // namespace callgate::engine
