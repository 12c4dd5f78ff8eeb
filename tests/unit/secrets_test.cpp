// common/secrets: redact_secrets() and percent_decode().
#include <catch2/catch.hpp>

#include <string>

#include "common/error.hpp"
#include "common/secrets.hpp"

using my2pg::ConfigError;
using my2pg::percent_decode;
using my2pg::redact_secrets;

TEST_CASE("redact_secrets masks the password of a URI", "[secrets]") {
  CHECK(redact_secrets("mysql://u:pw@h:1/db") == "mysql://u:***@h:1/db");
  CHECK(redact_secrets("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db");
  CHECK(redact_secrets("mariadb://app:secret@[::1]:3307/shop?socket=/x") ==
        "mariadb://app:***@[::1]:3307/shop?socket=/x");
  // An unencoded '@' in the password: everything up to the last '@' of the authority is masked.
  CHECK(redact_secrets("mysql://u:p@ss@h/db") == "mysql://u:***@h/db");
  // An empty user still hides the password.
  CHECK(redact_secrets("postgresql://:pw@h/db") == "postgresql://:***@h/db");
}

TEST_CASE("redact_secrets leaves URIs without a password unchanged", "[secrets]") {
  CHECK(redact_secrets("mysql://u@h:3306/db") == "mysql://u@h:3306/db");
  CHECK(redact_secrets("postgresql://h:5432/db") == "postgresql://h:5432/db");
  // Deliberately over-masked: userinfo runs to the last '@', since passwords often hold '/'.
  CHECK(redact_secrets("http://example.com:8080/a@b") == "http://example.com:***@b");
  CHECK(redact_secrets("://u:pw@h") == "://u:pw@h");  // no scheme before "://": not a URI
  CHECK(redact_secrets("") == "");
}

TEST_CASE("redact_secrets masks conninfo passwords", "[secrets]") {
  CHECK(redact_secrets("host=x password=secret user=u") == "host=x password=*** user=u");
  CHECK(redact_secrets("password=secret") == "password=***");
  CHECK(redact_secrets("host=x password=") == "host=x password=***");
  CHECK(redact_secrets(R"(password = 'se cr\'et' dbname=d)") == "password = *** dbname=d");
  CHECK(redact_secrets("password='a b'") == "password=***");
  // An unterminated quoted value is masked to the end of the text.
  CHECK(redact_secrets("password='abc dbname=d") == "password=***");
  CHECK(redact_secrets(R"(password='abc\)") == "password=***");
  // A password passed as a URI query parameter is a conninfo keyword too.
  CHECK(redact_secrets("postgresql://h/db?password=secret") == "postgresql://h/db?password=***");
}

TEST_CASE("redact_secrets masks every secret in a longer text", "[secrets]") {
  const std::string text =
      "copy from mysql://root:r00t@10.0.0.1:3306/shop to host=pg password=pgpw dbname=shop "
      "failed; retry with postgresql://app:s3cret@pg/shop\npassword='x y' again";
  CHECK(redact_secrets(text) ==
        "copy from mysql://root:***@10.0.0.1:3306/shop to host=pg password=*** dbname=shop "
        "failed; retry with postgresql://app:***@pg/shop\npassword=*** again");
}

TEST_CASE("redact_secrets leaves the word password alone when no value follows", "[secrets]") {
  CHECK(redact_secrets("passwords must be rotated") == "passwords must be rotated");
  CHECK(redact_secrets("wrong password for user u") == "wrong password for user u");
  CHECK(redact_secrets("password: unchanged") == "password: unchanged");
  // Not at a word start: "xpassword=..." is some other key.
  CHECK(redact_secrets("xpassword=abc") == "xpassword=abc");
}

TEST_CASE("percent_decode decodes %XX escapes", "[secrets]") {
  CHECK(percent_decode("") == "");
  CHECK(percent_decode("plain") == "plain");
  CHECK(percent_decode("p%40ss") == "p@ss");
  CHECK(percent_decode("%3a%3A") == "::");
  CHECK(percent_decode("100%25") == "100%");
  CHECK(percent_decode("%2F%3F%23") == "/?#");
  CHECK(percent_decode("a%20b") == "a b");
  const std::string nul_and_ff = percent_decode("%00%ff");
  REQUIRE(nul_and_ff.size() == 2);
  CHECK(nul_and_ff[0] == '\0');
  CHECK(static_cast<unsigned char>(nul_and_ff[1]) == 0xff);
}

TEST_CASE("percent_decode refuses malformed escapes", "[secrets]") {
  CHECK_THROWS_AS(percent_decode("%"), ConfigError);
  for (const char* text : {"%", "abc%4", "%zz", "%4g", "%g4", "100%", "a%2"}) {
    INFO(text);
    CHECK_THROWS_WITH(percent_decode(text),
                      Catch::Equals("malformed %-escape in a connection URI; encode '%' as %25"));
  }
  try {
    percent_decode("%");
    FAIL("no exception");
  } catch (const ConfigError& e) {
    CHECK(e.exit_code() == my2pg::ExitCode::usage);
  }
}

TEST_CASE("redact_secrets masks passwords with characters that end the authority", "[secrets]") {
  // Endpoint::parse accepts "Hunt#er2pw" as the password of this URI, but it is not masked.
  CHECK(redact_secrets("mysql://u:Hunt#er2pw@h/db") == "mysql://u:***@h/db");
  CHECK(redact_secrets("postgresql://u:pa/ss@h/db") == "postgresql://u:***@h/db");
}

TEST_CASE("redact_secrets allows any whitespace around '=' as libpq does", "[secrets]") {
  CHECK(redact_secrets("host=x password\t=\tsecret") == "host=x password\t=\t***");
}
