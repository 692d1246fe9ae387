// The loader is one pass over the text, a buffer at a time: CsvReader splits records without
// allocating, each row is validated and cleaned, and a few rows later (so that the cache misses of
// consecutive inserts overlap) added to a PhoneDirectoryBuilder sized up front from the number of
// lines. A file is read twice, the first time only to count those lines. Warnings carry line
// numbers only, never field contents, since those are personal data.
#include "directory/csv_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include "common/file_stream.h"
#include "common/log_text.h"
#include "common/phone_number.h"
#include "common/strings.h"
#include "directory/csv_reader.h"
#include "directory/name_sanitizer.h"

namespace callgate::directory {
namespace {

using internal::CsvReader;

constexpr std::string_view kNumberColumn = "phone_number";
constexpr std::string_view kNameColumn = "display_name";
constexpr std::string_view kTypeColumn = "match_type";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// Header columns past this are ignored; it bounds the memory an absurd header line can take.
constexpr std::size_t kMaxHeaderColumns = 4096;
constexpr std::size_t kNoColumn = std::numeric_limits<std::size_t>::max();
constexpr std::size_t kMaxColumnsNamed = 10;  // in the error for a missing column

struct Columns {
  std::size_t number = kNoColumn;
  std::size_t name = kNoColumn;
  std::size_t type = kNoColumn;
  std::vector<std::string> headers;  // trimmed header names, to name columns in errors
};

// The known column `name` is written differently, if it is one: equal to it once everything but
// letters and digits is left out, in any case (`match-type`, `Phone Number`, `displayname`).
// ASCII names only: one with an invisible byte order mark has an error of its own.
std::optional<std::string_view> MisspeltColumn(std::string_view name) {
  std::string letters;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) return std::nullopt;
    if (std::isalnum(byte) != 0) letters += c;
  }
  for (const std::string_view column : {kNumberColumn, kNameColumn, kTypeColumn}) {
    std::string column_letters(column);
    std::erase(column_letters, '_');
    if (EqualsIgnoreCase(letters, column_letters)) return column;
  }
  return std::nullopt;
}

// Why a header without the required columns may be a file callgate cannot read as it was saved,
// or "": UTF-16 (Excel's "Unicode Text"; its ASCII characters come with NUL bytes), or columns
// separated by ';' (Excel where the decimal separator is a comma), a tab or '|' instead of commas,
// when one of the header's names split at that character is a known column. Quotes none of the
// file's text: this is said under obfuscate_pii too.
std::string WronglyEncodedOrSeparated(const std::vector<std::string>& headers) {
  const auto any_holds = [&headers](char c) {
    return std::any_of(headers.begin(), headers.end(),
                       [c](const std::string& h) { return h.find(c) != h.npos; });
  };
  if (any_holds('\0')) {
    return "it holds NUL bytes, so the file is probably UTF-16 (as Excel's \"Unicode Text\" "
           "saves it) or not text: save it as UTF-8 (Excel: \"CSV UTF-8\")";
  }
  for (const auto& [separator, called] :
       {std::pair{';', "';'"}, std::pair{'\t', "tabs"}, std::pair{'|', "'|'"}}) {
    if (!any_holds(separator)) continue;
    for (std::string_view rest : headers) {
      while (!rest.empty()) {
        const std::size_t end = std::min(rest.find(separator), rest.size());
        const std::string_view name = TrimUnicodeSpace(rest.substr(0, end));
        if (EqualsIgnoreCase(name, kNumberColumn) || EqualsIgnoreCase(name, kNameColumn)) {
          return std::string("its columns are separated by ") + called +
                 ", and callgate reads commas only (RFC 4180): save the file with commas "
                 "between the columns";
        }
        rest.remove_prefix(std::min(end + 1, rest.size()));
      }
    }
  }
  return "";
}

