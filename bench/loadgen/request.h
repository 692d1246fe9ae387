// The requests callgate-loadgen sends, serialized once at start-up so the hot loop only writes
// bytes. Headers imitate Cisco UCM's CURRI client (Content-type, methodName, User-Agent).
#pragma once

#include <string>
#include <vector>

#include "options.h"
#include "target.h"

namespace callgate::loadgen {

// One complete HTTP/1.1 request per body file (or one bodiless request), in file order. With
// `close` the request asks the server to close the connection after answering (handshake mode).
// Fails, naming the file, when a body file cannot be read.
bool BuildRequests(const Options& options, const Target& target, bool close,
                   std::vector<std::string>& requests, std::string& error);

}  // namespace callgate::loadgen
