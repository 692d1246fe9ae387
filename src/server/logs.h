// Logs: the loggers and the PII masker the server writes through. Owned by the application;
// the server only borrows them.
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "security/pii_masker.h"

namespace callgate::server {

struct Logs {
  std::shared_ptr<spdlog::logger> app;     // console (+ app.log): decisions, events, errors
  std::shared_ptr<spdlog::logger> access;  // access.log, one line per HTTP request; may be null
  const security::PiiMasker* masker = nullptr;

  // The masked form of a phone number or name when obfuscate_pii is on, else the value.
  std::string Pii(std::string_view value) const { return masker->Mask(value); }
};

}  // namespace callgate::server
