// typemap/value_encoder: codec_for() and append_copy_field().
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "schema/table.hpp"
#include "typemap/value_encoder.hpp"

using my2pg::schema::Column;
using my2pg::typemap::append_copy_field;
using my2pg::typemap::codec_for;
using my2pg::typemap::ColumnCodec;
using my2pg::typemap::ValueKind;

namespace {

struct Encoded {
  std::string out;
  std::optional<std::string> reason;  // set when append_copy_field refused the value
};

// Encodes `value` after a "prefix|" so that a refusal can be checked not to touch earlier output.
Encoded encode(ColumnCodec codec, std::string_view value) {
  Encoded e{"prefix|", std::nullopt};
  if (const char* why = append_copy_field(codec, value, e.out)) e.reason = why;
  if (e.out.starts_with("prefix|")) e.out.erase(0, 7);
  return e;
}

Column column(std::string data_type, std::optional<int64_t> precision = std::nullopt) {
  Column c;
  c.name = "c";
  c.data_type = std::move(data_type);
  c.column_type = c.data_type;
  c.precision = precision;
  return c;
}

}  // namespace

TEST_CASE("plain values are copied unchanged", "[value_encoder]") {
  const ColumnCodec plain{ValueKind::plain};
  CHECK(encode(plain, "-128").out == "-128");
  CHECK(encode(plain, "18446744073709551615").out == "18446744073709551615");
  CHECK(encode(plain, "-12345.678900").out == "-12345.678900");
  CHECK(encode(plain, "1.5e-07").out == "1.5e-07");
  CHECK(encode(plain, "2155").out == "2155");
  CHECK_FALSE(encode(plain, "0").reason);
}