std::optional<MatchType> ParseMatchType(std::string_view raw) {
  const std::string_view text = TrimUnicodeSpace(raw);
  if (text.empty() || EqualsIgnoreCase(text, "exact")) return MatchType::kExact;
  if (EqualsIgnoreCase(text, "prefix")) return MatchType::kPrefix;
  return std::nullopt;
}

std::uint32_t LineTag(std::size_t line) {
  return static_cast<std::uint32_t>(std::min<std::size_t>(line, UINT32_MAX));
}

// Rows wait this many rows between being parsed (when the builder prefetches their hash slots)
// and being added, so that the cache misses of that many inserts overlap.
constexpr std::size_t kPipelineDepth = 16;

// What the builder is sized for before the first row: the number of lines and the bytes of text
// (an upper bound on the bytes of names). Only hints: they may be 0 or wrong.
struct SizeHints {
  std::size_t rows = 0;
  std::size_t bytes = 0;
};

// Lines end at "\n" or "\r\n", or at "\r" alone in a file from an old Mac.
std::size_t CountLines(std::string_view text) {
  const auto newlines = std::count(text.begin(), text.end(), '\n');
  return static_cast<std::size_t>(newlines != 0 ? newlines
                                                : std::count(text.begin(), text.end(), '\r'));
}

// A parsed row on its way to the builder; warnings travel with it so that they come out in line
// order.
struct PendingRow {
  std::size_t line = 0;
  std::string warning;                // emitted when the row retires, before it is added
  std::optional<PhoneNumber> number;  // empty: the row is skipped
  MatchType type = MatchType::kExact;
  std::string_view name;  // into the file's text or into `name_storage`
  std::string name_storage;
};

// Parses the text piece by piece: Feed() each piece, the last with `last` set, then Finish().
class DirectoryParser {
 public:
  DirectoryParser(std::string_view file_name, const CsvLimits& limits, SizeHints hints)
      : file_name_(file_name),
        limits_(limits),
        hints_(hints),
        reader_({}, limits.max_field_bytes, /*last=*/false, limits.max_record_bytes) {}

  // Reads the whole records at the start of `text` (all of it when `last`) and returns how many
  // bytes they took; the next piece must start with the bytes after those.
  Result<std::size_t> Feed(std::string_view text, bool last);

  Result<LoadedDirectory> Finish() {
    result_.directory = builder_.Build();
    if (result_.directory.exact_entries() + result_.directory.prefix_entries() == 0) {
      Warn(reader_.line(), result_.rows == 0
                               ? "no rows after the header: the directory is empty, and every "
                                 "call gets a plain continue, without a name"
                               : "every row was skipped: the directory is empty, and every call "
                                 "gets a plain continue, without a name");
    }
    return std::move(result_);
  }

 private:
  std::size_t SkipBom(std::string_view* text, bool last);
  // True once the header has been read; false when this piece ends before it.
  Result<bool> ReadHeader();
  void MapHeader();
  std::size_t* KnownColumn(std::string_view name);
  void ReadRow();
  void PrepareRow(PendingRow& row, std::string_view raw_name);
  void Retire(PendingRow& row);
  // The oldest pending row's place in the ring (the caller retires it before reuse).
  PendingRow& NextPending() { return pending_[next_pending_++ % kPipelineDepth]; }
  // Adds every pending row: their names may point into the piece, which is about to change.
  void RetireAll() {
    for (std::size_t i = 0; i < kPipelineDepth; ++i) Retire(NextPending());
  }
  Error ReaderError() const;
  std::string ReaderErrorText() const;
  Error MissingColumn(std::string_view column) const;
  std::string MissingColumnText(std::string_view column) const;

  bool IsBlankRecord() const {
    return reader_.field_count() == 1 && Trim(reader_.fields()[0]).empty();
  }
  std::string_view Field(std::size_t column) const {
    const auto& fields = reader_.fields();
    return column < fields.size() ? fields[column] : std::string_view();
  }
  void Warn(std::size_t line, std::string message) {
    if (result_.warnings.size() < limits_.max_kept_warnings) {
      result_.warnings.push_back({line, std::move(message)});
    }
    ++result_.warning_count;
  }

