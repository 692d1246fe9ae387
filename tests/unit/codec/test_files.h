// Reads files under tests/data for the codec tests.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace callgate::codec::testing {

// The exact bytes of tests/data/<relative_path>, or "" if the file cannot be read (callers
// assert that what they read is not empty).
inline std::string ReadTestFile(const std::string& relative_path) {
  std::ifstream in(std::string(CALLGATE_TEST_DATA) + "/" + relative_path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every (AttributeId, value) of tests/data/xacml/hello_world.xml, in document order.
inline const std::vector<std::pair<std::string, std::string>> kHelloWorldAttributes = {
    {"urn:oasis:names:tc:xacml:1.0:subject:role-id", "CISCO:UC:UCMPolicy"},
    {"urn:Cisco:uc:1.0:callingnumber", "9725550101"},
    {"urn:Cisco:uc:1.0:callednumber", "50102"},
    {"urn:Cisco:uc:1.0:transformedcgpn", "+19725550101"},
    {"urn:Cisco:uc:1.0:transformedcdpn", "+19725550102"},
    {"urn:oasis:names:tc:xacml:1.0:resource:resource-id", "CISCO:UC:VoiceOrVideoCall"},
    {"urn:oasis:names:tc:xacml:1.0:action:action-id", "any"},
    {"urn:Cisco:uc:1.0:triggerpointtype", "translationpattern"},
};

}  // namespace callgate::codec::testing
