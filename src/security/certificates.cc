#include "security/certificates.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <system_error>

#include "common/file_stream.h"
#include "common/ip_network.h"
#include "common/log_text.h"
#include "common/strings.h"

namespace callgate::security {
namespace {

constexpr std::size_t kMaxPemFileBytes = std::size_t{16} * 1024 * 1024;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>;

Error FileError(const std::string& path, std::string message) {
  Error error;
  error.message = std::move(message);
  error.file = path;
  return error;
}

// strerror() is not thread-safe; the generic category's message() is.
std::string SystemError(int number) { return std::generic_category().message(number); }

// The words ReadPemFile's errors have always had.
std::string PemFileProblem(FileProblem problem, int error_number, std::size_t /*max_bytes*/) {
  switch (problem) {
    case FileProblem::kCannotOpen:
      return "cannot open: " + SystemError(error_number);
    case FileProblem::kIsADirectory:
      return "is a directory, not a file";  // as the CSV's (common/file_stream.cc)
    case FileProblem::kTooLarge:
      return "larger than 16 MiB: not a certificate file";
    case FileProblem::kCannotStat:
    case FileProblem::kCannotRead:
    case FileProblem::kCannotRewind:
      break;
  }
  return "cannot read: " + SystemError(error_number);
}

// The rest of `file`, a buffer at a time.
Result<std::string> ReadToTheEnd(FileStream& file) {
  constexpr std::size_t kBufferBytes = 8192;
  std::string content;
  while (true) {
    const std::size_t held = content.size();
    content.resize(held + kBufferBytes);
    Result<std::size_t> count = file.Read(content.data() + held, kBufferBytes);
    if (!count) return count.error();
    content.resize(held + *count);
    if (*count < kBufferBytes) return content;
  }
}

// True when the error queue holds only "no more PEM blocks", the normal end of a PEM file.
bool OnlyEndOfPem() {
  const unsigned long error = ERR_peek_last_error();
  const bool end =
      ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  if (end) ERR_clear_error();
  return end || error == 0;
}

std::string NoCertificateMessage(const std::string& content) {
  // DER starts with a SEQUENCE tag: the most common "it is a certificate, but not PEM" case.
  if (!content.empty() && static_cast<unsigned char>(content[0]) == 0x30) {
    return "no PEM certificate found (the file looks like DER: convert it with "
           "`openssl x509 -inform der -in FILE -out FILE.pem`)";
  }
  return "no PEM certificate found (expected a -----BEGIN CERTIFICATE----- block)";
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // One line, UTF-8 kept as is, made log-safe (a CN is attacker-chosen text that ends up in
  // logs; OpenSSL escapes the C0 controls, LogSafeCopy also the C1 and bidi ones, and the `"`
  // OpenSSL puts around values with special characters, since log lines quote the whole name).
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  return LogSafeCopy(BioText(bio.get()), '"');
}

std::string SerialText(const X509* certificate) {
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr);
  char* hex = number != nullptr ? BN_bn2hex(number) : nullptr;
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(number);
  return out;
}

std::string TimeText(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return "?";
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

std::int64_t UnixTime(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts));
}

std::string_view StringView(const ASN1_STRING* text) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
          static_cast<std::size_t>(ASN1_STRING_length(text))};
}

bool IsPrintable(std::string_view text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::optional<std::string> IpText(const ASN1_OCTET_STRING* bytes) {
  auto address = IpAddress::FromBytes(
      {ASN1_STRING_get0_data(bytes), static_cast<std::size_t>(ASN1_STRING_length(bytes))});
  if (!address) return std::nullopt;
  return address->ToString();
}

std::string SanText(const GENERAL_NAME* name) {
  switch (name->type) {
    case GEN_DNS:
      return "DNS:" + LogSafeCopy(StringView(name->d.dNSName));
    case GEN_IPADD:
      return "IP:" + IpText(name->d.iPAddress).value_or("<invalid>");
    case GEN_EMAIL:
      return "email:" + LogSafeCopy(StringView(name->d.rfc822Name));
    case GEN_URI:
      return "URI:" + LogSafeCopy(StringView(name->d.uniformResourceIdentifier));
    default:
      return "othername";
  }
}

GeneralNamesPtr SubjectAltNames(const X509* certificate) {
  return GeneralNamesPtr(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
}

// Every subject CN as UTF-8, in order; entries that do not convert are left out.
std::vector<std::string> RawCommonNames(const X509* certificate) {
  std::vector<std::string> names;
  const X509_NAME* subject = X509_get_subject_name(certificate);
  for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
    unsigned char* utf8 = nullptr;
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    const int length = ASN1_STRING_to_UTF8(&utf8, value);
    if (length < 0) continue;
    names.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
  }
  return names;
}

// The SAN identities allowed_subjects may name: DNS (lower-cased) and IP (canonical text).
std::optional<std::string> SanIdentity(const GENERAL_NAME* name) {
  if (name->type == GEN_IPADD) return IpText(name->d.iPAddress);
  if (name->type != GEN_DNS) return std::nullopt;
  std::string_view text = StringView(name->d.dNSName);
  if (!IsPrintable(text)) return std::nullopt;
  return AsciiLower(text);
}

void AddUnique(std::vector<std::string>& names, std::string name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
}

}  // namespace

