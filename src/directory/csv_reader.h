// CsvReader: splits RFC 4180 text into records, one at a time, without allocating per record.
// Fields are separated by ',' and records by "\n", "\r\n" or a lone "\r" (old Mac files; Python's
// csv module ends a record there too); a field that starts with '"' is quoted: it may contain
// ',', line endings and '""' (one quote). Like Python's csv module, characters after a closing
// quote are appended to the field rather than rejected. Over-long fields and records and an
// unterminated quote are errors, after which the reader stays at the end. Each is found as soon
// as the text read so far shows it, so that a reader of pieces never asks for more text than a
// record may take (a missing closing quote would otherwise make the rest of the file one field).
//
// The text may also come in pieces (a file read a buffer at a time): a piece that is not the last
// one ends with kNeedMore at the first record it does not hold whole, and Refill() continues with
// a piece that starts with that record's bytes.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace callgate::directory::internal {

class CsvReader {
 public:
  // kNeedMore: the text is not the last piece and holds no further whole record (see Refill).
  enum class Status { kRecord, kEnd, kNeedMore, kError };
  enum class ErrorKind {
    kNone,
    kUnterminatedQuote,
    kFieldTooLong,
    kQuotedFieldTooLong,  // the closing quote is missing, or more than the limit away
    kRecordTooLong,
  };

  // `text` must outlive the reader. Fields longer than `max_field_bytes`, and records (their
  // bytes as written, line ending excluded) longer than `max_record_bytes`, are errors. `last`:
  // whether `text` runs to the end of the input or more pieces follow.
  CsvReader(std::string_view text, std::size_t max_field_bytes, bool last = true,
            std::size_t max_record_bytes = static_cast<std::size_t>(-1));

  // Continues with the next piece, which must start with the bytes of the previous piece from
  // consumed() on (the record that did not fit). Line numbers carry on. Views from fields() into
  // the previous piece are invalid from here.
  void Refill(std::string_view text, bool last);

  // Bytes of the current piece that belong to the records returned so far: after kNeedMore,
  // where the record that did not fit starts.
  std::size_t consumed() const { return pos_; }

  // Fields at index >= `count` are checked but not kept (bounds memory on absurd rows).
  void set_max_kept_fields(std::size_t count) { max_kept_fields_ = count; }

  // Reads the next record. O(record length).
  Status Next();

  // The kept fields of the last record; views are valid until the next call to Next().
  const std::vector<std::string_view>& fields() const { return fields_; }
  // All fields of the last record, kept or not.
  std::size_t field_count() const { return field_count_; }
  // 1-based line where the last record started.
  std::size_t line() const { return record_line_; }

  // After Status::kError: what, where (1-based line) and in which field (0-based; 0 for a record
  // too long).
  ErrorKind error() const { return error_; }
  std::size_t error_line() const { return error_line_; }
  std::size_t error_field() const { return error_field_; }

 private:
  bool ReadField(std::string_view* out);
  Status Rewind();
  Status RecordRead();
  Status RecordTooLong();
  bool NeedMore();
  bool ReadQuoted(std::string_view* out, bool keep);
  std::size_t FieldEnd(std::size_t from) const;
  static std::size_t CountLineEnds(std::string_view text);
  std::string* Scratch();
  bool Fail(ErrorKind kind, std::size_t line);

  std::string_view text_;
  std::size_t max_field_bytes_;
  std::size_t max_record_bytes_;
  bool last_;
  bool need_more_ = false;  // a field ran into the end of a piece that is not the last
  std::size_t record_start_ = 0;
  std::size_t max_kept_fields_ = static_cast<std::size_t>(-1);
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<std::string_view> fields_;
  std::size_t field_count_ = 0;
  // Unescaped copies of quoted fields; a deque so that growing it never moves a field that a
  // view already points into.
  std::deque<std::string> scratch_;
  std::size_t scratch_used_ = 0;
  ErrorKind error_ = ErrorKind::kNone;
  std::size_t error_line_ = 0;
  std::size_t error_field_ = 0;
};

}  // namespace callgate::directory::internal
