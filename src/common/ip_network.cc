#include "common/ip_network.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

namespace callgate {
namespace {

// Longer than any valid address text (INET6_ADDRSTRLEN is 46): rejects early, bounds the copy.
constexpr std::size_t kMaxAddressText = 64;
constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool IsV4Mapped(std::span<const std::uint8_t> v6) {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), v6.begin());
}

// inet_pton wants a NUL-terminated string; string_view does not promise one.
std::optional<IpAddress> ParseWithoutZone(std::string_view text) {
  // An embedded NUL would end inet_pton's string early and let trailing junk through.
  if (text.empty() || text.size() >= kMaxAddressText || text.find('\0') != text.npos) {
    return std::nullopt;
  }
  char buffer[kMaxAddressText];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t bytes[16];
  if (inet_pton(AF_INET, buffer, bytes) == 1) return IpAddress::FromBytes({bytes, 4});
  if (inet_pton(AF_INET6, buffer, bytes) == 1) return IpAddress::FromBytes({bytes, 16});
  return std::nullopt;
}

// A zone names an interface: keep it to the characters interface names and numbers use, so
// that "1.2.3.4%anything" style junk is still refused.
bool IsValidZone(std::string_view zone) {
  return !zone.empty() && zone.size() <= 16 && std::all_of(zone.begin(), zone.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-' || c == '_';
  });
}

// Digits only: from_chars alone would also take a sign, and "-0" would be /0, every address.
std::optional<int> ParsePrefixLength(std::string_view text) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), is_digit)) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool HasWhitespace(std::string_view text) {
  return text.find_first_of(" \t\r\n\v\f") != std::string_view::npos;
}

Error Invalid(std::string message) { return Error{.message = std::move(message)}; }

std::string AddressProblem(std::string_view address_text) {
  if (address_text.empty()) return "the address before '/' is missing";
  if (address_text.find(':') != std::string_view::npos) {
    return "it is not an IPv6 address (RFC 4291 text, without brackets)";
  }
  return "it is not an IPv4 address: four decimal numbers from 0 to 255 separated by dots, "
         "without leading zeros (010 could be read as octal)";
}

// Parse() turns a v4-mapped base into IPv4, but a prefix written after IPv6 text counts the 96
// mapping bits: only 96..128 maps onto an IPv4 prefix; a shorter one would cover IPv6 addresses
// too, which never match an IPv4 peer.
Result<IpNetwork> WithWrittenPrefix(const IpAddress& address, bool written_as_v6, int length) {
  if (!written_as_v6 && length > 32) return Invalid("an IPv4 prefix length is at most 32");
  if (written_as_v6 && length > 128) return Invalid("an IPv6 prefix length is at most 128");
  if (written_as_v6 && address.is_v4()) {
    if (length < 96) {
      return Invalid(
          "an IPv4-mapped network (::ffff:a.b.c.d) needs a prefix length of at least 96, the "
          "mapping's own bits (::ffff:10.0.0.0/104 is 10.0.0.0/8); a shorter one would also "
          "cover IPv6 addresses, which never match an IPv4 client: write the IPv4 network, "
          "such as 10.0.0.0/8");
    }
    length -= 96;
  }
  return *IpNetwork::FromPrefix(address, length);
}

// Clears every bit from `prefix_length` on: the network's canonical base address.
std::array<std::uint8_t, 16> MaskBytes(std::array<std::uint8_t, 16> bytes, int prefix_length) {
  for (int i = 0; i < 16; ++i) {
    const int bits = std::clamp(prefix_length - 8 * i, 0, 8);
    bytes[i] &= static_cast<std::uint8_t>(0xff00u >> bits);
  }
  return bytes;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  const std::size_t percent = text.find('%');
  if (percent == std::string_view::npos) return ParseWithoutZone(text);
  if (!IsValidZone(text.substr(percent + 1))) return std::nullopt;
  auto address = ParseWithoutZone(text.substr(0, percent));
  // Zones exist only for IPv6 (link-local) addresses.
  if (!address || address->is_v4()) return std::nullopt;
  return address;
}

std::optional<IpAddress> IpAddress::FromBytes(std::span<const std::uint8_t> bytes) {
  IpAddress address;
  if (bytes.size() == 4) {
    std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  } else if (bytes.size() == 16 && IsV4Mapped(bytes)) {
    std::copy(bytes.begin() + 12, bytes.end(), address.bytes_.begin());
  } else if (bytes.size() == 16) {
    address.family_ = Family::kV6;
    std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  } else {
    return std::nullopt;
  }
  return address;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  static constexpr std::array<std::uint8_t, 16> kLoopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                             0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoopback;
}

std::string IpAddress::ToString() const {
  char buffer[INET6_ADDRSTRLEN];
  const int family = is_v4() ? AF_INET : AF_INET6;
  if (inet_ntop(family, bytes_.data(), buffer, sizeof buffer) == nullptr) return "?";
  return buffer;
}

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  if (text.empty()) return Invalid("it is empty");
  if (HasWhitespace(text)) return Invalid("it contains whitespace");
  if (text.find('%') != std::string_view::npos) {
    return Invalid("a zone index (%eth0) is not part of a network: leave it out");
  }
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  const auto address = IpAddress::Parse(address_text);
  if (!address) return Invalid(AddressProblem(address_text));
  if (slash == std::string_view::npos) return *FromPrefix(*address, address->bit_length());
  const auto length = ParsePrefixLength(text.substr(slash + 1));
  if (!length) {
    return Invalid(
        "the prefix length after '/' must be a number of bits (such as /24): up to "
        "three decimal digits, no sign");
  }
  const bool written_as_v6 = address_text.find(':') != std::string_view::npos;
  return WithWrittenPrefix(*address, written_as_v6, *length);
}

std::optional<IpNetwork> IpNetwork::FromPrefix(const IpAddress& address, int prefix_length) {
  if (prefix_length < 0 || prefix_length > address.bit_length()) return std::nullopt;
  const auto masked = MaskBytes(address.bytes(), prefix_length);
  const auto base = IpAddress::FromBytes(std::span(masked).first(address.is_v4() ? 4 : 16));
  return IpNetwork(*base, prefix_length);
}

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.family() != address_.family()) return false;
  return MaskBytes(address.bytes(), prefix_length_) == address_.bytes();
}

std::string IpNetwork::ToString() const {
  return address_.ToString() + "/" + std::to_string(prefix_length_);
}

}  // namespace callgate
