// Loading a cluster's ca_file: the certificates that anchor that cluster's client certificates.
// Shared by the TLS context (its trust store is the union of all ca_files) and the authorizer
// (per-cluster trust compares the verified chain's anchor with one cluster's file).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "security/certificates.h"

namespace callgate::security {

// Precondition: cluster.ca_file has a value. Every certificate in the file must be a CA
// (basicConstraints CA:TRUE), and at least one must be a root (self-signed): client chains are
// verified up to a root, so a file of intermediates alone could never anchor one. Errors are
// located at the key in the configuration (file = config.file, line = cluster.LineOf("ca_file"),
// key = "clusters.<name>.ca_file") and their message starts with the ca_file path. A leaf
// certificate gets the reference's advice: use the root CA (CA:TRUE) that anchors the client's
// chain, e.g. CallManager.pem for a self-signed UCM cluster.
Result<std::vector<X509Ptr>> LoadClusterCaFile(const config::Config& config,
                                               const config::Cluster& cluster);

// What in a ca_file that loaded (`certificates`, as LoadClusterCaFile returned them) will not
// work as its administrator expects, one message each, starting with the path:
//  * a certificate whose key is below callgate's TLS security level (2: RSA and DSA keys of at
//    least 2048 bits, EC keys of at least 224): OpenSSL refuses every client certificate that is
//    or chains to it ("EE/CA certificate key too weak");
//  * a certificate other than a root signed with SHA-1 (or weaker): refused the same way ("CA
//    signature digest algorithm too weak"); a root's own signature is never checked;
//  * a CRL: callgate does not check revocation;
//  * a private key: a ca_file needs none, and it may be readable by more people than a key
//    should be.
// Reads the file again for the last two; a file that cannot be read gives no such message.
std::vector<std::string> CaFileWarnings(const std::string& path,
                                        const std::vector<X509Ptr>& certificates);

}  // namespace callgate::security
