// mysql/endpoint: Endpoint::parse() and display().
#include <catch2/catch.hpp>

#include <string>

#include "common/error.hpp"
#include "mysql/endpoint.hpp"

using my2pg::ConfigError;
using my2pg::mysql::Endpoint;

namespace {

// The message of the ConfigError that parsing `uri` throws; fails the test when none is thrown.
std::string parse_error(const std::string& uri) {
  try {
    Endpoint::parse(uri);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("Endpoint::parse(\"" << uri << "\") did not throw ConfigError");
  return {};
}

}  // namespace

TEST_CASE("Endpoint::parse reads every part of a full URI", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://app:secret@db.example.com:3307/shop");
  CHECK(ep.user == "app");
  CHECK(ep.password == "secret");
  CHECK(ep.host == "db.example.com");
  CHECK(ep.port == 3307);
  CHECK(ep.database == "shop");
  CHECK(ep.socket.empty());
  CHECK(ep.display() == "mysql://app@db.example.com:3307/shop");
}

TEST_CASE("Endpoint::parse accepts the mariadb scheme", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mariadb://maria:pw@10.1.2.3:3310/inv");
  CHECK(ep.user == "maria");
  CHECK(ep.password == "pw");
  CHECK(ep.host == "10.1.2.3");
  CHECK(ep.port == 3310);
  CHECK(ep.database == "inv");
  CHECK(ep.display() == "mysql://maria@10.1.2.3:3310/inv");
}

TEST_CASE("Endpoint::parse defaults host and port", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://u:p@/db");
  CHECK(ep.host == "127.0.0.1");
  CHECK(ep.port == 3306);
  CHECK(ep.database == "db");

  const Endpoint only_user = Endpoint::parse("mysql://u@");
  CHECK(only_user.user == "u");
  CHECK(only_user.password.empty());
  CHECK(only_user.host == "127.0.0.1");
  CHECK(only_user.port == 3306);
  CHECK(only_user.database.empty());

  const Endpoint host_only = Endpoint::parse("mysql://u@dbhost/db");
  CHECK(host_only.host == "dbhost");
  CHECK(host_only.port == 3306);
}

TEST_CASE("Endpoint::parse percent-decodes user, password and database", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://us%40er:p%40ss%3Aw%2Fd@h:1/my%20db");
  CHECK(ep.user == "us@er");
  CHECK(ep.password == "p@ss:w/d");
  CHECK(ep.database == "my db");
  CHECK(ep.host == "h");
  CHECK(ep.port == 1);
  CHECK(ep.display() == "mysql://us@er@h:1/my db");
}

TEST_CASE("Endpoint::parse reads a bracketed IPv6 host", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://u:p@[::1]:3307/db");
  CHECK(ep.host == "::1");
  CHECK(ep.port == 3307);
  CHECK(ep.display() == "mysql://u@[::1]:3307/db");

  const Endpoint no_port = Endpoint::parse("mysql://u@[fe80::2]/db");
  CHECK(no_port.host == "fe80::2");
  CHECK(no_port.port == 3306);
}

TEST_CASE("Endpoint::parse reads the socket parameter", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://u:p@/db?socket=/run/mysqld/mysqld.sock");
  CHECK(ep.socket == "/run/mysqld/mysqld.sock");
  CHECK(ep.database == "db");
  CHECK(ep.user == "u");
  CHECK(ep.display() == "mysql://u@localhost/db?socket=/run/mysqld/mysqld.sock");

  const Endpoint encoded = Endpoint::parse("mysql://u@/db?socket=%2Ftmp%2Fmy%20sql.sock");
  CHECK(encoded.socket == "/tmp/my sql.sock");
}

TEST_CASE("Endpoint::parse accepts a URI without a password", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://reader@h:3306/db");
  CHECK(ep.user == "reader");
  CHECK(ep.password.empty());
  CHECK(ep.display() == "mysql://reader@h:3306/db");
}

TEST_CASE("Endpoint::display never contains the password", "[endpoint]") {
  for (const char* uri : {"mysql://u:Hunter2pw@h:1/db", "mariadb://u:Hunter2pw@[::1]:2/db",
                          "mysql://u:Hunter2pw@/db?socket=/s"}) {
    const Endpoint ep = Endpoint::parse(uri);
    CHECK(ep.password == "Hunter2pw");
    CHECK_THAT(ep.display(), !Catch::Contains("Hunter2pw"));
  }
}

TEST_CASE("Endpoint::parse refuses another scheme without echoing the password", "[endpoint]") {
  const std::string pg = parse_error("postgresql://u:Hunter2pw@h/db");
  CHECK_THAT(pg,
             Catch::Contains("is not a MySQL URI") && Catch::Contains("mysql://user:password@"));
  CHECK_THAT(pg, !Catch::Contains("Hunter2pw"));

  CHECK_THAT(parse_error("MYSQL://u:Hunter2pw@h/db"), !Catch::Contains("Hunter2pw"));
  CHECK_THAT(parse_error(""), Catch::Contains("is not a MySQL URI"));
  CHECK_THAT(parse_error("mysql://"), Catch::Contains("names no user"));
}

TEST_CASE("Endpoint::parse refuses an invalid port", "[endpoint]") {
  CHECK_THAT(parse_error("mysql://u@h:0/db"), Catch::Contains("invalid port '0'"));
  CHECK_THAT(parse_error("mysql://u@h:70000/db"), Catch::Contains("invalid port '70000'"));
  CHECK_THAT(parse_error("mysql://u@h:abc/db"), Catch::Contains("invalid port 'abc'"));
  CHECK_THAT(parse_error("mysql://u@h:/db"), Catch::Contains("invalid port ''"));
  CHECK_THAT(parse_error("mysql://u@h:12x/db"), Catch::Contains("invalid port '12x'"));
  CHECK_THAT(parse_error("mysql://u@[::1]:99999/db"), Catch::Contains("invalid port '99999'"));
  CHECK(Endpoint::parse("mysql://u@h:65535/db").port == 65535);
}

TEST_CASE("Endpoint::parse refuses unknown query parameters", "[endpoint]") {
  CHECK_THAT(parse_error("mysql://u@h/db?ssl=1"),
             Catch::Contains("unknown parameter 'ssl'") && Catch::Contains("socket=/path"));
  CHECK_THAT(parse_error("mysql://u@h/db?socket=/s&x=1"), Catch::Contains("unknown parameter 'x'"));
  CHECK_THAT(parse_error("mysql://u@h/db?socket"), Catch::Contains("unknown parameter 'socket'"));
}

TEST_CASE("Endpoint::parse requires a user", "[endpoint]") {
  CHECK_THAT(parse_error("mysql://h:3306/db"), Catch::Contains("names no user"));
  CHECK_THAT(parse_error("mysql://:Hunter2pw@h/db"),
             Catch::Contains("names no user") && !Catch::Contains("Hunter2pw"));
}

TEST_CASE("Endpoint::parse refuses a malformed bracketed host", "[endpoint]") {
  CHECK_THAT(parse_error("mysql://u@[::1/db"), Catch::Contains("unclosed '['"));
  CHECK_THAT(parse_error("mysql://u@[::1]x/db"), Catch::Contains("host is malformed"));
}

// redact_secrets() only recognises "scheme://", so a mistyped scheme echoes the password.
TEST_CASE("a mistyped scheme does not echo the password", "[endpoint]") {
  CHECK_THAT(parse_error("mysql:/u:Hunter2pw@h/db"), !Catch::Contains("Hunter2pw"));
  CHECK_THAT(parse_error("mysql//u:Hunter2pw@h/db"), !Catch::Contains("Hunter2pw"));
  CHECK_THAT(parse_error("u:Hunter2pw@h/db"), !Catch::Contains("Hunter2pw"));
}

// Userinfo runs to the last '@', so an unencoded '?' or '/' in the password is part of it.
TEST_CASE("an unencoded delimiter in the password stays in the password", "[endpoint]") {
  CHECK(Endpoint::parse("mysql://u:Hunt?er2pw@h/db").password == "Hunt?er2pw");
  CHECK(Endpoint::parse("mysql://u:Hunt/er2pw@h/db").password == "Hunt/er2pw");
  CHECK(Endpoint::parse("mysql://u:Hunt/er2pw@h/db").database == "db");
}

// An IPv6 address without brackets is read as host ":" and port 1 instead of being refused.
TEST_CASE("an unbracketed IPv6 host is refused", "[endpoint]") {
  CHECK_THROWS_AS(Endpoint::parse("mysql://u@::1/db"), ConfigError);
}

TEST_CASE("a password may hold unencoded delimiters, a database may not hold '/'", "[endpoint]") {
  const Endpoint ep = Endpoint::parse("mysql://u:p/a?s#s@w@db.example:3307/shop");
  CHECK(ep.password == "p/a?s#s@w");
  CHECK(ep.host == "db.example");
  CHECK(ep.port == 3307);
  CHECK(ep.database == "shop");
  CHECK_THAT(parse_error("mysql://u:pw@h/db/extra"), Catch::Contains("database name has a '/'"));
  CHECK_THAT(parse_error("mysql://u@::1/db"), Catch::Contains("write it in brackets"));
}
