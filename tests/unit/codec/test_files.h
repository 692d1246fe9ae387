// Reads files under tests/data for the codec tests.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace callgate::codec::testing {

// The exact bytes of tests/data/<relative_path>, or "" if the file cannot be read (callers
// assert that what they read is not empty).
inline std::string ReadTestFile(const std::string& relative_path) {
  std::ifstream in(std::string(CALLGATE_TEST_DATA) + "/" + relative_path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace callgate::codec::testing
