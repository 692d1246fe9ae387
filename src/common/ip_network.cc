#include "common/ip_network.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

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

std::optional<int> ParsePrefixLength(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
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

std::optional<IpNetwork> IpNetwork::Parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  auto address = IpAddress::Parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  if (slash == std::string_view::npos) return FromPrefix(*address, address->bit_length());
  auto prefix_length = ParsePrefixLength(text.substr(slash + 1));
  if (!prefix_length) return std::nullopt;
  // Parse() turned a v4-mapped base into IPv4: its prefix counted the 96 mapping bits.
  const bool written_as_v6 = text.substr(0, slash).find(':') != std::string_view::npos;
  if (written_as_v6 && address->is_v4()) {
    if (*prefix_length < 96) return std::nullopt;
    *prefix_length -= 96;
  }
  return FromPrefix(*address, *prefix_length);
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
