// Config values for security tests, built directly (the YAML parser is another layer's).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "test_pki.h"

namespace callgate::security::testing {

using Strings = std::vector<std::string>;

inline config::Cluster MakeCluster(std::string name, std::optional<Strings> ips,
                                   std::optional<std::string> ca_file,
                                   std::optional<Strings> subjects) {
  config::Cluster cluster;
  cluster.name = std::move(name);
  cluster.allowed_ips = std::move(ips);
  cluster.ca_file = std::move(ca_file);
  cluster.allowed_subjects = std::move(subjects);
  cluster.line = 7;  // the keys on the lines below it, as in a file
  cluster.key_lines = {{"allowed_ips", 8}, {"ca_file", 9}, {"allowed_subjects", 10}};
  return cluster;
}

// TLS with `server`'s certificate and key, and the given clusters.
inline config::Config ServerConfig(const Credential& server,
                                   std::vector<config::Cluster> clusters = {}) {
  config::Config config;
  config.file = "callgate.yaml";
  config.tls_cert_file = server.cert_file;
  config.tls_key_file = server.key_file;
  config.clusters = std::move(clusters);
  return config;
}

}  // namespace callgate::security::testing
