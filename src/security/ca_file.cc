#include "security/ca_file.h"

#include <algorithm>

namespace callgate::security {
namespace {

Error AtCluster(const config::Config& config, const config::Cluster& cluster, std::string message) {
  return Error{.message = std::move(message),
               .file = config.file,
               .line = cluster.LineOf("ca_file"),
               .key = "clusters." + cluster.name + ".ca_file"};
}

std::string LeafMessage(const std::string& path, std::size_t index, const X509* certificate) {
  return "'" + path + "': certificate #" + std::to_string(index + 1) + " (" +
         Summarize(certificate).subject +
         ") is a leaf certificate (CA:FALSE), not a CA. ca_file must be the root CA certificate "
         "(CA:TRUE) that anchors the client's chain: for a self-signed UCM cluster the "
         "CallManager.pem exported from Cisco Unified OS Administration > Security > "
         "Certificate Management, otherwise the issuing CA's root certificate.";
}

std::string NoRootMessage(const std::string& path, const X509* first) {
  return "'" + path +
         "' holds only intermediate CA certificates (the first: " + Summarize(first).subject +
         ", issued by " + Summarize(first).issuer +
         "). Add the root CA certificate (self-signed, CA:TRUE) of that chain to the file: client "
         "chains are verified up to their root.";
}

}  // namespace

Result<std::vector<X509Ptr>> LoadClusterCaFile(const config::Config& config,
                                               const config::Cluster& cluster) {
  const std::string& path = *cluster.ca_file;
  auto certificates = LoadPemCertificates(path);
  if (!certificates) {
    return AtCluster(config, cluster, "'" + path + "': " + certificates.error().message);
  }
  for (std::size_t i = 0; i < certificates->size(); ++i) {
    const X509* certificate = certificates.value()[i].get();
    if (!IsCa(certificate)) return AtCluster(config, cluster, LeafMessage(path, i, certificate));
  }
  const bool has_root =
      std::any_of(certificates->begin(), certificates->end(),
                  [](const X509Ptr& certificate) { return IsSelfSigned(certificate.get()); });
  if (!has_root) {
    return AtCluster(config, cluster, NoRootMessage(path, certificates.value()[0].get()));
  }
  return certificates;
}

}  // namespace callgate::security
