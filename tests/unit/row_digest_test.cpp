// verify/row_digest and verify/json_canonical: canonical forms per column type, row hashes and
// order-independent digests. Source-side fields are made by the real encoder
// (typemap::append_copy_field); target-side fields are spelled as PostgreSQL 15 prints them.
#include <catch2/catch.hpp>

#include <bit>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "typemap/target_table.hpp"
#include "typemap/value_encoder.hpp"
#include "verify/json_canonical.hpp"
#include "verify/row_digest.hpp"

using my2pg::verify::Canon;
using my2pg::verify::canon_for;
using my2pg::verify::canon_for_type;
using my2pg::verify::canonical_decimal;
using my2pg::verify::canonical_json;
using my2pg::verify::Digest;
using my2pg::verify::hash_bytes;
using my2pg::verify::RowHasher;

namespace {

// The hash of a one-column row whose COPY field is `field` (already COPY-escaped).
uint64_t row_hash(Canon canon, std::string_view field) {
  RowHasher hasher({canon});
  return hasher.hash_line(field);
}

// The canonical text of one COPY field.
std::optional<std::string> canonical(Canon canon, std::string_view field) {
  RowHasher hasher({canon});
  return hasher.fields_of(field, {0}).at(0);
}

// `value` as my2pg's encoder sends it for a text column.
std::string sent_text(std::string_view value) {
  std::string out;
  REQUIRE(my2pg::typemap::append_copy_field({my2pg::typemap::ValueKind::text}, value, out) ==
          nullptr);
  return out;
}

// `value` as PostgreSQL's COPY TO escapes it: \b \f \n \r \t \v and the backslash.
std::string stored_text(std::string_view value) {
  std::string out;
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

void check_same(Canon canon, std::string_view a, std::string_view b) {
  INFO("'" << a << "' and '" << b << "'");
  CHECK(row_hash(canon, a) == row_hash(canon, b));
  CHECK(canonical(canon, a) == canonical(canon, b));
}

void check_differ(Canon canon, std::string_view a, std::string_view b) {
  INFO("'" << a << "' and '" << b << "'");
  CHECK(row_hash(canon, a) != row_hash(canon, b));
}

std::string json(std::string_view text) {
  std::string out;
  if (!canonical_json(text, out)) return "<invalid>";
  return out;
}

std::string decimal(std::string_view text) {
  std::string out;
  if (!canonical_decimal(text, out)) return "<invalid>";
  return out;
}

my2pg::typemap::TargetColumn target_column(std::string sql, my2pg::typemap::ValueKind kind) {
  my2pg::typemap::TargetColumn c;
  c.name = "c";
  c.type.sql = std::move(sql);
  c.codec.kind = kind;
  return c;
}

}  // namespace

TEST_CASE("canon_for_type maps PostgreSQL type names to canonical rules", "[row_digest]") {
  CHECK(canon_for_type("smallint") == Canon::numeric);
  CHECK(canon_for_type("integer") == Canon::numeric);
  CHECK(canon_for_type("bigint") == Canon::numeric);
  CHECK(canon_for_type("numeric(20,0)") == Canon::numeric);
  CHECK(canon_for_type("NUMERIC (10, 2)") == Canon::numeric);
  CHECK(canon_for_type("real") == Canon::float4);
  CHECK(canon_for_type("float(24)") == Canon::float4);
  CHECK(canon_for_type("double precision") == Canon::float8);
  CHECK(canon_for_type("float") == Canon::float8);
  CHECK(canon_for_type("float(25)") == Canon::float8);
  CHECK(canon_for_type("char(10)") == Canon::padded_char);
  CHECK(canon_for_type("character(10)") == Canon::padded_char);
  CHECK(canon_for_type("bpchar") == Canon::padded_char);
  CHECK(canon_for_type("character varying(10)") == Canon::exact);
  CHECK(canon_for_type("varchar(10)") == Canon::exact);
  CHECK(canon_for_type("text") == Canon::exact);
  CHECK(canon_for_type("bytea") == Canon::hex_bytes);
  CHECK(canon_for_type("geometry") == Canon::hex_bytes);
  CHECK(canon_for_type("geometry(Point,4326)") == Canon::hex_bytes);
  CHECK(canon_for_type("public.geometry") == Canon::hex_bytes);
  CHECK(canon_for_type("timestamp(6)") == Canon::timestamp);
  CHECK(canon_for_type("timestamptz(3)") == Canon::timestamp);
  CHECK(canon_for_type("timestamp(6) with time zone") == Canon::timestamp);
  CHECK(canon_for_type("time without time zone") == Canon::fraction_time);
  CHECK(canon_for_type("interval") == Canon::fraction_time);
  CHECK(canon_for_type("interval day to second(3)") == Canon::fraction_time);
  CHECK(canon_for_type("date") == Canon::exact);
  CHECK(canon_for_type("jsonb") == Canon::json);
  CHECK(canon_for_type("json") == Canon::exact);
  CHECK(canon_for_type("uuid") == Canon::lower_text);
  CHECK(canon_for_type("inet") == Canon::inet);
  CHECK(canon_for_type("boolean") == Canon::boolean);
  CHECK(canon_for_type("bit(10)") == Canon::exact);
  CHECK(canon_for_type("integer[]") == Canon::exact);
  CHECK(canon_for_type("\"Shop\".\"Status\"") == Canon::exact);
  CHECK(canon_for_type("mood") == Canon::exact);
}

TEST_CASE("canon_for takes jsonb, PostGIS and boolean conversions from the codec", "[row_digest]") {
  using my2pg::typemap::ValueKind;
  CHECK(canon_for(target_column("jsonb", ValueKind::jsonb)) == Canon::json);
  CHECK(canon_for(target_column("json", ValueKind::text)) == Canon::exact);
  CHECK(canon_for(target_column("geometry", ValueKind::geometry_postgis)) == Canon::hex_bytes);
  CHECK(canon_for(target_column("bytea", ValueKind::geometry_bytea)) == Canon::hex_bytes);
  CHECK(canon_for(target_column("boolean", ValueKind::boolean_from_integer)) == Canon::boolean);
  CHECK(canon_for(target_column("boolean", ValueKind::boolean_from_bit)) == Canon::boolean);
  CHECK(canon_for(target_column("char(3)", ValueKind::text)) == Canon::padded_char);
  CHECK(canon_for(target_column("timestamptz(6)", ValueKind::timestamp)) == Canon::timestamp);
  auto enum_column = target_column("enum", ValueKind::text);
  enum_column.type.kind = my2pg::typemap::TargetKind::pg_enum;
  CHECK(canon_for(enum_column) == Canon::exact);
}

TEST_CASE("exact text compares after COPY unescaping, whoever escaped it", "[row_digest]") {
  const std::string value = "tab\there\nnew\rret\\slash \x0b vt \x01 soh \b\f é ☃";
  CHECK(sent_text(value) != stored_text(value));  // the encoder leaves \v \b \f raw
  check_same(Canon::exact, sent_text(value), stored_text(value));
  check_same(Canon::exact, "\x0b", "\\v");
  check_same(Canon::exact, "\x0b", "\\013");
  check_same(Canon::exact, "\x0b", "\\x0b");
  check_same(Canon::exact, "\x0b", "\\xB");
  check_same(Canon::exact, "A", "\\101");
  check_same(Canon::exact, "xNy", "x\\Ny");     // \N inside a field is just N
  check_same(Canon::exact, "x", "\\x");         // \x without hex digits is x
  check_same(Canon::exact, "q", "\\q");         // any other escaped byte is itself
  check_same(Canon::exact, "a\\tb", "a\\\tb");  // an escaped tab is data, not a separator
  check_same(Canon::exact, "\\\\N", sent_text("\\N"));
  check_differ(Canon::exact, "a", "b");
  check_differ(Canon::exact, "a ", "a");
  check_differ(Canon::exact, "\\\\x0A", "\\\\x0a");
}

TEST_CASE("NULL, empty text and a literal backslash-N text all differ", "[row_digest]") {
  check_differ(Canon::exact, "\\N", "");
  check_differ(Canon::exact, "\\N", "\\\\N");
  check_differ(Canon::exact, "", "\\\\N");
  check_differ(Canon::exact, "\\N", "N");
  CHECK(canonical(Canon::exact, "\\N") == std::nullopt);
  CHECK(canonical(Canon::exact, "") == std::string());
  CHECK(canonical(Canon::exact, "\\\\N") == std::string("\\N"));
  // Field boundaries are part of the hash.
  RowHasher two({Canon::exact, Canon::exact});
  CHECK(two.hash_line("ab\t") != two.hash_line("a\tb"));
  CHECK(two.hash_line("a\tb") != two.hash_line("b\ta"));
  CHECK(two.hash_line("\t\\N") != two.hash_line("\\N\t"));
  CHECK(two.hash_line("\t") != two.hash_line("\\N\t\\N"));
  CHECK(two.hash_line("a\tb") == two.hash_line("a\tb"));
}

TEST_CASE("a row with the wrong number of fields is a TargetError naming both counts",
          "[row_digest]") {
  RowHasher hasher({Canon::exact, Canon::numeric});
  CHECK_THROWS_AS(hasher.hash_line("1"), my2pg::TargetError);
  CHECK_THROWS_WITH(hasher.hash_line("1"),
                    Catch::Contains("1 field(s)") && Catch::Contains("2 were expected"));
  CHECK_THROWS_WITH(hasher.hash_line("a\tb\tc"), Catch::Contains("3 field(s)"));
  CHECK_THROWS_WITH(hasher.hash_line("a\\\tb"), Catch::Contains("1 field(s)"));
  CHECK_THROWS_AS(hasher.fields_of("1", {0}), my2pg::TargetError);
  CHECK_THROWS_AS(hasher.fields_of("1\t2", {2}), my2pg::Error);
  CHECK_NOTHROW(hasher.hash_line("a\t1"));
  RowHasher none({});
  CHECK_NOTHROW(none.hash_line(""));
  CHECK_THROWS_AS(none.hash_line("x"), my2pg::TargetError);
  // Field by field (binary COPY rows): the same count is required, and the same hash results.
  hasher.begin_row();
  hasher.add_value("a");
  CHECK_THROWS_WITH(hasher.end_row(), Catch::Contains("1 field(s)"));
  hasher.begin_row();
  hasher.add_value("a");
  hasher.add_null();
  CHECK(hasher.end_row() == hasher.hash_line("a\t\\N"));
}

TEST_CASE("numeric compares by value: zero fill, sign of zero, scale, exponent", "[row_digest]") {
  check_same(Canon::numeric, "-0.00", "0.00");
  check_same(Canon::numeric, "-0", "0");
  check_same(Canon::numeric, "00000042", "42");  // INT ZEROFILL as MariaDB sends it
  check_same(Canon::numeric, "1.50", "1.5");
  check_same(Canon::numeric, "1e20", "100000000000000000000");
  check_same(Canon::numeric, "-1.5", "-1.50");
  CHECK(canonical(Canon::numeric, "-0.00") == std::string("0"));
  CHECK(canonical(Canon::numeric, "-12345.678900") == std::string("-12345.6789"));
  CHECK(canonical(Canon::numeric, "NaN") == std::string("NaN"));
  check_differ(Canon::numeric, "1", "-1");
  check_differ(Canon::numeric, "1.5", "1.05");
  check_differ(Canon::numeric, "18446744073709551615", "18446744073709551614");
  check_differ(Canon::numeric, "-9223372036854775808", "9223372036854775808");
  check_differ(Canon::numeric, "NaN", "0");
}

TEST_CASE("canonical_decimal spells each value one way", "[row_digest]") {
  CHECK(decimal("0001.500") == "1.5");
  CHECK(decimal("-0.00") == "0");
  CHECK(decimal("+7") == "7");
  CHECK(decimal(".5") == "0.5");
  CHECK(decimal("5.") == "5");
  CHECK(decimal("1.5e-3") == "0.0015");
  CHECK(decimal("15e-1") == "1.5");
  CHECK(decimal("1E+2") == "100");
  CHECK(decimal("1e20") == "100000000000000000000");
  CHECK(decimal("1e100") == "1e+100");
  CHECK(decimal("-12.5e-50") == "-1.25e-49");
  CHECK(decimal("0.0e5") == "0");
  CHECK(decimal("123456789012345678901234567890.123456789") ==
        "123456789012345678901234567890.123456789");
  for (const char* bad : {"", "-", ".", "1e", "1e+", "abc", "1..2", "1.2.3", "NaN", "Infinity",
                          " 1", "1 ", "1e9999999999", "--1", "0x10"}) {
    INFO("'" << bad << "'");
    CHECK(decimal(bad) == "<invalid>");
  }
}

TEST_CASE("float4 compares the float PostgreSQL's real input makes of the text", "[row_digest]") {
  // FLOAT read widened to DOUBLE by MariaDB, against real as PostgreSQL prints it.
  check_same(Canon::float4, "1.100000023841858", "1.1");
  check_same(Canon::float4, "3.4028234663852886e38", "3.4028235e+38");
  check_same(Canon::float4, "0.000009999999747378752", "1e-05");
  check_same(Canon::float4, "1.0000000200408773e20", "1e+20");
  check_same(Canon::float4, "-0", "-0");
  check_same(Canon::float4, "NaN", "nan");
  check_same(Canon::float4, "Infinity", "inf");
  check_same(Canon::float4, "+1.5", "1.5");
  CHECK(canonical(Canon::float4, "1.100000023841858") == std::string("1.1"));
  CHECK(canonical(Canon::float4, "-infinity") == std::string("-Infinity"));
  check_differ(Canon::float4, "1.1", "1.1000001");
  check_differ(Canon::float4, "-0", "0");
  check_differ(Canon::float4, "Infinity", "-Infinity");
  check_differ(Canon::float4, "1e39", "Infinity");  // out of range: kept as text
}

TEST_CASE("float8 compares the double, printed shortest", "[row_digest]") {
  check_same(Canon::float8, "1e20", "1e+20");
  check_same(Canon::float8, "0.00001", "1e-05");
  check_same(Canon::float8, "1.7976931348623157e308", "1.7976931348623157e+308");
  check_same(Canon::float8, "-1.7976931348623157e308", "-1.7976931348623157e+308");
  check_same(Canon::float8, "4.9e-324", "5e-324");
  check_same(Canon::float8, "100", "1e2");
  CHECK(canonical(Canon::float8, "1e20") == std::string("1e+20"));
  CHECK(canonical(Canon::float8, "NaN") == std::string("NaN"));
  check_differ(Canon::float8, "0.30000000000000004", "0.3");
  check_differ(Canon::float8, "-0", "0");
  check_differ(Canon::float8, "1.0000000000000002", "1");
  check_differ(Canon::float8, "+-1", "-1");
}

TEST_CASE("padded_char drops trailing spaces only", "[row_digest]") {
  check_same(Canon::padded_char, "ab", "ab        ");
  check_same(Canon::padded_char, "", "     ");
  check_same(Canon::padded_char, "a\\tb", "a\\tb  ");
  CHECK(canonical(Canon::padded_char, "ab   ") == std::string("ab"));
  check_differ(Canon::padded_char, " a", "a");
  check_differ(Canon::padded_char, "a\\t", "a");
  check_differ(Canon::padded_char, "a", "b");
  check_differ(Canon::padded_char, "", "\\N");
}

TEST_CASE("hex_bytes folds hex case, bytea and PostGIS EWKB alike", "[row_digest]") {
  std::string sent;
  REQUIRE(my2pg::typemap::append_copy_field({my2pg::typemap::ValueKind::bytes},
                                            std::string("\x0a\x0b\0\xff", 4), sent) == nullptr);
  check_same(Canon::hex_bytes, sent, "\\\\x0a0b00ff");
  check_same(Canon::hex_bytes, "\\\\x0A0B00FF", "\\\\x0a0b00ff");
  check_same(Canon::hex_bytes, "0101000020E6100000", "0101000020e6100000");
  check_differ(Canon::hex_bytes, "\\\\x", "\\\\x00");
  check_differ(Canon::hex_bytes, "\\\\x0a0b", "\\\\x0a0c");
}

TEST_CASE("fraction_time drops trailing zeros of fractional seconds", "[row_digest]") {
  check_same(Canon::fraction_time, "2024-01-01 10:00:00.500000", "2024-01-01 10:00:00.5");
  check_same(Canon::fraction_time, "2024-01-01 10:00:00.000", "2024-01-01 10:00:00");
  check_same(Canon::fraction_time, "2024-01-01 10:00:00.500000+00", "2024-01-01 10:00:00.5+00");
  check_same(Canon::fraction_time, "-838:59:59.000000", "-838:59:59");
  check_same(Canon::fraction_time, "-00:00:00.500000", "-00:00:00.5");
  check_same(Canon::fraction_time, "100:15:30.5", "100:15:30.50");
  CHECK(canonical(Canon::fraction_time, "10:00:00.120000") == std::string("10:00:00.12"));
  CHECK(canonical(Canon::fraction_time, "10:00:00.") == std::string("10:00:00."));
  check_differ(Canon::fraction_time, "10:00:00.5", "10:00:00.05");
  check_differ(Canon::fraction_time, "10:00:00.10", "10:00:00.01");
  check_differ(Canon::fraction_time, "10:00:00", "10:00:01");
  check_differ(Canon::fraction_time, "2024-01-01 10:00:00+00", "2024-01-01 10:00:00");
}

TEST_CASE("timestamp compares the instant: fraction zeros, a UTC offset, a bare date",
          "[row_digest]") {
  // TIMESTAMP into timestamp(tz), DATETIME into timestamptz, DATE into timestamp.
  check_same(Canon::timestamp, "2024-01-01 10:00:00.500000+00", "2024-01-01 10:00:00.5");
  check_same(Canon::timestamp, "2024-01-01 10:00:00.500000+00", "2024-01-01 10:00:00.5+00");
  check_same(Canon::timestamp, "2024-01-01 10:00:00", "2024-01-01 10:00:00+00");
  check_same(Canon::timestamp, "2020-02-29", "2020-02-29 00:00:00");
  check_same(Canon::timestamp, "-infinity", "-infinity");
  check_differ(Canon::timestamp, "2020-02-29", "2020-02-29 00:00:01");
  check_differ(Canon::timestamp, "2024-01-01 10:00:00.5", "2024-01-01 10:00:00.05");
  check_differ(Canon::timestamp, "2024-01-01 10:00:00+00", "2024-01-01 11:00:00");
}

TEST_CASE("canonical_json prints a document as jsonb stores it", "[row_digest]") {
  CHECK(json(R"({ "b" : [1.50, 1e2, 1E+2, -0, 0.0e5, 12e-1], "a": "x" , "b": true})") ==
        R"({"a":"x","b":true})");
  CHECK(json(R"({"b": [1.50, 1e2, -0, 0.0e5, 12e-1]})") == R"({"b":[1.5,100,0,0,1.2]})");
  CHECK(json(R"("\u00e9\ud83d\ude00\u001f\/\"\\\b\f\n\r\t")") ==
        "\"é😀\\u001f/\\\"\\\\\\u0008\\u000c\\u000a\\u000d\\u0009\"");
  CHECK(json(R"({"z":{"y":1,"x":[{"b":2,"a":1}]},"a":null})") ==
        R"({"a":null,"z":{"x":[{"a":1,"b":2}],"y":1}})");
  CHECK(json(" [ ] ") == "[]");
  CHECK(json("{}") == "{}");
  CHECK(json("false") == "false");
  CHECK(json("-0.000") == "0");
  CHECK(json(R"({"a":1,"a":2,"a":3})") == R"({"a":3})");
  CHECK(json(R"({"":1})") == R"({"":1})");
  std::string deep(1000, '[');
  deep.append(1000, ']');
  CHECK(json(deep) == deep);
  CHECK(json("[" + deep + "]") == "<invalid>");
  for (const char* bad :
       {"",        "{",        "[1,]", "{\"a\" 1}",   "{\"a\":1,}",  "01",
        "1.",      ".5",       "+1",   "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"\\x\"", "\"a\tb\"", "tru",  "nul",         "[1] x",       "{'a':1}",
        "\"abc",   "1e"}) {
    INFO("'" << bad << "'");
    CHECK(json(bad) == "<invalid>");
  }
}

TEST_CASE("json columns compare MariaDB's text with PostgreSQL's jsonb output", "[row_digest]") {
  // Left: the document as MariaDB keeps it, through the encoder. Right: jsonb's COPY output.
  const auto same = [](std::string_view mariadb, std::string_view jsonb) {
    check_same(Canon::json, sent_text(mariadb), stored_text(jsonb));
  };
  same(R"({"b": 1.50, "a": [1e2, 1E+2, -0, 0.0e5, "\u00e9\n\u001f\/"], "b": 2})",
       R"({"a": [100, 100, 0, 0, "é\n\u001f/"], "b": 2})");
  same(R"({"a":"x","a":"y"})", R"({"a": "y"})");
  same("{\n\t\"k\" : [ 1 , 2 ]\r\n}", R"({"k": [1, 2]})");
  same(R"({"long key":1,"b":2})", R"({"b": 2, "long key": 1})");
  same(R"("tab\there")", R"("tab\there")");
  same(R"(1.50)", R"(1.50)");
  const auto differ = [](std::string_view a, std::string_view b) {
    check_differ(Canon::json, sent_text(a), sent_text(b));
  };
  differ(R"({"a":1})", R"({"a":2})");
  differ(R"({"a":"1"})", R"({"a":1})");
  differ(R"([1,2])", R"([2,1])");
  differ(R"({"a":1,"a":2})", R"({"a":1})");
  differ(R"({"a":null})", R"({})");
  differ(R"("é")", R"("e")");
  // Invalid JSON is compared as it is.
  check_same(Canon::json, "{\"a\":", "{\"a\":");
  check_differ(Canon::json, "{\"a\":", "{\"a\": ");
  CHECK(canonical(Canon::json, "{\"a\":") == std::string("{\"a\":"));
}

TEST_CASE("uuid, inet and boolean texts compare by value", "[row_digest]") {
  check_same(Canon::lower_text, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
             "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  check_differ(Canon::lower_text, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
               "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12");
  check_same(Canon::inet, "::ffff:1.2.3.4", "::FFFF:1.2.3.4");
  check_same(Canon::inet, "::ffff:1.2.3.4", "::ffff:102:304");
  check_same(Canon::inet, "2001:DB8::1", "2001:db8:0:0:0:0:0:1");
  check_same(Canon::inet, "1.2.3.4", "1.2.3.4/32");
  check_same(Canon::inet, "::1", "::1/128");
  check_differ(Canon::inet, "1.2.3.4/24", "1.2.3.4");
  check_differ(Canon::inet, "1.2.3.4", "::ffff:1.2.3.4");
  check_differ(Canon::inet, "::1", "::2");
  for (const char* yes : {"t", "true", "TRUE", "yes", "y", "on", "1", " tr "}) {
    check_same(Canon::boolean, "t", yes);
  }
  for (const char* no : {"f", "false", "no", "n", "off", "of", "0", "FALSE"}) {
    check_same(Canon::boolean, "f", no);
  }
  check_differ(Canon::boolean, "t", "f");
  check_differ(Canon::boolean, "t", "o");  // ambiguous: kept as text
}

TEST_CASE("fields_of gives the canonical text of chosen columns", "[row_digest]") {
  RowHasher hasher({Canon::numeric, Canon::padded_char, Canon::json, Canon::exact});
  const std::string line = "-0.00\tab  \t{\"b\": 1, \"a\": \"\\\\u00e9\"}\t\\N";
  const auto fields = hasher.fields_of(line, {0, 1, 2, 3, 1});
  REQUIRE(fields.size() == 5);
  CHECK(fields[0] == std::string("0"));
  CHECK(fields[1] == std::string("ab"));
  CHECK(fields[2] == std::string("{\"a\":\"é\",\"b\":1}"));
  CHECK(fields[3] == std::nullopt);
  CHECK(fields[4] == std::string("ab"));
  CHECK(hasher.fields_of(line, {}).empty());
}

TEST_CASE("Digest is order independent and counts duplicates", "[row_digest]") {
  const std::vector<uint64_t> hashes = {hash_bytes("a"), hash_bytes("b"), hash_bytes("c"),
                                        hash_bytes("a")};
  Digest forward, backward;
  for (const uint64_t h : hashes) forward.add(h);
  for (auto it = hashes.rbegin(); it != hashes.rend(); ++it) backward.add(*it);
  CHECK(forward == backward);
  CHECK(forward.rows == 4);

  Digest aab, abb, ab, a;
  for (const char* s : {"a", "a", "b"}) aab.add(hash_bytes(s));
  for (const char* s : {"a", "b", "b"}) abb.add(hash_bytes(s));
  for (const char* s : {"a", "b"}) ab.add(hash_bytes(s));
  a.add(hash_bytes("a"));
  CHECK(aab != abb);
  CHECK(aab.rows == abb.rows);
  CHECK(ab != a);

  Digest first, second, all;
  for (int i = 0; i < 100; ++i) {
    const uint64_t h = hash_bytes(std::to_string(i));
    (i % 3 == 0 ? first : second).add(h);
    all.add(h);
  }
  Digest merged = first;
  merged.merge(second);
  CHECK(merged == all);
  merged.merge(Digest{});
  CHECK(merged == all);
}

TEST_CASE("Digest text round-trips and parse refuses anything else", "[row_digest]") {
  CHECK(Digest{}.text() == "0:0000000000000000:0000000000000000");
  Digest d;
  for (int i = 0; i < 10; ++i) d.add(hash_bytes(std::to_string(i)));
  const std::string text = d.text();
  CHECK(text.starts_with("10:"));
  CHECK(Digest::parse(text) == d);
  CHECK(Digest::parse(Digest{}.text()) == Digest{});
  const Digest big{18446744073709551615ULL, 0xffffffffffffffffULL, 0x0123456789abcdefULL};
  CHECK(big.text() == "18446744073709551615:ffffffffffffffff:0123456789abcdef");
  CHECK(Digest::parse(big.text()) == big);
  for (const char* bad :
       {"", "1", "1:", "1:0123456789abcdef", "1:0123456789abcdef:", "1:0123456789ABCDEF:0",
        "01:0000000000000000:0000000000000000", "-1:0000000000000000:0000000000000000",
        "+1:0000000000000000:0000000000000000",
        "1:0000000000000000:0000000000000000:", "1:000000000000000:00000000000000000",
        "18446744073709551616:0000000000000000:"
        "0000000000000000",
        "1:000000000000000g:0000000000000000", " 1:0000000000000000:0000000000000000"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(Digest::parse(bad));
  }
}

TEST_CASE("hash_bytes separates short inputs and mixes every bit", "[row_digest]") {
  std::set<uint64_t> seen;
  seen.insert(hash_bytes(""));
  for (int i = 0; i < 256; ++i) seen.insert(hash_bytes(std::string(1, static_cast<char>(i))));
  for (int i = 0; i < 65536; ++i) {
    const char two[2] = {static_cast<char>(i & 0xFF), static_cast<char>(i >> 8)};
    seen.insert(hash_bytes(std::string_view(two, 2)));
  }
  for (size_t n = 3; n <= 64; ++n) seen.insert(hash_bytes(std::string(n, '\0')));
  CHECK(seen.size() == 1 + 256 + 65536 + 62);

  CHECK(hash_bytes("abc", 1) != hash_bytes("abc", 2));
  CHECK(hash_bytes("abc") == hash_bytes("abc"));

  // Avalanche: flipping any one input bit changes about half of the output bits.
  for (const size_t n : {3UL, 7UL, 8UL, 15UL, 16UL, 17UL, 40UL, 100UL}) {
    std::string input(n, 'x');
    for (size_t i = 0; i < n; ++i) input[i] = static_cast<char>('a' + i % 26);
    const uint64_t base = hash_bytes(input);
    int total = 0, least = 64, most = 0;
    for (size_t bit = 0; bit < n * 8; ++bit) {
      std::string flipped = input;
      flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
      const int changed = std::popcount(base ^ hash_bytes(flipped));
      total += changed;
      least = std::min(least, changed);
      most = std::max(most, changed);
    }
    INFO(n << " bytes: least " << least << ", most " << most);
    CHECK(least >= 14);
    CHECK(most <= 50);
    const double mean = static_cast<double>(total) / static_cast<double>(n * 8);
    CHECK(mean > 30.0);
    CHECK(mean < 34.0);
  }
}

TEST_CASE("hash_bytes and row hashes are fixed: digests are stored and compared later",
          "[row_digest]") {
  CHECK(hash_bytes("") == 0x1d2236343c05036eULL);
  CHECK(hash_bytes("my2pg") == 0x96bdf58ff5a97370ULL);
  CHECK(hash_bytes("The quick brown fox jumps over the lazy dog") == 0x111db440836aa4d8ULL);
  RowHasher sysbench({Canon::numeric, Canon::numeric, Canon::padded_char, Canon::padded_char});
  CHECK(hash_bytes(std::string(100, 'x'), 7) == 0xfe09f2a8ba630c8fULL);
  CHECK(sysbench.hash_line("1\t42\tabc  \t\\N") == 0x407a77b802135e9cULL);
  CHECK(sysbench.hash_line("1\t42\tabc\t\\N") == 0x407a77b802135e9cULL);
}
