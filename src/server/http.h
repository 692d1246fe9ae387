// The HTTP message types the server layer passes between session and router.
#pragma once

#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace callgate::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// The path of a request target, without its query string ("/curri?api_key=x" -> "/curri").
inline std::string_view PathOf(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace callgate::server