  std::string_view content_;  // the current piece
  std::string_view file_name_;
  const CsvLimits& limits_;
  SizeHints hints_;
  bool started_ = false;  // past the byte order mark
  bool header_read_ = false;
  CsvReader reader_;
  Columns columns_;
  PhoneDirectoryBuilder builder_;
  LoadedDirectory result_;
  PendingRow pending_[kPipelineDepth];
  std::size_t next_pending_ = 0;
};

Result<std::size_t> DirectoryParser::Feed(std::string_view text, bool last) {
  const std::size_t skipped = SkipBom(&text, last);
  if (!started_) return skipped;
  content_ = text;
  reader_.Refill(text, last);
  if (!header_read_) {
    Result<bool> header = ReadHeader();
    if (!header.ok()) return header.error();
    if (!*header) return skipped + reader_.consumed();
    builder_.Reserve(hints_.rows, hints_.bytes);
  }
  CsvReader::Status status;
  while ((status = reader_.Next()) == CsvReader::Status::kRecord) ReadRow();
  if (status == CsvReader::Status::kError) return ReaderError();
  RetireAll();
  return skipped + reader_.consumed();
}

// Returns the bytes of a UTF-8 byte order mark at the start of the text, removing them from
// `text`. Until the piece is long enough to tell (or the last), it leaves `started_` false.
std::size_t DirectoryParser::SkipBom(std::string_view* text, bool last) {
  if (started_) return 0;
  if (!last && text->size() < kUtf8Bom.size() && kUtf8Bom.starts_with(*text)) return 0;
  started_ = true;
  if (!text->starts_with(kUtf8Bom)) return 0;
  text->remove_prefix(kUtf8Bom.size());
  return kUtf8Bom.size();
}

Result<bool> DirectoryParser::ReadHeader() {
  reader_.set_max_kept_fields(kMaxHeaderColumns);
  CsvReader::Status status;
  while ((status = reader_.Next()) == CsvReader::Status::kRecord && IsBlankRecord()) {
  }
  if (status == CsvReader::Status::kError) return ReaderError();
  if (status == CsvReader::Status::kNeedMore) return false;
  if (status == CsvReader::Status::kEnd) {
    return Error{
        "no header row (expected the columns phone_number, display_name and optionally "
        "match_type)",
        std::string(file_name_), 0, "", std::string(kNumberColumn)};
  }
  MapHeader();
  if (columns_.number == kNoColumn) return MissingColumn(kNumberColumn);
  if (columns_.name == kNoColumn) return MissingColumn(kNameColumn);
  const std::size_t last =
      std::max({columns_.number, columns_.name, columns_.type == kNoColumn ? 0 : columns_.type});
  reader_.set_max_kept_fields(last + 1);
  header_read_ = true;
  return true;
}

// The column a header name stands for (trimmed, in any case), or nullptr for an extra column.
std::size_t* DirectoryParser::KnownColumn(std::string_view name) {
  if (EqualsIgnoreCase(name, kNumberColumn)) return &columns_.number;
  if (EqualsIgnoreCase(name, kNameColumn)) return &columns_.name;
  if (EqualsIgnoreCase(name, kTypeColumn)) return &columns_.type;
  return nullptr;
}

