// Decide(): the pure policy function, CallQuery + Snapshot -> Decision. Never throws, never
// allocates, safe to call from any thread.
#pragma once

#include "engine/call_query.h"
#include "engine/decision.h"
#include "engine/snapshot.h"

namespace callgate::engine {

// Normalises the calling number and looks it up: exact entry first, then the longest prefix.
// A missing or non-numeric calling number yields a plain continue with the reason recorded.
Decision Decide(const CallQuery& query, const Snapshot& snapshot);

}  // namespace callgate::engine
