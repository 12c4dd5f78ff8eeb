// Column text to UTF-8: collation ids of both servers, built-in and iconv conversions, and the
// refusals that keep bad bytes from being changed silently.
#include <catch2/catch.hpp>

#include <string>

#include "binlog/charset.hpp"

using namespace my2pg::binlog;

namespace {

std::string utf8(std::string_view bytes, Charset from) {
  std::string out;
  if (!append_utf8(bytes, from, out)) return "<refused>";
  return out;
}

}  // namespace

TEST_CASE("collation ids map to their character sets on MySQL and MariaDB", "[binlog][charset]") {
  CHECK(charset_of_collation(8) == Charset::latin1);  // latin1_swedish_ci
  CHECK(charset_of_collation(9) == Charset::latin2);
  CHECK(charset_of_collation(33) == Charset::utf8);  // utf8mb3_general_ci
  CHECK(charset_of_collation(45) == Charset::utf8);  // utf8mb4_general_ci
  CHECK(charset_of_collation(63) == Charset::binary);
  CHECK(charset_of_collation(255) == Charset::utf8);  // MySQL 8 utf8mb4_0900_ai_ci
  CHECK(charset_of_collation(323) == Charset::utf8);
  CHECK(charset_of_collation(248) == Charset::gb18030);  // MySQL 8
  CHECK(charset_of_collation(35) == Charset::ucs2);
  CHECK(charset_of_collation(2304) == Charset::utf8);  // MariaDB 11 utf8mb4_uca1400_ai_ci
  CHECK(charset_of_collation(2560) == Charset::ucs2);  // MariaDB 11 ucs2_uca1400_ai_ci
  CHECK(charset_of_collation(3072) == Charset::utf32);
  CHECK(charset_of_collation(37) == Charset::other);  // keybcs2: no converter
  CHECK(charset_of_collation(0) == Charset::other);
  CHECK(charset_of_collation(99999) == Charset::other);
  CHECK(charset_name(Charset::latin2) == "latin2");
}

TEST_CASE("text converts to UTF-8 exactly", "[binlog][charset]") {
  CHECK(utf8("caf\xC3\xA9 \xF0\x9F\x98\x80", Charset::utf8) == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(utf8("\x80\x9F\xE9", Charset::latin1) == "\xE2\x82\xAC\xC5\xB8\xC3\xA9");  // €Ÿé: cp1252
  CHECK(utf8("\x81", Charset::latin1) == "\xC2\x81");
  CHECK(utf8("\xB3\xF3\x64\xBC", Charset::latin2) == "\xC5\x82\xC3\xB3\x64\xC5\xBA");  // łódź
  CHECK(utf8("\xC6\xE0", Charset::cp1251) == "\xD0\x96\xD0\xB0");                      // Жа
  CHECK(utf8(std::string("\x00h\x00\xE9", 4), Charset::ucs2) == "h\xC3\xA9");
  CHECK(utf8(std::string("\xD8\x3D\xDE\x00", 4), Charset::utf16) == "\xF0\x9F\x98\x80");
  CHECK(utf8(std::string("\x3D\xD8\x00\xDE", 4), Charset::utf16le) == "\xF0\x9F\x98\x80");
  CHECK(utf8(std::string("\x00\x01\xF6\x00", 4), Charset::utf32) == "\xF0\x9F\x98\x80");
  CHECK(utf8("plain", Charset::ascii) == "plain");
  CHECK(utf8("", Charset::sjis).empty());
}

TEST_CASE("bytes that are not valid in their character set are refused", "[binlog][charset]") {
  CHECK(utf8("\xC3", Charset::utf8) == "<refused>");              // truncated sequence
  CHECK(utf8("\xC0\xAF", Charset::utf8) == "<refused>");          // overlong
  CHECK(utf8("\xED\xA0\x80", Charset::utf8) == "<refused>");      // surrogate
  CHECK(utf8("\xF4\x90\x80\x80", Charset::utf8) == "<refused>");  // beyond U+10FFFF
  CHECK(utf8("\xE9", Charset::ascii) == "<refused>");
  CHECK(utf8(std::string(1, '\0'), Charset::ucs2) == "<refused>");                 // odd length
  CHECK(utf8(std::string("\xDC\x00\x00\x41", 4), Charset::utf16) == "<refused>");  // lone low
  CHECK(utf8("\x81", Charset::sjis) == "<refused>");  // incomplete double byte
  CHECK(utf8("abc", Charset::binary) == "<refused>");
  CHECK(utf8("abc", Charset::other) == "<refused>");
}
