// Fuzzes the directory CSV loader: arbitrary bytes through ParseDirectoryCsv with small limits,
// then lookups of numbers taken from the same bytes. Checks the loader's own invariants: it never
// keeps more warnings than asked, names of matches respect max_name_bytes, and an exact match
// covers the whole number. The same bytes are also parsed a few bytes at a time (the buffer size
// taken from the first byte), which must give exactly the same result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "directory/csv_loader.h"

namespace {

using callgate::PhoneNumber;
using callgate::directory::CsvLimits;
using callgate::directory::LoadedDirectory;
using callgate::directory::Match;
using callgate::directory::MatchType;

constexpr CsvLimits kLimits{.max_file_bytes = 1 << 20,
                            .max_name_bytes = 16,
                            .max_field_bytes = 256,
                            .max_record_bytes = 1024,
                            .max_kept_warnings = 4};

void Check(bool condition) {
  if (!condition) std::abort();
}

// What the directory answers for `raw`, and checks on the answer.
std::string LookUp(const LoadedDirectory& loaded, std::string_view raw) {
  const std::optional<PhoneNumber> number = PhoneNumber::Parse(raw);
  if (!number) return "";
  const std::optional<Match> match = loaded.directory.Lookup(*number);
  if (!match) return "-";
  Check(match->name.size() <= kLimits.max_name_bytes && !match->name.empty());
  Check(match->matched_length <= number->view().size() && match->matched_length > 0);
  if (match->type == MatchType::kExact) Check(match->matched_length == number->view().size());
  return std::string(match->name) + "/" + std::to_string(match->matched_length);
}

// The counts and warnings of a load, or its error.
std::string Summary(const callgate::Result<LoadedDirectory>& loaded) {
  if (!loaded.ok()) return loaded.error().ToString();
  std::string text = std::to_string(loaded->rows) + " " + std::to_string(loaded->warning_count) +
                     " " + std::to_string(loaded->directory.exact_entries()) + " " +
                     std::to_string(loaded->directory.prefix_entries());
  for (const auto& warning : loaded->warnings) {
    text += "\n" + std::to_string(warning.line) + " " + warning.message;
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  callgate::Result<LoadedDirectory> loaded =
      callgate::directory::ParseDirectoryCsv(input, "fuzz.csv", kLimits);
  CsvLimits in_pieces = kLimits;
  in_pieces.read_buffer_bytes = 1 + (size > 0 ? data[0] % 16 : 0);
  callgate::Result<LoadedDirectory> pieces =
      callgate::directory::ParseDirectoryCsv(input, "fuzz.csv", in_pieces);
  Check(Summary(pieces) == Summary(loaded));
  if (!loaded.ok()) {
    Check(loaded.error().file == "fuzz.csv");
    return 0;
  }
  Check(loaded->warnings.size() <= kLimits.max_kept_warnings);
  Check(loaded->warnings.size() <= loaded->warning_count);
  Check(loaded->directory.exact_entries() + loaded->directory.prefix_entries() <= loaded->rows);
  // Every line and every comma-separated piece of the input is also tried as a number.
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\n' || input[i] == ',') {
      const std::string_view raw = input.substr(start, i - start);
      Check(LookUp(*pieces, raw) == LookUp(*loaded, raw));
      start = i + 1;
    }
  }
  return 0;
}