Result<std::string> ReadPemFile(const std::string& path) {
  Result<FileStream> file = FileStream::Open(path, kMaxPemFileBytes, PemFileProblem);
  if (!file) return file.error();
  Result<std::string> content = ReadToTheEnd(*file);
  if (!content) return content;
  // What was read may be part of a file being written (a ca_file caught between two of the CAs
  // `cat` writes into it), or of two files.
  if (Status unchanged = file->CheckUnchanged(); !unchanged) return unchanged.error();
  return content;
}

Result<std::vector<X509Ptr>> LoadPemCertificates(const std::string& path) {
  auto content = ReadPemFile(path);
  if (!content) return content.error();
  return ParsePemCertificates(path, *content);
}

Result<std::vector<X509Ptr>> ParsePemCertificates(const std::string& path,
                                                  const std::string& content) {
  BioPtr bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  std::vector<X509Ptr> certificates;
  ERR_clear_error();
  // _AUX also accepts "TRUSTED CERTIFICATE" blocks, as OpenSSL's own CA-file loader does.
  while (X509* certificate = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  if (!OnlyEndOfPem()) {
    return FileError(path, "malformed PEM certificate #" + std::to_string(certificates.size() + 1) +
                               ": " + TakeOpenSslErrors());
  }
  if (certificates.empty()) return FileError(path, NoCertificateMessage(content));
  return certificates;
}

CertificateSummary Summarize(const X509* certificate) {
  CertificateSummary summary;
  summary.subject = NameText(X509_get_subject_name(certificate));
  summary.issuer = NameText(X509_get_issuer_name(certificate));
  summary.serial = SerialText(certificate);
  summary.not_before = TimeText(X509_get0_notBefore(certificate));
  summary.not_after = TimeText(X509_get0_notAfter(certificate));
  summary.not_after_unix = UnixTime(X509_get0_notAfter(certificate));
  if (GeneralNamesPtr names = SubjectAltNames(certificate)) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      summary.sans.push_back(SanText(sk_GENERAL_NAME_value(names.get(), i)));
    }
  }
  summary.is_ca = IsCa(certificate);
  summary.sha256 = Sha256Fingerprint(certificate);
  return summary;
}

std::int64_t UnixNow() {
  return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
}

std::int64_t DaysUntil(std::int64_t until_unix, std::int64_t now_unix) {
  constexpr std::int64_t kDay = std::int64_t{24} * 60 * 60;
  const std::int64_t left = until_unix - now_unix;
  return left >= 0 ? left / kDay : -((-left + kDay - 1) / kDay);
}

std::string Sha256Fingerprint(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

bool IsCa(const X509* certificate) {
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(certificate, NID_basic_constraints, nullptr, nullptr));
  const bool ca = constraints != nullptr && constraints->ca != 0;
  BASIC_CONSTRAINTS_free(constraints);
  return ca;
}

bool IsSelfSigned(X509* certificate) { return X509_self_signed(certificate, 1) == 1; }

std::string ComparableName(std::string_view name) {
  if (auto address = IpAddress::Parse(name)) return address->ToString();
  return AsciiLower(name);
}

std::vector<std::string> CertificateNames(const X509* certificate) {
  std::vector<std::string> names;
  for (const std::string& name : RawCommonNames(certificate)) {
    if (IsPrintable(name)) AddUnique(names, ComparableName(name));
  }
  if (GeneralNamesPtr sans = SubjectAltNames(certificate)) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      auto name = SanIdentity(sk_GENERAL_NAME_value(sans.get(), i));
      if (name) AddUnique(names, std::move(*name));
    }
  }
  return names;
}

std::string CommonName(const X509* certificate) {
  std::vector<std::string> names = RawCommonNames(certificate);
  return names.empty() ? std::string() : std::move(names.back());
}

std::string TakeOpenSslErrors() {
  std::string out;
  while (const unsigned long error = ERR_get_error()) {
    if (!out.empty()) out += "; ";
    const char* reason = ERR_reason_error_string(error);
    if (reason != nullptr) {
      out += reason;
    } else {
      char buffer[256];
      ERR_error_string_n(error, buffer, sizeof buffer);
      out += buffer;
    }
  }
  return out;
}

}  // namespace callgate::security
