#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace my2pg::mysql {

// Where the source server is: parsed from mysql://user:password@host:port/database?socket=PATH
// (mariadb:// is accepted too). `display()` never includes the password.
struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string socket;  // Unix socket path; when set, host and port are not used

  static Endpoint parse(std::string_view uri);  // throws ConfigError, never echoing the password
  std::string display() const;
};

}  // namespace my2pg::mysql
