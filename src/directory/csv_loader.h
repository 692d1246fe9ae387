// Loads a phone directory from CSV (the Python service's format, kept compatible):
//   header row with phone_number, display_name and optional match_type (exact | prefix);
//   header names trimmed and case-insensitive; UTF-8 BOM allowed; RFC 4180 quoting; extra
//   columns ignored. Rows with an empty/invalid number, an empty name or an unknown match type
//   are skipped with a warning naming the line; a duplicate (number, type) keeps the last row,
//   with a warning. Names are trimmed, control characters removed, invalid UTF-8 replaced by
//   U+FFFD. Warnings never contain numbers or names (they may be personal data).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "directory/phone_directory.h"

namespace callgate::directory {

struct CsvLimits {
  std::size_t max_file_bytes = std::size_t{4} << 30;  // 4 GiB
  std::size_t max_name_bytes = 1024;                  // longer names are truncated at a
                                                      // UTF-8 boundary, with a warning
  std::size_t max_field_bytes = 65536;                // 64 KiB; a longer field is an error
  std::size_t max_record_bytes = 1 << 20;             // 1 MiB; so is a longer row
  std::size_t max_kept_warnings = 100;                // later ones are only counted
  std::size_t read_buffer_bytes = 1 << 20;            // the text is parsed this much at a time
                                                      // (a longer record grows the buffer)
  // Whether errors may quote the header's names (the missing column's lists them, a row's names
  // its column). False under obfuscate_pii: the first row of a file without a header is data,
  // personal data; a column is then named by its number.
  bool quote_header = true;
};

struct LoadWarning {
  std::size_t line;     // 1-based physical line where the row starts
  std::string message;  // e.g. "skipped: empty display_name"
};

struct LoadedDirectory {
  PhoneDirectory directory;
  std::vector<LoadWarning> warnings;  // the first max_kept_warnings
  std::size_t warning_count = 0;      // all of them
  std::size_t rows = 0;               // data rows read (not counting the header or blank lines)
};

// Parses CSV text. `file_name` only labels errors. Fails (with file, line and column name) on a
// missing header or required column, an unterminated quoted field, or an over-long field or row
// (found before more of the text than such a row is held in memory); also
// (with the file name) on text over max_file_bytes or running out of memory. O(text size);
// thread-safe (no shared state). Records end at "\n", "\r\n" or "\r"; blank lines are skipped.
Result<LoadedDirectory> ParseDirectoryCsv(std::string_view content, std::string_view file_name,
                                          const CsvLimits& limits = {});

// Reads and parses `path`, the same as ParseDirectoryCsv on its bytes. The file is read twice, a
// buffer at a time (first to count its lines and size the tables, then to parse it), so the
// memory a load takes beyond the directory itself is one buffer, not a copy of the file. Fails
// on a missing or unreadable file, naming it, and (naming it, no line; ChangedWhileRead in
// common/file_stream.h knows it) on a regular file that changed while it was read: what was read
// would be part of a file being written, or of two, and a file being written ends anywhere, even
// inside a name. That error takes the place of the one the parse found, if any: a file cut short is
// the likely cause of it.
Result<LoadedDirectory> LoadDirectoryCsv(const std::string& path, const CsvLimits& limits = {});

}  // namespace callgate::directory
