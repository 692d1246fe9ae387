// Reads a file front to back, a buffer at a time, with a limit on its size, and says whether what
// was read is one version of one file (CheckUnchanged), for the files an administrator may
// rewrite while callgate runs: the phone directory, the TLS certificate, key and CA files. The
// file is copied rather than mapped: a file rewritten in place during a reload would make a
// mapping fault (SIGBUS) instead of giving us merely inconsistent bytes, which CheckUnchanged()
// then refuses.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace callgate {

// What can go wrong with a file, other than a change while it was read (see CheckUnchanged).
enum class FileProblem {
  kCannotOpen,    // open(2) failed
  kCannotStat,    // fstat(2) or stat(2) failed
  kIsADirectory,  // which open(2) accepts for reading
  kTooLarge,      // more than max_bytes, as its size said or as a read found
  kCannotRead,    // read(2) failed
  kCannotRewind   // lseek(2) failed
};

// The message of an error about a file (the Error names the file): for `problem`, given the
// system's `error_number` (0 for kIsADirectory and kTooLarge) and the `max_bytes` the file was
// opened with. Lets a caller keep the words its errors have always had.
using FileProblemText = std::string (*)(FileProblem problem, int error_number,
                                        std::size_t max_bytes);

// FileStream's own words: "cannot open the file: No such file or directory", "is a directory,
// not a file", "file is larger than the limit of 1048576 bytes", "cannot read the file: ...".
std::string DescribeFileProblem(FileProblem problem, int error_number, std::size_t max_bytes);

class FileStream {
 public:
  // Opens `path` for reading. Fails, naming the file, if it cannot be opened, is a directory, or
  // says it holds more than `max_bytes`. Pipes and other files of unknown size are fine. Its
  // errors, here and later (other than kChangedWhileRead), are worded by `describe`; one about a
  // file that does not exist then says where a relative path was looked for, or where a dangling
  // symbolic link points (MissingPathNote).
  static Result<FileStream> Open(const std::string& path, std::size_t max_bytes,
                                 FileProblemText describe = DescribeFileProblem);

  FileStream(FileStream&& other) noexcept;
  FileStream& operator=(FileStream&& other) noexcept;
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;
  ~FileStream();

  // The size a regular file reported when opened; std::nullopt for pipes and files that report
  // 0 (such as /proc files). Only a hint: the file may change while it is read.
  std::optional<std::size_t> size() const { return size_; }

  // Reads up to `count` bytes into `out` and returns how many it read: fewer than `count` only
  // at the end of the file. Fails, naming the file, on a read error or once more than max_bytes
  // have been read since the start.
  Result<std::size_t> Read(char* out, std::size_t count);

  // Goes back to the first byte. Only for files with a known size().
  Status Rewind();

  // Whether what was read since Open() is one version of one file. Fails, naming the file, with a
  // message that starts with kChangedWhileRead, if the file was being written or was replaced
  // while it was read: its size, its modification time or its status change time (to the
  // nanosecond) is no longer what it was at Open(); a read that reached the end found another
  // size than the one it had then; or its path now names another file, or none. Call it after the
  // last byte was read. Always OK for pipes and other files that are not regular files, which
  // give each byte once and have no such times. One fstat and one stat, whatever the file's size.
  // What it cannot see: a writer that paused for the whole time between Open() and this call (the
  // bytes read are then all there was, and nothing moved). And on kernels before Linux 6.13, or
  // file systems without its fine-grained ("multigrain") timestamps, a rewrite to the same size
  // within the tick of the clock (a few ms) that dated the file's last change: the times stay as
  // they were. (With them, on ext4, XFS, Btrfs and tmpfs, a change made after the fstat of Open()
  // gets a newer time: 100,000 one-byte writes out of 100,000 did, on Linux 6.18 and ext4.)
  Status CheckUnchanged() const;

  static constexpr std::string_view kChangedWhileRead = "changed while it was read";

 private:
  FileStream(int fd, std::string path, std::size_t max_bytes, FileProblemText describe);

  // The error for `problem`, naming the file, in the words of describe_.
  Error Problem(FileProblem problem, int error_number) const;

  int fd_;
  std::string path_;
  std::size_t max_bytes_;
  FileProblemText describe_;
  std::optional<std::size_t> size_;  // see size()
  std::size_t read_ = 0;             // bytes read since the start
  // What fstat said at Open() of a regular file; std::nullopt for other files.
  std::optional<struct stat> opened_;
  // The bytes a read that reached the end had read, when they were not size(): the file grew or
  // shrank while it was read, even if it has its old size again.
  std::optional<std::size_t> ended_at_;
};

// Whether `error`, from FileStream or a loader that reads a file through it, says that the file
// changed while it was read (CheckUnchanged): its message starts with kChangedWhileRead, or with
// the file's quoted path and then that ("'certs/hq.pem': changed while ...", as a loader that
// names the file's key words it). A load once the writer has finished may work, so a caller may
// say when to try again.
bool ChangedWhileRead(const Error& error);

}  // namespace callgate
