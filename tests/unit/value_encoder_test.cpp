// typemap/value_encoder: codec_for() and append_copy_field().
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "schema/table.hpp"
#include "typemap/type_rules.hpp"
#include "typemap/value_encoder.hpp"

using my2pg::schema::Column;
using my2pg::typemap::append_copy_field;
using my2pg::typemap::codec_for;
using my2pg::typemap::ColumnCodec;
using my2pg::typemap::InvalidText;
using my2pg::typemap::NulBytes;
using my2pg::typemap::TargetKind;
using my2pg::typemap::TargetType;
using my2pg::typemap::ValueKind;
using my2pg::typemap::ValuePolicy;
using my2pg::typemap::ZeroDates;

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
  CHECK(*e.reason ==
        "text contains a NUL byte, which PostgreSQL text cannot store (a rule with nul_bytes: "
        "strip drops them)");
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
  const std::string reason =
      "zero or partly-zero date, which PostgreSQL cannot store (a rule with zero_dates: null or "
      "-infinity maps them)";
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
  for (const char* t : {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::bytes);
  }
  for (const char* t :
       {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
        "multipolygon", "geometrycollection", "geomcollection"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::geometry_bytea);
  }
  for (const char* t : {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum",
                        "set", "json", "uuid", "inet6"}) {
    INFO(t);
    CHECK(codec_for(column(t)).kind == ValueKind::text);
    CHECK(codec_for(column(t)).bits == 0);
  }
}

namespace {

const char* const kInvalidUtf8 =
    "text is not valid UTF-8 (a rule with invalid_text: replace puts U+FFFD in place of each bad "
    "sequence)";
const std::string kFffd = "\xef\xbf\xbd";

ColumnCodec text_codec(NulBytes nul_bytes, InvalidText invalid_text) {
  ColumnCodec c{ValueKind::text};
  c.policy.nul_bytes = nul_bytes;
  c.policy.invalid_text = invalid_text;
  return c;
}

ColumnCodec date_codec(ValueKind kind, ZeroDates zero_dates) {
  ColumnCodec c{kind};
  c.policy.zero_dates = zero_dates;
  return c;
}

std::string fffd(int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += kFffd;
  return out;
}

}  // namespace

TEST_CASE("codec_for with a target carries its policy and boolean conversion", "[value_encoder]") {
  TargetType target;
  target.policy = ValuePolicy{ZeroDates::minus_infinity, NulBytes::strip, InvalidText::replace};
  const ColumnCodec text = codec_for(column("varchar"), target);
  CHECK(text.kind == ValueKind::text);
  CHECK(text.policy.zero_dates == ZeroDates::minus_infinity);
  CHECK(text.policy.nul_bytes == NulBytes::strip);
  CHECK(text.policy.invalid_text == InvalidText::replace);
  const ColumnCodec date = codec_for(column("datetime"), target);
  CHECK(date.kind == ValueKind::datetime);
  CHECK(date.policy.zero_dates == ZeroDates::minus_infinity);
  const ColumnCodec bits = codec_for(column("bit", 3), TargetType{});
  CHECK(bits.kind == ValueKind::bits);
  CHECK(bits.bits == 3);
  CHECK(bits.policy.zero_dates == ZeroDates::error);

  TargetType boolean;
  boolean.kind = TargetKind::boolean;
  CHECK(codec_for(column("tinyint"), boolean).kind == ValueKind::boolean_from_integer);
  CHECK(codec_for(column("int"), boolean).kind == ValueKind::boolean_from_integer);
  CHECK(codec_for(column("bit", 1), boolean).kind == ValueKind::boolean_from_bit);
  TargetType pg_enum;
  pg_enum.kind = TargetKind::pg_enum;
  CHECK(codec_for(column("enum"), pg_enum).kind == ValueKind::text);

  const ColumnCodec plain = codec_for(column("date"));
  CHECK(plain.policy.zero_dates == ZeroDates::error);
  CHECK(plain.policy.nul_bytes == NulBytes::error);
  CHECK(plain.policy.invalid_text == InvalidText::error);
}

