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

// One ca_file as loaded: its certificates, in file order, and CaFileWarnings for it.
struct CaFile {
  std::string path;
  std::vector<X509Ptr> certificates;
  std::vector<std::string> warnings;
};

// Reads and checks the ca_file `cluster` names. Precondition: cluster.ca_file has a value. Every
// certificate in the file must be a CA (basicConstraints CA:TRUE), and at least one must be a
// root (self-signed): client chains are verified up to a root, so a file of intermediates alone
// could never anchor one. Errors are those of ReadPemFile and ParsePemCertificates (a file that
// changed while it was read among them), located at the key in the configuration (file =
// config.file, line = cluster.LineOf("ca_file"), key = "clusters.<name>.ca_file"), and their
// message starts with the ca_file path. A leaf certificate gets the reference's advice: use the
// root CA (CA:TRUE) that anchors the client's chain, e.g. CallManager.pem for a self-signed UCM
// cluster.
Result<CaFile> LoadClusterCaFile(const config::Config& config, const config::Cluster& cluster);

// Every cluster's ca_file, each read once however many clusters name it (by the same path): the
// authorizer and the TLS context built from one CaFiles trust the same version of each file.
// Read once for each, a file replaced between the two reads would give them different versions
// until the next reload.
class CaFiles {
 public:
  // In configuration order; stops at the first error (LoadClusterCaFile's, located at the first
  // cluster that names the file). Reads files: call it off the I/O threads.
  static Result<CaFiles> Load(const config::Config& config);
  // The file `cluster` names. Precondition: cluster.ca_file has a value, and `cluster` is one of
  // the configuration Load read.
  const CaFile& Of(const config::Cluster& cluster) const;
  // Each file once, in the order the clusters first name them.
  const std::vector<CaFile>& files() const { return files_; }

 private:
  std::vector<CaFile> files_;
};

// What in a ca_file (`content`, with `certificates` parsed from it, both as read from `path`)
// will not work as its administrator expects, one message each, starting with the path:
//  * a certificate whose key is below callgate's TLS security level (2: RSA and DSA keys of at
//    least 2048 bits, EC keys of at least 224): OpenSSL refuses every client certificate that is
//    or chains to it ("EE/CA certificate key too weak");
//  * a certificate other than a root signed with SHA-1 (or weaker): refused the same way ("CA
//    signature digest algorithm too weak"); a root's own signature is never checked;
//  * a CRL: callgate does not check revocation;
//  * a private key: a ca_file needs none, and it may be readable by more people than a key
//    should be.
std::vector<std::string> CaFileWarnings(const std::string& path, const std::string& content,
                                        const std::vector<X509Ptr>& certificates);

}  // namespace callgate::security
