// IpAddress and IpNetwork: the values behind a cluster's allowed_ips. Both are small immutable
// values (17-18 bytes), cheap to copy, thread-safe to share, and never allocate except ToString and
// the error of a failed IpNetwork::Parse.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4 peer)
// are normalised to IPv4 at every entry point, so ::ffff:10.1.1.10 == 10.1.1.10 and an IPv4 rule
// matches such a peer. Otherwise the families are disjoint: an IPv6 network never contains an
// IPv4 address and vice versa (so "::/0" allows every IPv6 peer, not every peer).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace callgate {

class IpAddress {
 public:
  enum class Family : std::uint8_t { kV4, kV6 };

  // 0.0.0.0, so that structs holding an address can be default-constructed.
  IpAddress() = default;

  // Parses the textual forms inet_pton accepts: dotted-quad IPv4 (exactly four decimal parts,
  // no leading zeros) and RFC 4291 IPv6, including the output of boost::asio's
  // address::to_string(). An IPv6 zone suffix ("fe80::1%eth0") is accepted and dropped: zones
  // do not take part in matching. Anything else (whitespace, brackets, a prefix length, empty
  // text) is std::nullopt. O(length).
  static std::optional<IpAddress> Parse(std::string_view text);

  // Network-order bytes: 4 (IPv4) or 16 (IPv6, v4-mapped normalised). Any other size: nullopt.
  static std::optional<IpAddress> FromBytes(std::span<const std::uint8_t> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  // 127.0.0.0/8 or ::1.
  bool is_loopback() const;

  // Network-order bytes: the first 4 for IPv4, all 16 for IPv6; the rest are zero.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  int bit_length() const { return is_v4() ? 32 : 128; }

  // Canonical text: dotted quad, or RFC 5952 lower-case compressed IPv6 ("2001:db8::1").
  std::string ToString() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kV4;
  std::array<std::uint8_t, 16> bytes_{};
};

class IpNetwork {
 public:
  // "10.1.2.0/24", "2001:db8::/32", or a single address ("10.1.1.10", "::1" = /32 or /128).
  // The one definition of an allowed_ips entry: the configuration checks entries with it and
  // the authorizer builds its networks with it, so a file that loads also starts.
  // The prefix length is 0..32 (IPv4) or 0..128 (IPv6), decimal digits only (no sign), at most
  // three of them ("/024" is /24). Host bits below the prefix are cleared, as Python's
  // ipaddress.ip_network(strict=False) does for the reference service: "10.1.2.7/24" is
  // 10.1.2.0/24. An IPv4-mapped IPv6 network with a prefix of at least 96
  // ("::ffff:10.0.0.0/104") becomes the IPv4 network (10.0.0.0/8); a shorter one is refused, as
  // it would straddle the two families. Zones and whitespace anywhere are refused.
  // Invalid text is an Error whose message says why, without quoting the text or naming a
  // file, line or key (the caller adds those). O(length).
  static Result<IpNetwork> Parse(std::string_view text);

  // The network of `address` with `prefix_length` bits; nullopt if the length is out of range.
  static std::optional<IpNetwork> FromPrefix(const IpAddress& address, int prefix_length);

  // True when `address` has this network's family and its first prefix_length() bits. O(1).
  bool Contains(const IpAddress& address) const;

  const IpAddress& address() const { return address_; }
  int prefix_length() const { return prefix_length_; }
  // "10.1.2.0/24", "2001:db8::/32".
  std::string ToString() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;

 private:
  IpNetwork(const IpAddress& address, int prefix_length)
      : address_(address), prefix_length_(prefix_length) {}

  IpAddress address_;
  int prefix_length_ = 0;
};

}  // namespace callgate
