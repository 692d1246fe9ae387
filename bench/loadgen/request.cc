#include "request.h"

#include <fstream>
#include <sstream>

namespace callgate::loadgen {
namespace {

bool ReadFile(const std::string& path, std::string& contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream out;
  out << in.rdbuf();
  contents = out.str();
  return !in.bad();
}

std::string Serialize(const Options& options, const Target& target, bool close,
                      const std::string* body) {
  const std::string method = !options.method.empty() ? options.method
                             : body != nullptr       ? "POST"
                                                     : "HEAD";
  std::string out = method + " " + target.path + " HTTP/1.1\r\n";
  out += "Host: " + target.host_header + "\r\n";
  out += "Accept: */*\r\n";
  if (body != nullptr) out += "Content-type: text/xml; charset=ISO-8859-1\r\n";
  out += "methodName: isRoleAccessAllowed\r\n";
  out += "User-Agent: CiscoUCM-HttpClient/1.0\r\n";
  for (const std::string& header : options.headers) out += header + "\r\n";
  out += close ? "Connection: close\r\n" : "Connection: Keep-Alive\r\n";
  if (body != nullptr) out += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  out += "\r\n";
  if (body != nullptr) out += *body;
  return out;
}

}  // namespace

bool BuildRequests(const Options& options, const Target& target, bool close,
                   std::vector<std::string>& requests, std::string& error) {
  requests.clear();
  if (options.body_files.empty()) {
    requests.push_back(Serialize(options, target, close, nullptr));
    return true;
  }
  for (const std::string& path : options.body_files) {
    std::string body;
    if (!ReadFile(path, body)) {
      error = "cannot read body file '" + path + "'";
      return false;
    }
    requests.push_back(Serialize(options, target, close, &body));
  }
  return true;
}

}  // namespace callgate::loadgen
