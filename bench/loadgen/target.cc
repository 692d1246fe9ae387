#include "target.h"

#include <boost/asio/io_context.hpp>
#include <charconv>
#include <string_view>

namespace callgate::loadgen {
namespace {

namespace asio = boost::asio;

bool ParseScheme(std::string_view& rest, Target& target) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  if (rest.starts_with(kHttp)) {
    rest.remove_prefix(kHttp.size());
    return true;
  }
  if (rest.starts_with(kHttps)) {
    rest.remove_prefix(kHttps.size());
    target.tls = true;
    return true;
  }
  return false;
}

// Splits "host:port", "[v6]:port", "host" or "[v6]" into host and port text.
bool SplitAuthority(std::string_view authority, std::string_view& host, std::string_view& port) {
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return false;
    port = after.empty() ? after : after.substr(1);
    return true;
  }
  std::size_t colon = authority.rfind(':');
  host = authority.substr(0, colon);
  port = colon == std::string_view::npos ? std::string_view() : authority.substr(colon + 1);
  return true;
}

bool ParsePort(std::string_view text, bool tls, std::uint16_t& port) {
  if (text.empty()) {
    port = tls ? 443 : 80;
    return true;
  }
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  return ec == std::errc() && ptr == end && port != 0;
}

}  // namespace

bool ParseUrl(const std::string& url, Target& target, std::string& error) {
  std::string_view rest = url;
  error = "invalid URL '" + url + "' (expected http[s]://HOST[:PORT][/PATH])";
  if (!ParseScheme(rest, target)) return false;
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  target.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view host;
  std::string_view port;
  if (!SplitAuthority(authority, host, port) || host.empty()) return false;
  if (!ParsePort(port, target.tls, target.port)) return false;
  target.host = std::string(host);
  target.host_header = std::string(authority);
  error.clear();
  return true;
}

bool IsLoopback(const asio::ip::address& address) {
  if (address.is_v4()) return address.to_v4().is_loopback();
  const asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
  }
  return v6.is_loopback();
}

bool ResolveLoopback(Target& target, std::string& error) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, std::to_string(target.port), ec);
  if (ec || results.empty()) {
    error = "cannot resolve '" + target.host + "': " + ec.message();
    return false;
  }
  target.endpoints.clear();
  for (const auto& entry : results) {
    const asio::ip::address address = entry.endpoint().address();
    if (!IsLoopback(address)) {
      error = "refusing target '" + target.host + "': it resolves to " + address.to_string() +
              ", which is not loopback (only 127.0.0.0/8 and ::1 are allowed)";
      return false;
    }
    target.endpoints.push_back(entry.endpoint());
  }
  return true;
}

}  // namespace callgate::loadgen