// Names trimmed of Unicode spaces and compared in any case, as the Python service's
// `name.strip().lower()` did. Of a column written twice the last is used, as there (its
// csv.DictReader keeps a row's last value for a repeated name), with a warning. An extra column
// whose name is a known one written differently (`match-type`, `Phone Number`) is ignored, as
// there, with a warning: a match_type column that is not read makes every row exact.
void DirectoryParser::MapHeader() {
  const std::size_t line = reader_.line();
  for (const std::string_view raw : reader_.fields()) {
    const std::string_view name = TrimUnicodeSpace(raw);
    const std::size_t index = columns_.headers.size();
    columns_.headers.emplace_back(name);
    if (std::size_t* column = KnownColumn(name)) {
      if (*column != kNoColumn) {
        Warn(line, "the header has '" + LogSafeCopy(name, '\'') + "' twice (columns " +
                       std::to_string(*column + 1) + " and " + std::to_string(index + 1) +
                       "): the last is used");
      }
      *column = index;
    } else if (const std::optional<std::string_view> meant = MisspeltColumn(name)) {
      Warn(line, "the header's column '" + LogSafeCopy(name, '\'') + "' is ignored: did you mean " +
                     std::string(*meant) + "?");
    }
  }
}

void DirectoryParser::ReadRow() {
  if (IsBlankRecord()) return;
  ++result_.rows;
  PendingRow& row = NextPending();
  Retire(row);
  row.line = reader_.line();
  const std::string_view raw_number = TrimUnicodeSpace(Field(columns_.number));
  const std::string_view raw_name = Field(columns_.name);
  if (raw_number.empty()) {
    row.warning = "skipped: empty phone_number";
  } else if (TrimUnicodeSpace(raw_name).empty()) {
    row.warning = "skipped: empty display_name";
  } else {
    NumberError error = NumberError::kEmpty;
    row.number = PhoneNumber::Parse(raw_number, &error);
    if (!row.number) {
      row.warning = "skipped: invalid phone_number (" + std::string(Describe(error)) + ")";
    } else {
      PrepareRow(row, raw_name);
    }
  }
}

void DirectoryParser::PrepareRow(PendingRow& row, std::string_view raw_name) {
  const std::optional<MatchType> type =
      columns_.type == kNoColumn ? MatchType::kExact : ParseMatchType(Field(columns_.type));
  if (!type) {
    row.number.reset();
    row.warning = "skipped: unknown match_type (expected exact or prefix)";
    return;
  }
  row.type = *type;
  const internal::CleanName name =
      internal::CleanDisplayName(raw_name, limits_.max_name_bytes, &row.name_storage);
  row.name = name.text;
  // A clean name may still point into the reader's per-record buffer (an unescaped quoted
  // field), which the next record reuses: then it needs a copy of its own.
  const bool in_file =
      name.text.data() >= content_.data() && name.text.data() <= content_.data() + content_.size();
  const bool in_storage = name.text.data() >= row.name_storage.data() &&
                          name.text.data() <= row.name_storage.data() + row.name_storage.size();
  if (!in_file && !in_storage) row.name = row.name_storage.assign(name.text);
  if (row.name.empty()) {
    row.number.reset();
    row.warning = "skipped: display_name is empty once cleaned";
    return;
  }
  if (name.invalid_utf8) {
    row.warning =
        "display_name is not valid UTF-8: its invalid bytes are sent as U+FFFD (save the file "
        "as UTF-8)";
  }
  if (name.truncated) {
    if (!row.warning.empty()) row.warning += "; ";
    row.warning += "display_name truncated to " + std::to_string(limits_.max_name_bytes) + " bytes";
  }
  builder_.Prefetch(*row.number, row.type);
}

void DirectoryParser::Retire(PendingRow& row) {
  if (!row.warning.empty()) Warn(row.line, std::move(row.warning));
  row.warning.clear();
  if (!row.number) return;
  if (const auto previous =
          builder_.AddTagged(*row.number, row.name, row.type, LineTag(row.line))) {
    Warn(row.line, "duplicate " + std::string(ToString(row.type)) +
                       " entry (same phone_number as line " + std::to_string(*previous) +
                       "): the last row wins");
  }
  row.number.reset();
}