TEST_CASE("tinyint to boolean: 0 and 1 become f and t, anything else is refused",
          "[value_encoder]") {
  const ColumnCodec b{ValueKind::boolean_from_integer};
  CHECK(encode(b, "0").out == "f");
  CHECK(encode(b, "1").out == "t");
  CHECK_FALSE(encode(b, "1").reason);
  for (const char* bad : {"2", "-1", "10", "01", ""}) {
    INFO(bad);
    const Encoded e = encode(b, bad);
    REQUIRE(e.reason);
    CHECK(*e.reason == "value " + std::string(bad) + " does not fit boolean: only 0 and 1 do");
    CHECK(e.out.empty());
  }
  const Encoded huge = encode(b, "18446744073709551615123456789");
  REQUIRE(huge.reason);
  CHECK(*huge.reason == "value 184467440737095516151234... does not fit boolean: only 0 and 1 do");
}

TEST_CASE("BIT(1) to boolean: the raw byte 0x00 or 0x01 becomes f or t", "[value_encoder]") {
  const ColumnCodec b{ValueKind::boolean_from_bit};
  CHECK(encode(b, std::string_view("\x00", 1)).out == "f");
  CHECK(encode(b, std::string_view("\x01", 1)).out == "t");
  const std::string reason = "BIT(1) value is not the single byte 0x00 or 0x01";
  for (const std::string_view bad : {std::string_view("\x02", 1), std::string_view("1"),
                                     std::string_view(""), std::string_view("\x00\x01", 2)}) {
    const Encoded e = encode(b, bad);
    REQUIRE(e.reason);
    CHECK(*e.reason == reason);
    CHECK(e.out.empty());
  }
}

TEST_CASE("zero dates follow the zero_dates policy", "[value_encoder]") {
  const ValueKind kinds[] = {ValueKind::date, ValueKind::datetime, ValueKind::timestamp};
  for (const ValueKind kind : kinds) {
    for (const char* value : {"0000-00-00", "2024-00-10", "2024-01-00", "0000-00-00 00:00:00",
                              "2024-00-10 10:00:00.5"}) {
      INFO("kind " << static_cast<int>(kind) << " value " << value);
      const Encoded null = encode(date_codec(kind, ZeroDates::null), value);
      CHECK_FALSE(null.reason);
      CHECK(null.out == "\\N");
      const Encoded inf = encode(date_codec(kind, ZeroDates::minus_infinity), value);
      CHECK_FALSE(inf.reason);
      CHECK(inf.out == "-infinity");
      const Encoded error = encode(date_codec(kind, ZeroDates::error), value);
      REQUIRE(error.reason);
      CHECK_THAT(*error.reason, Catch::StartsWith("zero or partly-zero date"));
      CHECK(error.out.empty());
    }
  }
  // Real dates are untouched by the policy.
  CHECK(encode(date_codec(ValueKind::date, ZeroDates::null), "2024-02-29").out == "2024-02-29");
  CHECK(encode(date_codec(ValueKind::datetime, ZeroDates::minus_infinity), "2024-01-01 00:00:00")
            .out == "2024-01-01 00:00:00");
  CHECK(encode(date_codec(ValueKind::timestamp, ZeroDates::null), "2024-01-01 00:00:00.25").out ==
        "2024-01-01 00:00:00.25+00");
}

TEST_CASE("NUL bytes are stripped under nul_bytes: strip", "[value_encoder]") {
  const ColumnCodec strip = text_codec(NulBytes::strip, InvalidText::error);
  CHECK(encode(strip, std::string_view("ab\0cd", 5)).out == "abcd");
  CHECK(encode(strip, std::string_view("\0", 1)).out.empty());
  CHECK_FALSE(encode(strip, std::string_view("\0", 1)).reason);
  CHECK(encode(strip, std::string_view("\0\0x\0", 4)).out == "x");
  CHECK(encode(strip, std::string_view("a\0\tb\\", 5)).out == "a\\tb\\\\");
  CHECK(encode(strip, std::string_view("0123456789\0abcdefgh\0", 20)).out == "0123456789abcdefgh");
  // Still refused under the default.
  const Encoded refused = encode(text_codec(NulBytes::error, InvalidText::replace),
                                 std::string_view("0123456789\0abc", 14));
  REQUIRE(refused.reason);
  CHECK_THAT(*refused.reason, Catch::StartsWith("text contains a NUL byte"));
  CHECK(refused.out.empty());
}

