// Builds an engine::Snapshot from the files the configuration names (today: the phone directory).
// Used at start-up, by `callgate check` and `callgate lookup`, and on every reload.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "app/load_for.h"
#include "common/result.h"
#include "config/config.h"
#include "directory/csv_loader.h"
#include "engine/snapshot.h"

namespace callgate::app {

struct LoadedSnapshot {
  std::shared_ptr<const engine::Snapshot> snapshot;
  std::vector<directory::LoadWarning> warnings;  // the first ones (see CsvLimits)
  std::size_t warning_count = 0;
  std::size_t rows = 0;
  std::chrono::milliseconds took{0};
};

// Where a load's errors go: to the logs, which obfuscate_pii keeps free of personal data, or to
// the terminal of an administrator running check or lookup.
enum class ErrorsFor { kLogs, kTerminal };

// Fails, naming the file, when the directory cannot be read, lacks a required column, or changed
// while it was read. For the logs under obfuscate_pii, the error for a missing column does not
// quote the header's names.
Result<LoadedSnapshot> LoadSnapshot(const config::Config& config, LoadFor load_for,
                                    ErrorsFor errors_for = ErrorsFor::kLogs);

}  // namespace callgate::app
