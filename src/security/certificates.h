// X.509 helpers over OpenSSL: loading PEM files, a loggable summary, fingerprints and the names a
// certificate asserts. Pure functions; thread-safe for distinct or shared const certificates.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace callgate::security {

struct X509Deleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
// An owned certificate.
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * certificates) const {
    sk_X509_pop_free(certificates, X509_free);
  }
};
// An owned stack of owned certificates (what X509_STORE_CTX_get1_certs returns).
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// What start-up and DEBUG logs show about a certificate. Never contains key material.
struct CertificateSummary {
  std::string subject;     // one-line DN, "C = US, O = Example, CN = cucm-pub.example.com"
  std::string issuer;      // same form
  std::string serial;      // upper-case hex, "0A1B..."
  std::string not_before;  // "2025-01-31T12:00:00Z"
  std::string not_after;
  std::int64_t not_after_unix = 0;  // not_after in seconds since 1970-01-01T00:00:00Z
  std::vector<std::string>
      sans;            // "DNS:cucm-pub.example.com", "IP:10.1.1.10", "email:..", "URI:.."
  bool is_ca = false;  // basicConstraints CA:TRUE
  std::string sha256;  // lower-case hex of the DER's SHA-256, 64 characters
};

// The contents of a PEM file (certificate or key). Errors (Error::file = path): cannot be opened
// or read (with the system's reason), larger than 16 MiB (certificate files are kilobytes; the
// cap stops a mistaken path from being slurped), or a regular file that changed while it was
// read (ChangedWhileRead, common/file_stream.h): what was read would be part of a file being
// written, such as a ca_file caught between two of its CAs, or of two files.
Result<std::string> ReadPemFile(const std::string& path);

// Every certificate in the PEM file `path`, in file order. Errors (Error::file = path): those of
// ReadPemFile, a PEM block is malformed, or there is no certificate at all. Other PEM blocks
// (e.g. a private key in a combined file) are skipped.
Result<std::vector<X509Ptr>> LoadPemCertificates(const std::string& path);
// The same for `content`, read from `path` (which only the errors name).
Result<std::vector<X509Ptr>> ParsePemCertificates(const std::string& path,
                                                  const std::string& content);

CertificateSummary Summarize(const X509* certificate);

// The current time in seconds since 1970, as not_after_unix counts.
std::int64_t UnixNow();

// Whole days from `now_unix` until `until_unix`, rounded down: 0 in the last day before it, -1
// in the first day after it.
std::int64_t DaysUntil(std::int64_t until_unix, std::int64_t now_unix);

// Lower-case hex SHA-256 of the DER encoding: the fingerprint `openssl x509 -fingerprint
// -sha256` prints, without colons.
std::string Sha256Fingerprint(const X509* certificate);

// basicConstraints CA:TRUE. (A v1 certificate or one without basicConstraints is not a CA here,
// even though OpenSSL tolerates self-signed v1 roots.)
bool IsCa(const X509* certificate);

// Subject equals issuer and the certificate's own key verifies its signature: a root. Not const:
// OpenSSL caches the certificate's parsed extensions on first use.
bool IsSelfSigned(X509* certificate);

// A name as allowed_subjects and a certificate's names are compared: an IP address as canonical
// address text (IpAddress::ToString: "2001:DB8:0::1" is "2001:db8::1"), anything else lower-cased.
std::string ComparableName(std::string_view name);

// The identities a certificate asserts, as allowed_subjects compares them: every subject CN and
// every DNS SAN through ComparableName (a CN may be an address), and every IP SAN as canonical
// address text. Values with embedded NULs or that are not valid UTF-8 are left out. Duplicates
// are removed; order: CNs, then SANs as they appear.
std::vector<std::string> CertificateNames(const X509* certificate);

// The subject's last CN (the most specific one), converted to UTF-8 but otherwise as the
// certificate has it; empty when there is none. For log lines, not for matching: log it through
// PiiMasker::Mask, which masks it or makes it log-safe (a CN is attacker-chosen text).
std::string CommonName(const X509* certificate);

// Drains this thread's OpenSSL error queue into "reason; reason" (empty if none).
std::string TakeOpenSslErrors();

}  // namespace callgate::security