TEST_CASE("invalid UTF-8 is refused by default, whatever the kind of bad sequence",
          "[value_encoder]") {
  const ColumnCodec text{ValueKind::text};
  for (const char* bad :
       {"\x80", "abc\xff", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xed\xbf\xbf",
        "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xf0\x9f\x98",
        "caf\xe9 au lait, long enough for a word"}) {
    INFO(bad);
    const Encoded e = encode(text, bad);
    REQUIRE(e.reason);
    CHECK(*e.reason == std::string(kInvalidUtf8));
    CHECK(e.out.empty());
  }
}

TEST_CASE("invalid UTF-8 is replaced by U+FFFD under invalid_text: replace", "[value_encoder]") {
  const ColumnCodec r = text_codec(NulBytes::error, InvalidText::replace);
  // One U+FFFD per maximal ill-formed part (the Unicode practice, as PostgreSQL and ICU do).
  CHECK(encode(r, "\x80").out == fffd(1));  // a lone continuation byte
  CHECK(encode(r,
               "a\xff"
               "b")
            .out == "a" + fffd(1) + "b");               // never a UTF-8 byte
  CHECK(encode(r, "\xc0\xaf").out == fffd(2));          // overlong '/'
  CHECK(encode(r, "\xe0\x80\xaf").out == fffd(3));      // overlong, three bytes
  CHECK(encode(r, "\xf0\x80\x80\xaf").out == fffd(4));  // overlong, four bytes
  CHECK(encode(r, "\xed\xa0\x80").out == fffd(3));      // surrogate U+D800
  CHECK(encode(r, "\xed\xbf\xbf").out == fffd(3));      // surrogate U+DFFF
  CHECK(encode(r, "\xf4\x90\x80\x80").out == fffd(4));  // U+110000
  CHECK(encode(r, "\xf5\x80").out == fffd(2));          // lead byte beyond F4
  CHECK(encode(r, "\xe2\x82").out == fffd(1));          // truncated at the end
  CHECK(encode(r, "\xe2\x82z").out == fffd(1) + "z");   // truncated before ASCII
  CHECK(encode(r,
               "\xf0\x9f\x98"
               "x")
            .out == fffd(1) + "x");
  CHECK(encode(r, "\xe2\x82\xe2\x82\xac").out == fffd(1) + "\xe2\x82\xac");
  CHECK(encode(r, "caf\xe9\tau lait\\, long enough for a word\xe9").out ==
        "caf" + fffd(1) + "\\tau lait\\\\, long enough for a word" + fffd(1));
  CHECK_FALSE(encode(r, "\x80").reason);
  // NUL is still refused under its own policy; stripped with both set.
  CHECK(encode(r, std::string_view("\x80\0", 2)).reason);
  CHECK(encode(text_codec(NulBytes::strip, InvalidText::replace), std::string_view("\x80\0x", 3))
            .out == fffd(1) + "x");
}

TEST_CASE("valid UTF-8 passes unchanged under every policy", "[value_encoder]") {
  const std::string valid =
      "ascii \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf "
      "\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf caf\xc3\xa9 \xe2\x82\xac "
      "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xe4\xbd\xa0\xe5\xa5\xbd \x01\x1f\x7f";
  for (const ColumnCodec codec : {text_codec(NulBytes::error, InvalidText::error),
                                  text_codec(NulBytes::strip, InvalidText::replace)}) {
    const Encoded e = encode(codec, valid);
    CHECK_FALSE(e.reason);
    CHECK(e.out == valid);
    CHECK(encode(codec, valid + "\t\n\r\\").out == valid + "\\t\\n\\r\\\\");
  }
}

