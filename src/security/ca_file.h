// Loading a cluster's ca_file: the certificates that anchor that cluster's client certificates.
// Shared by the TLS context (its trust store is the union of all ca_files) and the authorizer
// (per-cluster trust compares the verified chain's anchor with one cluster's file).
#pragma once

#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "security/certificates.h"

namespace callgate::security {

// Precondition: cluster.ca_file has a value. Every certificate in the file must be a CA
// (basicConstraints CA:TRUE), and at least one must be a root (self-signed): client chains are
// verified up to a root, so a file of intermediates alone could never anchor one. Errors are
// located at the key in the configuration (file = config.file, line = cluster.LineOf("ca_file"), key =
// "clusters.<name>.ca_file") and their message starts with the ca_file path. A leaf certificate
// gets the reference's advice: use the root CA (CA:TRUE) that anchors the client's chain, e.g.
// CallManager.pem for a self-signed UCM cluster.
Result<std::vector<X509Ptr>> LoadClusterCaFile(const config::Config& config,
                                               const config::Cluster& cluster);

}  // namespace callgate::security
