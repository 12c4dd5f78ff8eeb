#include "mysql/endpoint.hpp"

#include <charconv>

#include "common/error.hpp"
#include "common/secrets.hpp"

namespace my2pg::mysql {
namespace {

constexpr std::string_view kUsage =
    "expected mysql://user:password@host:port/database (e.g. "
    "mysql://app:secret@127.0.0.1:3306/shop)";

uint16_t parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    throw ConfigError("source URI has an invalid port '" + std::string(text) + "'; " +
                      std::string(kUsage));
  }
  return static_cast<uint16_t>(value);
}

void parse_query(std::string_view query, Endpoint& ep) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (key != "socket" || eq == std::string_view::npos) {
      throw ConfigError("source URI has an unknown parameter '" + std::string(key) +
                        "'; the only one accepted is socket=/path/to/mysqld.sock");
    }
    ep.socket = percent_decode(pair.substr(eq + 1));
  }
}

}  // namespace

Endpoint Endpoint::parse(std::string_view uri) {
  Endpoint ep;
  std::string_view rest;
  bool has_scheme = false;
  for (std::string_view scheme : {"mysql://", "mariadb://"}) {
    if (uri.starts_with(scheme)) {
      rest = uri.substr(scheme.size());
      has_scheme = true;
    }
  }
  // The input is never quoted back: a malformed URI may hold a password anywhere.
  if (!has_scheme) throw ConfigError("the source is not a MySQL URI; " + std::string(kUsage));
  // Userinfo ends at the last '@', so a password may hold unencoded '/', '?', '#' or '@'.
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    ep.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) ep.password = percent_decode(userinfo.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  if (const size_t qmark = rest.find('?'); qmark != std::string_view::npos) {
    parse_query(rest.substr(qmark + 1), ep);
    rest = rest.substr(0, qmark);
  }
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    ep.database = percent_decode(rest.substr(slash + 1));
    if (ep.database.find('/') != std::string::npos) {
      throw ConfigError("the source URI's database name has a '/'; " + std::string(kUsage));
    }
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  if (host.starts_with('[')) {  // [IPv6]:port
    const size_t close = host.find(']');
    if (close == std::string_view::npos) {
      throw ConfigError("source URI has an unclosed '[' in its host; " + std::string(kUsage));
    }
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') {
        throw ConfigError("source URI host is malformed; " + std::string(kUsage));
      }
      ep.port = parse_port(host.substr(close + 2));
    }
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.find(':'); colon != std::string_view::npos) {
    if (host.find(':', colon + 1) != std::string_view::npos) {
      throw ConfigError(
          "source URI host looks like an IPv6 address; write it in brackets, "
          "e.g. mysql://user@[::1]:3306/db");
    }
    ep.port = parse_port(host.substr(colon + 1));
    host = host.substr(0, colon);
  }
  if (!host.empty()) ep.host = std::string(host);
  if (ep.user.empty()) {
    throw ConfigError("source URI names no user; " + std::string(kUsage));
  }
  return ep;
}

std::string Endpoint::display() const {
  std::string out = "mysql://" + user + "@";
  out += socket.empty() ? (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                              std::to_string(port)
                        : "localhost";
  out += "/" + database;
  if (!socket.empty()) out += "?socket=" + socket;
  return out;
}

}  // namespace my2pg::mysql