TEST_CASE("text encoding agrees with the expected output on random mixes", "[value_encoder]") {
  // Pieces that cannot merge with their neighbours, each with its COPY form under strip+replace.
  const std::pair<std::string_view, std::string> pieces[] = {
      {"a", "a"},
      {"Z", "Z"},
      {" ", " "},
      {"\\", "\\\\"},
      {"\t", "\\t"},
      {"\n", "\\n"},
      {"\r", "\\r"},
      {"\x01", "\x01"},
      {std::string_view("\0", 1), ""},
      {"\xc3\xa9", "\xc3\xa9"},
      {"\xe2\x82\xac", "\xe2\x82\xac"},
      {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
      {"\xff", fffd(1)},
      {"\xc0\xaf", fffd(2)},
      {"\xed\xa0\x80", fffd(3)},
      {"\xf4\x90\x80\x80", fffd(4)},
  };
  const ColumnCodec r = text_codec(NulBytes::strip, InvalidText::replace);
  uint32_t seed = 12345;
  for (int round = 0; round < 500; ++round) {
    std::string value;
    std::string expected;
    seed = seed * 1103515245 + 12345;
    const uint32_t length = (seed >> 16) % 40;
    for (uint32_t i = 0; i < length; ++i) {
      seed = seed * 1103515245 + 12345;
      // Mostly plain ASCII, as real text is, so that whole 8-byte words get skipped.
      const uint32_t pick = (seed >> 16) % 48;
      const auto& [raw, copy] = pieces[pick < 16 ? pick : pick % 3];
      value += raw;
      expected += copy;
    }
    INFO("round " << round);
    CHECK(encode(r, value).out == expected);
  }
}

TEST_CASE("JSON into jsonb refuses the NUL escape, which jsonb cannot store", "[typemap]") {
  Column c;
  c.name = "doc";
  c.data_type = "json";
  c.column_type = "json";
  c.is_json = true;
  my2pg::typemap::TargetType jsonb;
  jsonb.sql = "jsonb";
  const ColumnCodec codec = codec_for(c, jsonb);
  std::string out = "kept|";
  CHECK(append_copy_field(codec, R"({"a": "tab\tand \\u0000 as text"})", out) == nullptr);
  CHECK(out == R"(kept|{"a": "tab\\tand \\\\u0000 as text"})");
  out = "kept|";
  const char* refused = append_copy_field(codec, R"({"a": "x\u0000y"})", out);
  REQUIRE(refused != nullptr);
  CHECK_THAT(refused, Catch::Contains("\\u0000") && Catch::Contains("target: json"));
  CHECK(out == "kept|");
  refused = append_copy_field(codec, R"(["\\\u0000"])", out);  // an escaped backslash, then \u0000
  CHECK(refused != nullptr);
  // Mapped to json, the same value is kept.
  my2pg::typemap::TargetType json;
  json.sql = "json";
  out.clear();
  CHECK(append_copy_field(codec_for(c, json), R"({"a": "x\u0000y"})", out) == nullptr);
  CHECK(out == R"({"a": "x\\u0000y"})");
}

TEST_CASE("MySQL geometry values become EWKB, in bytea or as PostGIS hex", "[typemap]") {
  using my2pg::typemap::mysql_geometry_to_ewkb;
  // SRID 4326, little-endian POINT(1 2).
  std::string point("\xe6\x10\x00\x00\x01\x01\x00\x00\x00", 9);
  point += std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);
  point += std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8);
  std::string ewkb;
  REQUIRE(mysql_geometry_to_ewkb(point, ewkb));
  CHECK(ewkb.substr(0, 9) == std::string("\x01\x01\x00\x00\x20\xe6\x10\x00\x00", 9));
  CHECK(ewkb.substr(9) == point.substr(9));
  // Big-endian WKB keeps its byte order for the flag and the SRID.
  const std::string big("\x01\x00\x00\x00\x00\x00\x00\x00\x01", 9);
  ewkb.clear();
  REQUIRE(mysql_geometry_to_ewkb(big + std::string(16, '\0'), ewkb));
  CHECK(ewkb.substr(0, 9) == std::string("\x00\x20\x00\x00\x01\x00\x00\x00\x01", 9));
  // SRID 0: plain WKB.
  ewkb.clear();
  REQUIRE(mysql_geometry_to_ewkb(std::string(4, '\0') + point.substr(4), ewkb));
  CHECK(ewkb == point.substr(4));
  CHECK_FALSE(mysql_geometry_to_ewkb(std::string(8, '\0'), ewkb));

  Column c;
  c.name = "g";
  c.data_type = "point";
  c.column_type = "point";
  std::string out;
  CHECK(append_copy_field(codec_for(c), point, out) == nullptr);
  CHECK(out == "\\\\x0101000020e6100000000000000000f03f0000000000000040");
  my2pg::typemap::TargetType geometry;
  geometry.sql = "geometry";
  out.clear();
  CHECK(append_copy_field(codec_for(c, geometry), point, out) == nullptr);
  CHECK(out == "0101000020e6100000000000000000f03f0000000000000040");
  out = "kept";
  CHECK_THAT(append_copy_field(codec_for(c), std::string(5, '\0'), out),
             Catch::Contains("shorter than"));
  CHECK(out == "kept");
}
