// Fuzzes the allowed_ips parser: arbitrary text through IpAddress::Parse and IpNetwork::Parse.
// Checks their invariants: canonical text parses back to the same value, a network contains its
// own base address and every address that shares its prefix, the prefix length fits the family,
// Contains() never crosses families, and accepted network text holds nothing but hex digits,
// '.', ':' and '/' (no sign, whitespace or zone).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/ip_network.h"

namespace {

using callgate::IpAddress;
using callgate::IpNetwork;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckAddress(const IpAddress& address) {
  const auto reparsed = IpAddress::Parse(address.ToString());
  Check(reparsed.has_value() && *reparsed == address);
  const auto bytes = std::span(address.bytes()).first(address.is_v4() ? 4 : 16);
  Check(IpAddress::FromBytes(bytes) == address);
  const auto host = IpNetwork::FromPrefix(address, address.bit_length());
  Check(host.has_value() && host->Contains(address));
}

void CheckNetworkText(std::string_view text) {
  Check(text.find_first_not_of("0123456789abcdefABCDEF.:/") == std::string_view::npos);
}

void CheckNetwork(const IpNetwork& network, const IpAddress* probe) {
  const IpAddress& base = network.address();
  Check(network.prefix_length() >= 0 && network.prefix_length() <= base.bit_length());
  Check(network.Contains(base));
  const auto reparsed = IpNetwork::Parse(network.ToString());
  Check(reparsed.ok() && *reparsed == network);
  if (probe == nullptr) return;
  if (probe->family() != base.family()) {
    Check(!network.Contains(*probe));
    return;
  }
  // Contains() agrees with masking the probe to the network's prefix.
  const auto probe_network = IpNetwork::FromPrefix(*probe, network.prefix_length());
  Check(probe_network.has_value());
  Check(network.Contains(*probe) == (probe_network->address() == base));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // "network|address" checks containment; a lone string is tried as both.
  const std::size_t bar = text.find('|');
  const std::string_view first = text.substr(0, bar);
  const std::string_view second = bar == text.npos ? first : text.substr(bar + 1);
  const auto address = IpAddress::Parse(second);
  if (address) CheckAddress(*address);
  if (const auto network = IpNetwork::Parse(first)) {
    CheckNetworkText(first);
    CheckNetwork(*network, address ? &*address : nullptr);
  }
  return 0;
}
