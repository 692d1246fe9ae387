#include "security/ca_file.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <optional>
#include <string>

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

// OpenSSL's minimum at security level 2, in bits of security: RSA 2048, EC 224, SHA-256.
constexpr int kMinimumSecurityBits = 112;

std::string CertificateText(const std::string& path, std::size_t index, const X509* certificate) {
  return "ca_file '" + path + "': certificate #" + std::to_string(index + 1) + " (" +
         Summarize(certificate).subject + ")";
}

std::optional<std::string> WeakKey(const std::string& path, std::size_t index,
                                   const X509* certificate) {
  const EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (key == nullptr || EVP_PKEY_get_security_bits(key) >= kMinimumSecurityBits) {
    return std::nullopt;
  }
  return CertificateText(path, index, certificate) + " has a " +
         std::to_string(EVP_PKEY_get_bits(key)) +
         "-bit key, below what TLS security level 2 accepts (RSA 2048 bits, EC 224): every "
         "client certificate that is or chains to it will be refused (\"certificate key too "
         "weak\"). Have it reissued with a 2048-bit RSA or a 256-bit EC key";
}

std::optional<std::string> WeakSignature(const std::string& path, std::size_t index,
                                         X509* certificate) {
  int security_bits = 0;
  if (IsSelfSigned(certificate) ||
      X509_get_signature_info(certificate, nullptr, nullptr, &security_bits, nullptr) != 1 ||
      security_bits >= kMinimumSecurityBits) {
    return std::nullopt;
  }
  return CertificateText(path, index, certificate) +
         " is signed with SHA-1 or weaker, which TLS security level 2 refuses: every client "
         "certificate that chains to it will be refused (\"CA signature digest algorithm too "
         "weak\"). Have it reissued with SHA-256";
}

}  // namespace

std::vector<std::string> CaFileWarnings(const std::string& path, const std::string& content,
                                        const std::vector<X509Ptr>& certificates) {
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    if (auto weak = WeakKey(path, i, certificates[i].get())) warnings.push_back(*weak);
    if (auto weak = WeakSignature(path, i, certificates[i].get())) warnings.push_back(*weak);
  }
  if (content.find("-----BEGIN X509 CRL-----") != std::string::npos) {
    warnings.push_back("ca_file '" + path +
                       "' holds a CRL, which callgate does not check: to stop trusting a "
                       "certificate, take it or its CA out of ca_file, or its name out of "
                       "allowed_subjects, and reload");
  }
  if (content.find("PRIVATE KEY-----") != std::string::npos) {
    warnings.push_back("ca_file '" + path +
                       "' holds a private key, which a ca_file does not need: keep only the CA "
                       "certificates there");
  }
  return warnings;
}

Result<CaFile> LoadClusterCaFile(const config::Config& config, const config::Cluster& cluster) {
  const std::string& path = *cluster.ca_file;
  auto content = ReadPemFile(path);
  if (!content) return AtCluster(config, cluster, "'" + path + "': " + content.error().message);
  auto certificates = ParsePemCertificates(path, *content);
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
  std::vector<std::string> warnings = CaFileWarnings(path, *content, *certificates);
  return CaFile{
      .path = path, .certificates = std::move(certificates).value(), .warnings = warnings};
}

Result<CaFiles> CaFiles::Load(const config::Config& config) {
  CaFiles loaded;
  for (const config::Cluster& cluster : config.clusters) {
    if (!cluster.ca_file) continue;
    const auto& files = loaded.files_;
    const bool seen = std::any_of(files.begin(), files.end(), [&](const CaFile& file) {
      return file.path == *cluster.ca_file;
    });
    if (seen) continue;
    auto file = LoadClusterCaFile(config, cluster);
    if (!file) return file.error();
    loaded.files_.push_back(std::move(file).value());
  }
  return loaded;
}

const CaFile& CaFiles::Of(const config::Cluster& cluster) const {
  return *std::find_if(files_.begin(), files_.end(),
                       [&](const CaFile& file) { return file.path == *cluster.ca_file; });
}

}  // namespace callgate::security
