// The words of the CURRI protocol that a log line shows in clear under obfuscate_pii although a
// client chose them: an XACML attribute name, a trigger point. Whatever else a client puts there (a
// phone number, a person's name or address) is masked instead. Each test says what UCM sends,
// strictly, rather than guess at what personal data looks like: a number with spaces or dashes, or
// a name, passes any such guess.
#pragma once

#include <string_view>

namespace callgate::server {

// An XACML attribute name as UCM and XACML write one: "urn:" then ':'-separated segments, each
// one or more of [A-Za-z0-9._-], with at most 4 digits in all (urn:Cisco:uc:1.0:callingnumber,
// urn:oasis:names:tc:xacml:1.0:resource:resource-id). A phone number has more digits; a name
// has a space, an address an '@'. O(length), no allocation.
bool IsAttributeNameForLog(std::string_view id);

// A trigger point type UCM sends (protocols/curri.md §1.3): translationpattern, directorynumber,
// or routepattern (not observed: what route patterns would send), in any case. O(length), no
// allocation.
bool IsTriggerPointForLog(std::string_view value);

}  // namespace callgate::server
