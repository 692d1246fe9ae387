// ca_bundle_path, kept for the Python service's tools: serve writes every distinct cluster ca_file
// there, joined, at start-up and at each reload; callgate itself never reads it. What it may not
// name (a file callgate reads or writes, which writing the bundle would destroy), and the writing.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace callgate::app {

// The error for a ca_bundle_path that is a file callgate reads or writes: the configuration file
// itself, csv_file_path, tls_cert_file, tls_key_file, a cluster's ca_file, or app.log or
// access.log in log_dir. Located at ca_bundle_path's line; the message names the first such key.
// Two paths are one file when they are the same once made absolute and normal (so that a log file
// that does not exist yet counts), or with their symbolic links resolved, or, when both exist,
// when they are one file (std::filesystem::equivalent: a hard link, another spelling). OK without
// ca_bundle_path. Reads the file system (it stats), creates nothing; thread-safe.
Status CheckCaBundlePath(const config::Config& config);

// Why WriteCaBundle() could not write `config`'s ca_bundle_path, which is set, found without
// writing anything (for `callgate check`): "" when it could. As WhyNotWritable (file_probe.h)
// words it: the bundle, or the file it links to, must be a file this process can write or be
// absent, and the directory it is in (made if missing) one where it can create a file and
// rename it.
std::string WhyCaBundleNotWritable(const config::Config& config);

// The files the bundle joins: each cluster's ca_file, in cluster order, each path once.
std::vector<std::string> CaBundleSources(const config::Config& config);

// Writes the bundle for `config`, whose ca_bundle_path is set: reads every CaBundleSources() file
// whole first (security::ReadPemFile, which refuses a file that changed while it was read), then
// writes them, each followed by a newline, to a new file beside ca_bundle_path (through a
// symbolic link: beside the file it names), flushes it to disk and renames it into place. So
// ca_bundle_path holds the old bundle or the whole new one, never a part, and a failure leaves no
// temporary file. The new file keeps the permissions of the one it replaces (0666 less the umask
// when there is none). Missing directories are made, as for log_dir. An existing ca_bundle_path
// that is not a regular file (a FIFO, a directory) is left alone. Returns how many files were
// joined, or the error that stopped it, naming the file at fault with the system's reason.
// Does not check CheckCaBundlePath().
Result<std::size_t> WriteCaBundle(const config::Config& config);

}  // namespace callgate::app
