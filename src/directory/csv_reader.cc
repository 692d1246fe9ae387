#include "directory/csv_reader.h"

#include <algorithm>
#include <cstring>

namespace callgate::directory::internal {

CsvReader::CsvReader(std::string_view text, std::size_t max_field_bytes, bool last,
                     std::size_t max_record_bytes)
    : text_(text),
      max_field_bytes_(max_field_bytes),
      max_record_bytes_(max_record_bytes),
      last_(last) {}

void CsvReader::Refill(std::string_view text, bool last) {
  text_ = text;
  last_ = last;
  pos_ = 0;
}

CsvReader::Status CsvReader::Next() {
  if (error_ != ErrorKind::kNone) return Status::kError;
  if (pos_ >= text_.size()) return last_ ? Status::kEnd : Status::kNeedMore;
  record_start_ = pos_;
  record_line_ = line_;
  fields_.clear();
  field_count_ = 0;
  scratch_used_ = 0;
  while (true) {
    std::string_view field;
    if (!ReadField(&field)) return need_more_ ? Rewind() : Status::kError;
    if (field_count_++ < max_kept_fields_) fields_.push_back(field);
    // A record may end at the end of the text only when no piece follows.
    if (pos_ >= text_.size()) return last_ ? RecordRead() : Rewind();
    const char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      return RecordRead();
    }
    if (c == '\r') {  // "\r\n", or a lone "\r" (old Mac files), as in Python's csv module
      if (pos_ == text_.size() && !last_) return Rewind();  // a "\n" may begin the next piece
      if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return RecordRead();
    }
    // Otherwise c is ',' (FieldEnd stops only there, at a line ending or at the end).
  }
}

// A whole record was read: it is returned unless it is longer than max_record_bytes.
CsvReader::Status CsvReader::RecordRead() {
  std::size_t end = pos_;
  while (end > record_start_ && (text_[end - 1] == '\n' || text_[end - 1] == '\r')) --end;
  return end - record_start_ <= max_record_bytes_ ? Status::kRecord : RecordTooLong();
}

// The error for a record over max_record_bytes, which is about no one field.
CsvReader::Status CsvReader::RecordTooLong() {
  Fail(ErrorKind::kRecordTooLong, record_line_);
  error_field_ = 0;
  return Status::kError;
}

// Goes back to the start of the record that did not fit in this piece, unless what is here of it
// is already longer than a record may be: then the next piece is not asked for. A CR that ends
// the piece may begin the record's line ending, which is not part of it.
CsvReader::Status CsvReader::Rewind() {
  need_more_ = false;
  const std::size_t held = text_.size() - record_start_ - (text_.ends_with('\r') ? 1 : 0);
  if (held > max_record_bytes_) return RecordTooLong();
  pos_ = record_start_;
  line_ = record_line_;
  return Status::kNeedMore;
}

bool CsvReader::NeedMore() {
  need_more_ = true;
  return false;
}

// The end of the unquoted run starting at `from`: the next ',', '\n' or '\r' (not included), or
// the end of the text.
std::size_t CsvReader::FieldEnd(std::size_t from) const {
  std::size_t end = from;
  while (end < text_.size() && text_[end] != ',' && text_[end] != '\n' && text_[end] != '\r') {
    ++end;
  }
  return end;
}

// The line endings in `text`: "\n", "\r\n" and a lone "\r" count one each.
std::size_t CsvReader::CountLineEnds(std::string_view text) {
  auto count = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  for (std::size_t cr = text.find('\r'); cr != std::string_view::npos;
       cr = text.find('\r', cr + 1)) {
    if (cr + 1 == text.size() || text[cr + 1] != '\n') ++count;
  }
  return count;
}

bool CsvReader::ReadField(std::string_view* out) {
  const bool keep = field_count_ < max_kept_fields_;
  if (pos_ < text_.size() && text_[pos_] == '"') return ReadQuoted(out, keep);
  const std::size_t end = FieldEnd(pos_);
  const std::size_t length = end - pos_;
  if (length > max_field_bytes_) return Fail(ErrorKind::kFieldTooLong, line_);
  *out = text_.substr(pos_, length);
  pos_ = end;
  return true;
}

bool CsvReader::ReadQuoted(std::string_view* out, bool keep) {
  const std::size_t field_line = line_;
  const std::size_t start = pos_ + 1;
  std::string* copy = nullptr;  // set once the field differs from the raw text between quotes
  std::size_t chunk = start;
  std::size_t close = 0;
  std::size_t unescaped = 0;  // the field's length up to `chunk`
  // The text ends before the field does: the field is too long once what is here of it is,
  // whether more text follows or none (then its closing quote is missing).
  const auto ends_early = [&](std::size_t literal_bytes) {
    if (unescaped + literal_bytes > max_field_bytes_) {
      return Fail(ErrorKind::kQuotedFieldTooLong, field_line);
    }
    return last_ ? Fail(ErrorKind::kUnterminatedQuote, field_line) : NeedMore();
  };
  while (true) {
    const void* found = std::memchr(text_.data() + chunk, '"', text_.size() - chunk);
    if (found == nullptr) return ends_early(text_.size() - chunk);
    const std::size_t quote = static_cast<const char*>(found) - text_.data();
    // Whether this quote closes the field or is the first of two is up to the next piece (and so
    // is which error, if any, the field gets).
    if (quote + 1 == text_.size() && !last_) return ends_early(quote - chunk);
    line_ += CountLineEnds(text_.substr(chunk, quote - chunk));
    const bool doubled = quote + 1 < text_.size() && text_[quote + 1] == '"';
    unescaped += quote - chunk + (doubled ? 1 : 0);
    if (keep && (doubled || copy != nullptr)) {
      if (copy == nullptr) copy = Scratch();
      copy->append(text_.substr(chunk, quote - chunk + (doubled ? 1 : 0)));
    }
    if (!doubled) {
      close = quote;
      break;
    }
    chunk = quote + 2;
  }
  pos_ = close + 1;
  const std::size_t stray_end = FieldEnd(pos_);
  if (keep && stray_end > pos_) {
    if (copy == nullptr) copy = &Scratch()->assign(text_.substr(start, close - start));
    copy->append(text_.substr(pos_, stray_end - pos_));
  }
  const std::size_t length = copy != nullptr ? copy->size() : close - start + stray_end - pos_;
  if (length > max_field_bytes_) return Fail(ErrorKind::kQuotedFieldTooLong, field_line);
  *out = copy != nullptr ? std::string_view{*copy} : text_.substr(start, close - start);
  pos_ = stray_end;
  return true;
}

std::string* CsvReader::Scratch() {
  if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
  std::string* s = &scratch_[scratch_used_++];
  s->clear();
  return s;
}

bool CsvReader::Fail(ErrorKind kind, std::size_t line) {
  error_ = kind;
  error_line_ = line;
  error_field_ = field_count_;
  pos_ = text_.size();
  return false;
}

}  // namespace callgate::directory::internal
