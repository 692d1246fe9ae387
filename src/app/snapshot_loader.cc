#include "app/snapshot_loader.h"

#include "common/file_stream.h"

namespace callgate::app {

Result<LoadedSnapshot> LoadSnapshot(const config::Config& config, LoadFor load_for,
                                    ErrorsFor errors_for) {
  const auto started = std::chrono::steady_clock::now();
  directory::CsvLimits limits;
  limits.quote_header = errors_for == ErrorsFor::kTerminal || !config.obfuscate_pii;
  auto loaded = directory::LoadDirectoryCsv(config.csv_file_path, limits);
  if (!loaded) {
    Error error = loaded.error();
    if (ChangedWhileRead(error)) {
      error.message += WhenToLoadAgain(load_for, "there is no directory in service to keep");
    }
    if (error.line > 0) return error;  // a place in the file: the file and line say it
    // The file as a whole (missing, unreadable, too large, empty, changed while it was read):
    // named by the key that names it, as a TLS file is.
    return config::KeyError(config, "csv_file_path",
                            "'" + config.csv_file_path + "': " + error.message);
  }
  auto snapshot = std::make_shared<engine::Snapshot>();
  snapshot->directory = std::move(loaded->directory);
  snapshot->directory_path = config.csv_file_path;
  snapshot->loaded_at = std::chrono::system_clock::now();
  LoadedSnapshot result;
  result.snapshot = std::move(snapshot);
  result.warnings = std::move(loaded->warnings);
  result.warning_count = loaded->warning_count;
  result.rows = loaded->rows;
  result.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace callgate::app
