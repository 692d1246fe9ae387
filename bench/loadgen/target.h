// Target: where the load goes. Parses the URL and resolves its host, refusing anything that is
// not loopback: this load client must never be pointed at another machine (a workplace rule,
// and a benchmark across a network would measure the network anyway).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace callgate::loadgen {

struct Target {
  bool tls = false;  // https://
  std::string host;  // as written in the URL, without IPv6 brackets
  std::uint16_t port = 0;
  std::string path;         // "/..." including any query string
  std::string host_header;  // HOST:PORT as it goes into the Host header
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // resolved, all loopback
};

// Parses "http[s]://HOST[:PORT][/PATH]" (default ports 80 and 443). On failure returns false
// and sets `error`.
bool ParseUrl(const std::string& url, Target& target, std::string& error);

// Resolves target.host (blocking, once at start-up) into target.endpoints. Fails, naming the
// address, when the name does not resolve or when any address it resolves to is not in
// 127.0.0.0/8 or ::1 (IPv4-mapped loopback is accepted).
bool ResolveLoopback(Target& target, std::string& error);

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool IsLoopback(const boost::asio::ip::address& address);

}  // namespace callgate::loadgen
