// The loader is one pass over the text: CsvReader splits records without allocating, each row is
// validated and cleaned, then added to a PhoneDirectoryBuilder sized up front from the number of
// lines. Warnings carry line numbers only, never field contents, since those are personal data.
#include "directory/csv_loader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
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
    result_.directory = builder_.Build();
    return std::move(result_);
  }

 private:
  Status ReadHeader();
  void MapHeader();
  void ReadRow();
  void AddRow(const PhoneNumber& number, std::string_view raw_name, MatchType type,
              std::size_t line);
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
  std::string name_scratch_;
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
  const std::size_t line = reader_.line();
  const std::string_view raw_number = Trim(Field(columns_.number));
  const std::string_view raw_name = Field(columns_.name);
  if (raw_number.empty()) return Warn(line, "skipped: empty phone_number");
  if (Trim(raw_name).empty()) return Warn(line, "skipped: empty display_name");
  NumberError error = NumberError::kEmpty;
  const std::optional<PhoneNumber> number = PhoneNumber::Parse(raw_number, &error);
  if (!number) {
    return Warn(line, "skipped: invalid phone_number (" + std::string(Describe(error)) + ")");
  }
  const std::optional<MatchType> type =
      columns_.type == kNoColumn ? MatchType::kExact : ParseMatchType(Field(columns_.type));
  if (!type) return Warn(line, "skipped: unknown match_type (expected exact or prefix)");
  AddRow(*number, raw_name, *type, line);
}

void DirectoryParser::AddRow(const PhoneNumber& number, std::string_view raw_name, MatchType type,
                             std::size_t line) {
  const internal::CleanName name =
      internal::CleanDisplayName(raw_name, limits_.max_name_bytes, &name_scratch_);
  if (name.text.empty()) return Warn(line, "skipped: display_name is empty once cleaned");
  if (name.truncated) {
    Warn(line, "display_name truncated to " + std::to_string(limits_.max_name_bytes) + " bytes");
  }
  if (const auto previous = builder_.AddTagged(number, name.text, type, LineTag(line))) {
    Warn(line, "duplicate " + std::string(ToString(type)) + " entry (same phone_number as line " +
                   std::to_string(*previous) + "): the last row wins");
  }
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
  return DirectoryParser(content, file_name, limits).Run();
}

Result<LoadedDirectory> LoadDirectoryCsv(const std::string& path, const CsvLimits& limits) {
  Result<internal::FileBytes> bytes = internal::ReadFile(path, limits.max_file_bytes);
  if (!bytes.ok()) return bytes.error();
  return ParseDirectoryCsv(bytes->view(), path, limits);
}

}  // namespace callgate::directory
