// Fuzzes LogSafe(), which every value from outside passes through on its way into a log line.
// Checks its contract on arbitrary bytes: the output holds no control byte (C0, DEL), is valid
// UTF-8 without C1 controls or line-breaking/reordering characters, has no unescaped quote when
// one is given, stays within the length bound, is a view of the input or of the scratch string,
// and decodes back to the input (when not cut) by undoing the escapes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/log_text.h"
#include "common/utf8.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  std::abort();
}

// Undoes the escapes: \\ -> \, \" -> ", \xHH -> the byte.
std::string Unescape(std::string_view out) {
  std::string in;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] != '\\') {
      in += out[i];
      continue;
    }
    Check(i + 1 < out.size());
    if (out[i + 1] == 'x') {
      Check(i + 3 < out.size());
      in += static_cast<char>(HexValue(out[i + 2]) * 16 + HexValue(out[i + 3]));
      i += 3;
    } else {
      in += out[i + 1];
      ++i;
    }
  }
  return in;
}

void CheckOutput(std::string_view input, std::string_view out, char quote) {
  for (std::size_t i = 0; i < out.size();) {
    const auto byte = static_cast<unsigned char>(out[i]);
    if (byte < 0x80) {
      Check(byte >= 0x20 && byte != 0x7F);
      if (quote != '\0' && out[i] == quote) Check(i > 0 && out[i - 1] == '\\');
      ++i;
      continue;
    }
    const callgate::Utf8Char c = callgate::DecodeUtf8(out, i);
    Check(c.valid && c.code_point > 0x9F);
    Check(!(c.code_point >= 0x2028 && c.code_point <= 0x202E));
    Check(!(c.code_point >= 0x2066 && c.code_point <= 0x2069));
    i += c.length;
  }
  // Each kept input byte becomes at most 4 output bytes, plus the "...[N bytes]" note.
  Check(out.size() <= 4 * callgate::kMaxLogTextBytes + 32);
  if (input.size() <= callgate::kMaxLogTextBytes) {
    Check(Unescape(out) == input);
  } else {
    Check(out.find("...[" + std::to_string(input.size()) + " bytes]") != std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char quote = (data[0] & 1) != 0 ? '"' : '\0';
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string scratch;
  const std::string_view out = callgate::LogSafe(input, scratch, quote);
  CheckOutput(input, out, quote);
  Check(out.data() == scratch.data() || out.data() == input.data());
  return 0;
}
