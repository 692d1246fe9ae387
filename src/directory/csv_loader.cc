// The loader is one pass over the text: CsvReader splits records without allocating, each row is
// validated and cleaned, and a few rows later (so that the cache misses of consecutive inserts
// overlap) added to a PhoneDirectoryBuilder sized up front from the number of lines. Warnings
// carry line numbers only, never field contents, since those are personal data.
#include "directory/csv_loader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <new>
#include <optional>
#include <utility>

#include "common/phone_number.h"
#include "common/strings.h"
#include "directory/csv_reader.h"
#include "directory/file_reader.h"
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

struct Columns {
  std::size_t number = kNoColumn;
  std::size_t name = kNoColumn;
  std::size_t type = kNoColumn;
  std::vector<std::string> headers;  // trimmed header names, to name columns in errors
};

std::optional<MatchType> ParseMatchType(std::string_view raw) {
  const std::string_view text = Trim(raw);
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

class DirectoryParser {
 public:
  DirectoryParser(std::string_view content, std::string_view file_name, const CsvLimits& limits)
      : content_(content),
        file_name_(file_name),
        limits_(limits),
        reader_(content, limits.max_field_bytes) {}

  Result<LoadedDirectory> Run() {
    if (Status header = ReadHeader(); !header.ok()) return header.error();
    builder_.Reserve(EstimateRows(), content_.size());
    CsvReader::Status status;
    while ((status = reader_.Next()) == CsvReader::Status::kRecord) ReadRow();
    if (status == CsvReader::Status::kError) return ReaderError();
    for (std::size_t i = 0; i < kPipelineDepth; ++i) Retire(NextPending());
    result_.directory = builder_.Build();
    return std::move(result_);
  }

 private:
  Status ReadHeader();
  void MapHeader();
  void ReadRow();
  void PrepareRow(PendingRow& row, std::string_view raw_name);
  void Retire(PendingRow& row);
  // The oldest pending row's place in the ring (the caller retires it before reuse).
  PendingRow& NextPending() { return pending_[next_pending_++ % kPipelineDepth]; }
  Error ReaderError() const;
  Error MissingColumn(std::string_view column) const;

  std::size_t EstimateRows() const {
    return static_cast<std::size_t>(std::count(content_.begin(), content_.end(), '\n')) + 1;
  }
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

  std::string_view content_;
  std::string_view file_name_;
  const CsvLimits& limits_;
  CsvReader reader_;
  Columns columns_;
  PhoneDirectoryBuilder builder_;
  LoadedDirectory result_;
  PendingRow pending_[kPipelineDepth];
  std::size_t next_pending_ = 0;
};

Status DirectoryParser::ReadHeader() {
  reader_.set_max_kept_fields(kMaxHeaderColumns);
  CsvReader::Status status;
  while ((status = reader_.Next()) == CsvReader::Status::kRecord && IsBlankRecord()) {
  }
  if (status == CsvReader::Status::kError) return ReaderError();
  if (status == CsvReader::Status::kEnd) {
    return Error{
        "no header row (expected the columns phone_number, display_name and optionally "
        "match_type)",
        std::string(file_name_), 0, std::string(kNumberColumn)};
  }
  MapHeader();
  if (columns_.number == kNoColumn) return MissingColumn(kNumberColumn);
  if (columns_.name == kNoColumn) return MissingColumn(kNameColumn);
  const std::size_t last =
      std::max({columns_.number, columns_.name, columns_.type == kNoColumn ? 0 : columns_.type});
  reader_.set_max_kept_fields(last + 1);
  return OkStatus();
}

void DirectoryParser::MapHeader() {
  for (const std::string_view raw : reader_.fields()) {
    const std::string_view name = Trim(raw);
    const std::size_t index = columns_.headers.size();
    columns_.headers.emplace_back(name);
    // The first of repeated columns wins; later ones count as extra columns.
    if (EqualsIgnoreCase(name, kNumberColumn) && columns_.number == kNoColumn) {
      columns_.number = index;
    } else if (EqualsIgnoreCase(name, kNameColumn) && columns_.name == kNoColumn) {
      columns_.name = index;
    } else if (EqualsIgnoreCase(name, kTypeColumn) && columns_.type == kNoColumn) {
      columns_.type = index;
    }
  }
}

void DirectoryParser::ReadRow() {
  if (IsBlankRecord()) return;
  ++result_.rows;
  PendingRow& row = NextPending();
  Retire(row);
  row.line = reader_.line();
  const std::string_view raw_number = Trim(Field(columns_.number));
  const std::string_view raw_name = Field(columns_.name);
  if (raw_number.empty()) {
    row.warning = "skipped: empty phone_number";
  } else if (Trim(raw_name).empty()) {
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
  if (name.truncated) {
    row.warning = "display_name truncated to " + std::to_string(limits_.max_name_bytes) + " bytes";
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

Error DirectoryParser::ReaderError() const {
  const std::size_t field = reader_.error_field();
  std::string column = field < columns_.headers.size() ? columns_.headers[field]
                                                       : "column " + std::to_string(field + 1);
  std::string message =
      reader_.error() == CsvReader::ErrorKind::kUnterminatedQuote
          ? "quoted field is not terminated"
          : "field is longer than " + std::to_string(limits_.max_field_bytes) + " bytes";
  return Error{std::move(message), std::string(file_name_), static_cast<int>(reader_.error_line()),
               std::move(column)};
}

Error DirectoryParser::MissingColumn(std::string_view column) const {
  return Error{"the header row has no '" + std::string(column) + "' column",
               std::string(file_name_), static_cast<int>(reader_.line()), std::string(column)};
}

}  // namespace

Result<LoadedDirectory> ParseDirectoryCsv(std::string_view content, std::string_view file_name,
                                          const CsvLimits& limits) {
  if (content.size() > limits.max_file_bytes) {
    return Error{
        "file is larger than max_file_bytes (" + std::to_string(limits.max_file_bytes) + " bytes)",
        std::string(file_name), 0, ""};
  }
  if (content.substr(0, kUtf8Bom.size()) == kUtf8Bom) content.remove_prefix(kUtf8Bom.size());
  // Allocation failure is the one exception the tables can raise (std::bad_alloc); a reload
  // must report it like any other failure rather than take the server down.
  try {
    return DirectoryParser(content, file_name, limits).Run();
  } catch (const std::bad_alloc&) {
    return Error{"out of memory while loading the directory", std::string(file_name), 0, ""};
  }
}

Result<LoadedDirectory> LoadDirectoryCsv(const std::string& path, const CsvLimits& limits) {
  std::optional<Result<internal::FileBytes>> bytes;
  try {
    bytes.emplace(internal::ReadFile(path, limits.max_file_bytes));
  } catch (const std::bad_alloc&) {
    return Error{"out of memory while reading the file", path, 0, ""};
  }
  if (!bytes->ok()) return bytes->error();
  return ParseDirectoryCsv(bytes->value().view(), path, limits);
}

}  // namespace callgate::directory
