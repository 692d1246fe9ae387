// Fuzzes the directory CSV loader: arbitrary bytes through ParseDirectoryCsv with small limits,
// then lookups of numbers taken from the same bytes. Checks the loader's own invariants: it never
// keeps more warnings than asked, names of matches respect max_name_bytes, and an exact match
// covers the whole number.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
                            .max_kept_warnings = 4};

void Check(bool condition) {
  if (!condition) std::abort();
}

void LookUp(const LoadedDirectory& loaded, std::string_view raw) {
  const std::optional<PhoneNumber> number = PhoneNumber::Parse(raw);
  if (!number) return;
  const std::optional<Match> match = loaded.directory.Lookup(*number);
  if (!match) return;
  Check(match->name.size() <= kLimits.max_name_bytes && !match->name.empty());
  Check(match->matched_length <= number->view().size() && match->matched_length > 0);
  if (match->type == MatchType::kExact) Check(match->matched_length == number->view().size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  callgate::Result<LoadedDirectory> loaded =
      callgate::directory::ParseDirectoryCsv(input, "fuzz.csv", kLimits);
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
      LookUp(*loaded, input.substr(start, i - start));
      start = i + 1;
    }
  }
  return 0;
}