TEST_CASE("text values are escaped for COPY text format", "[value_encoder]") {
  const ColumnCodec text{ValueKind::text};
  CHECK(encode(text, "plain text").out == "plain text");
  CHECK(encode(text, "a\\b").out == "a\\\\b");
  CHECK(encode(text, "a\tb").out == "a\\tb");
  CHECK(encode(text, "a\nb").out == "a\\nb");
  CHECK(encode(text, "a\rb").out == "a\\rb");
  CHECK(encode(text, "\\.").out == "\\\\.");
  CHECK(encode(text, "\\N").out == "\\\\N");
  CHECK(encode(text, "").out.empty());
  CHECK(encode(text, "caf\xc3\xa9 \xe2\x82\xac").out == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(encode(text, "\t\\\r\n").out == "\\t\\\\\\r\\n");
  CHECK_FALSE(encode(text, "x").reason);
}

TEST_CASE("text with a NUL byte is refused", "[value_encoder]") {
  const Encoded e = encode({ValueKind::text}, std::string_view("ab\0cd", 5));
  REQUIRE(e.reason);
  CHECK(*e.reason == "text contains a NUL byte, which PostgreSQL text cannot store");
  CHECK(e.out.empty());
}

TEST_CASE("bytes become bytea hex with the backslash doubled for COPY", "[value_encoder]") {
  const ColumnCodec bytes{ValueKind::bytes};
  const Encoded e = encode(bytes, std::string_view("\x00\xff", 2));
  CHECK_FALSE(e.reason);
  CHECK(e.out == "\\\\x00ff");
  CHECK(e.out.size() == 7);  // '\' '\' 'x' '0' '0' 'f' 'f'
  CHECK(encode(bytes, "").out == "\\\\x");
  CHECK(encode(bytes, "AZ\n\\").out == "\\\\x415a0a5c");
  CHECK(encode(bytes, std::string_view("\x01\x23\x45\x67\x89\xab\xcd\xef", 8)).out ==
        "\\\\x0123456789abcdef");
}

TEST_CASE("BIT values become bit strings of the column width", "[value_encoder]") {
  CHECK(encode({ValueKind::bits, 10}, "\x02\xab").out == "1010101011");
  CHECK(encode({ValueKind::bits, 1}, std::string_view("\x01", 1)).out == "1");
  CHECK(encode({ValueKind::bits, 1}, std::string_view("\x00", 1)).out == "0");
  CHECK(encode({ValueKind::bits, 8}, "\x80").out == "10000000");
  CHECK(encode({ValueKind::bits, 16}, "\x02\xab").out == "0000001010101011");
  CHECK(
      encode({ValueKind::bits, 64}, std::string_view("\xff\x00\x0f\x00\xff\x00\xff\x01", 8)).out ==
      "1111111100000000000011110000000011111111000000001111111100000001");
  CHECK_FALSE(encode({ValueKind::bits, 10}, "\x02\xab").reason);
}

TEST_CASE("BIT values shorter than the width are refused", "[value_encoder]") {
  const std::string reason = "BIT value is shorter than its column width";
  const Encoded longer = encode({ValueKind::bits, 17}, "\x02\xab");
  REQUIRE(longer.reason);
  CHECK(*longer.reason == reason);
  CHECK(longer.out.empty());
  CHECK(encode({ValueKind::bits, 1}, "").reason == reason);
  CHECK(encode({ValueKind::bits, 0}, "\x01").reason == reason);
}

TEST_CASE("dates pass unchanged, timestamps get +00", "[value_encoder]") {
  CHECK(encode({ValueKind::date}, "2020-02-29").out == "2020-02-29");
  CHECK(encode({ValueKind::datetime}, "2020-01-01 10:00:00").out == "2020-01-01 10:00:00");
  CHECK(encode({ValueKind::datetime}, "9999-12-31 23:59:59.999999").out ==
        "9999-12-31 23:59:59.999999");
  CHECK(encode({ValueKind::timestamp}, "1970-01-01 00:00:01").out == "1970-01-01 00:00:01+00");
  CHECK(encode({ValueKind::timestamp}, "2038-01-19 03:14:07.5").out == "2038-01-19 03:14:07.5+00");
  CHECK_FALSE(encode({ValueKind::date}, "1000-01-01").reason);
}

TEST_CASE("zero and partly-zero dates are refused", "[value_encoder]") {
  const std::string reason = "zero or partly-zero date, which PostgreSQL cannot store";
  for (const ValueKind kind : {ValueKind::date, ValueKind::datetime, ValueKind::timestamp}) {
    for (const char* value :
         {"0000-00-00", "2020-00-10", "2020-01-00", "0000-01-01", "2020-01-00 10:00:00",
          "0000-00-00 00:00:00", "2020-00-01 00:00:00.5"}) {
      INFO("kind " << static_cast<int>(kind) << " value " << value);
      const Encoded e = encode({kind}, value);
      REQUIRE(e.reason);
      CHECK(*e.reason == reason);
      CHECK(e.out.empty());
    }
  }
}

TEST_CASE("TIME values pass unchanged", "[value_encoder]") {
  const ColumnCodec time{ValueKind::time};
  CHECK(encode(time, "-838:59:59").out == "-838:59:59");
  CHECK(encode(time, "838:59:59").out == "838:59:59");
  CHECK(encode(time, "100:15:30.5").out == "100:15:30.5");
  CHECK(encode(time, "00:00:00").out == "00:00:00");
  CHECK_FALSE(encode(time, "-00:00:01").reason);
}

TEST_CASE("codec_for picks the value kind from the MySQL data type", "[value_encoder]") {
  for (const char* t : {"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float",
                        "double", "year"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::plain);
  }
  const ColumnCodec bit = codec_for(column("bit", 10));
  CHECK(bit.kind == ValueKind::bits);
  CHECK(bit.bits == 10);
  CHECK(codec_for(column("bit", 64)).bits == 64);
  CHECK(codec_for(column("bit")).bits == 0);
  CHECK(codec_for(column("date")).kind == ValueKind::date);
  CHECK(codec_for(column("datetime")).kind == ValueKind::datetime);
  CHECK(codec_for(column("timestamp")).kind == ValueKind::timestamp);
  CHECK(codec_for(column("time")).kind == ValueKind::time);
  for (const char* t :
       {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry", "point",
        "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
        "geometrycollection", "geomcollection"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::bytes);
  }
  for (const char* t : {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum",
                        "set", "json", "uuid", "inet6"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::text);
    CHECK(codec_for(column(t)).bits == 0);
  }
}
