// The HTTP message types the server layer passes between session and router.
#pragma once

#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace callgate::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Connection: keep-alive or close. Beast's keep_alive(true) leaves HTTP/1.1's implied keep-alive
// unsaid; it is said here on every response, as Cisco's sample PDP does (curri.md §2.1): UCM
// keeps its connections for ever, and nothing should make it doubt that.
inline void SetKeepAlive(Response& response, bool keep_alive) {
  if (keep_alive) {
    response.set(boost::beast::http::field::connection, "keep-alive");
  } else {
    response.keep_alive(false);
  }
}

// The path of a request target, without its query string ("/curri?api_key=x" -> "/curri"), also
// of the absolute form RFC 9112 §3.2.2 requires servers to accept ("http://host:5000/curri").
inline std::string_view PathOf(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    const std::size_t authority = target.find("://");
    if (authority != std::string_view::npos) {
      const std::size_t path = target.find_first_of("/?", authority + 3);
      target = path == std::string_view::npos || target[path] == '?' ? "/" : target.substr(path);
    }
  }
  return target.substr(0, target.find('?'));
}

}  // namespace callgate::server