std::string DirectoryParser::ReaderErrorText() const {
  const std::string field_limit = std::to_string(limits_.max_field_bytes) + " bytes";
  switch (reader_.error()) {
    case CsvReader::ErrorKind::kUnterminatedQuote:
      return "quoted field is not terminated";
    case CsvReader::ErrorKind::kQuotedFieldTooLong:
      return "quoted field is longer than " + field_limit + ", or its closing quote is missing";
    case CsvReader::ErrorKind::kRecordTooLong:
      return "row is longer than " + std::to_string(limits_.max_record_bytes) + " bytes";
    case CsvReader::ErrorKind::kFieldTooLong:
      return "field is longer than " + field_limit;
    case CsvReader::ErrorKind::kNone:
      break;
  }
  return "unreadable";  // not reached: only called after an error
}

Error DirectoryParser::ReaderError() const {
  std::string column;  // none for a row too long: no one field is
  if (reader_.error() != CsvReader::ErrorKind::kRecordTooLong) {
    // By its number where the header's names may not be quoted (they may be a first row of
    // data: CsvLimits::quote_header).
    const std::size_t field = reader_.error_field();
    const bool named =
        limits_.quote_header && field < columns_.headers.size() && !columns_.headers[field].empty();
    column = named ? LogSafeCopy(columns_.headers[field], '\'') : std::to_string(field + 1);
  }
  return Error{ReaderErrorText(), std::string(file_name_), static_cast<int>(reader_.error_line()),
               "", std::move(column)};
}

// Names the columns the header does have, so that a stray byte (a second byte order mark, a
// file in UTF-16 without one) or a misspelling shows; but not when the first row is data (one of
// its fields a phone number: a file without a header), whose fields are personal data.
Error DirectoryParser::MissingColumn(std::string_view column) const {
  return Error{MissingColumnText(column), std::string(file_name_), static_cast<int>(reader_.line()),
               "", std::string(column)};
}

std::string DirectoryParser::MissingColumnText(std::string_view column) const {
  const auto& headers = columns_.headers;
  if (std::any_of(headers.begin(), headers.end(),
                  [](const std::string& h) { return PhoneNumber::Parse(h).has_value(); })) {
    return "the first row is not a header (it holds a phone number): the file must start with "
           "the header phone_number,display_name[,match_type]";
  }
  const std::string missing = "the header row has no '" + std::string(column) + "' column";
  if (std::string why = WronglyEncodedOrSeparated(headers); !why.empty()) {
    return missing + ": " + why;
  }
  if (reader_.field_count() > headers.size()) {  // past kMaxHeaderColumns: not read
    return missing + " among its first " + std::to_string(headers.size()) + " (of " +
           std::to_string(reader_.field_count()) +
           "), the only ones read: put phone_number, display_name and match_type before the "
           "other columns";
  }
  // `Phone Number` for phone_number (a spreadsheet's heading): named whatever quote_header says,
  // since only a known column's name matches.
  for (const std::string& h : headers) {
    if (MisspeltColumn(h) == column) {
      return missing + ": its column '" + LogSafeCopy(h, '\'') + "' is that name written " +
             "differently; call it " + std::string(column);
    }
  }
  if (!limits_.quote_header) {
    return missing + " (its " + std::to_string(headers.size()) +
           " names are left out under obfuscate_pii, as a file without a header would have "
           "personal data there; callgate check at a terminal shows them)";
  }
  std::string found;
  for (std::size_t i = 0; i < headers.size() && i < kMaxColumnsNamed; ++i) {
    found += (i == 0 ? "'" : ", '") + LogSafeCopy(headers[i], '\'') + "'";
  }
  if (headers.size() > kMaxColumnsNamed) found += ", ...";
  if (std::any_of(headers.begin(), headers.end(),
                  [](const std::string& h) { return h.find(kUtf8Bom) != h.npos; })) {
    found += "; one holds an invisible byte order mark (U+FEFF): save the file again";
  }
  return missing + " (it has " + found + ")";
}

// Reads the text through `read` (which fills the space it is given unless the text ends first, as
// FileStream::Read does), a buffer of limits.read_buffer_bytes at a time, and parses it.
template <typename ReadFn>
Result<LoadedDirectory> ParsePieces(ReadFn read, SizeHints hints, std::string_view file_name,
                                    const CsvLimits& limits) {
  DirectoryParser parser(file_name, limits, hints);
  std::size_t capacity = std::max<std::size_t>(limits.read_buffer_bytes, 1);
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  std::size_t held = 0;  // bytes in the buffer: the unparsed end of the last piece, then new ones
  while (true) {
    if (held == capacity) {  // one record fills the buffer: make room for the rest of it
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity * 2);
      std::memcpy(bigger.get(), buffer.get(), held);
      buffer = std::move(bigger);
      capacity *= 2;
    }
    Result<std::size_t> count = read(buffer.get() + held, capacity - held);
    if (!count.ok()) return count.error();
    held += *count;
    const bool last = held < capacity;
    Result<std::size_t> used = parser.Feed({buffer.get(), held}, last);
    if (!used.ok()) return used.error();
    if (last) return parser.Finish();
    std::memmove(buffer.get(), buffer.get() + *used, held - *used);
    held -= *used;
  }
}

// Allocation failure is the one exception the tables can raise (std::bad_alloc); a reload must
// report it like any other failure rather than take the server down.
template <typename Parse>
Result<LoadedDirectory> ReportingOutOfMemory(std::string_view file_name, Parse parse) {
  try {
    return parse();
  } catch (const std::bad_alloc&) {
    return Error{"out of memory while loading the directory", std::string(file_name), 0, ""};
  }
}

// The number of lines in the file, read a buffer at a time, after which the file is back at its
// start. 0 when the file's size is not known (a pipe cannot be read twice).
Result<std::size_t> CountFileLines(FileStream& file, std::size_t buffer_bytes) {
  if (!file.size()) return std::size_t{0};
  auto buffer = std::make_unique_for_overwrite<char[]>(buffer_bytes);
  std::size_t lines = 0;
  while (true) {
    Result<std::size_t> count = file.Read(buffer.get(), buffer_bytes);
    if (!count.ok()) return count.error();
    lines += CountLines({buffer.get(), *count});
    if (*count < buffer_bytes) break;
  }
  if (Status rewound = file.Rewind(); !rewound.ok()) return rewound.error();
  return lines;
}

}  // namespace

Result<LoadedDirectory> ParseDirectoryCsv(std::string_view content, std::string_view file_name,
                                          const CsvLimits& limits) {
  if (content.size() > limits.max_file_bytes) {
    return Error{
        "file is larger than the limit of " + std::to_string(limits.max_file_bytes) + " bytes",
        std::string(file_name), 0, ""};
  }
  auto read = [&content](char* out, std::size_t count) -> Result<std::size_t> {
    const std::size_t n = std::min(count, content.size());
    std::memcpy(out, content.data(), n);
    content.remove_prefix(n);
    return n;
  };
  const SizeHints hints{CountLines(content) + 1, content.size()};
  return ReportingOutOfMemory(file_name,
                              [&] { return ParsePieces(read, hints, file_name, limits); });
}

Result<LoadedDirectory> LoadDirectoryCsv(const std::string& path, const CsvLimits& limits) {
  Result<FileStream> file = FileStream::Open(path, limits.max_file_bytes);
  if (!file.ok()) return file.error();
  return ReportingOutOfMemory(path, [&]() -> Result<LoadedDirectory> {
    const std::size_t buffer_bytes = std::max<std::size_t>(limits.read_buffer_bytes, 1);
    Result<std::size_t> lines = CountFileLines(*file, buffer_bytes);
    if (!lines.ok()) return lines.error();
    const SizeHints hints{*lines + 1, file->size().value_or(0)};
    auto read = [&file](char* out, std::size_t count) { return file->Read(out, count); };
    Result<LoadedDirectory> parsed = ParsePieces(read, hints, path, limits);
    if (Status unchanged = file->CheckUnchanged(); !unchanged.ok()) return unchanged.error();
    return parsed;
  });
}

}  // namespace callgate::directory
