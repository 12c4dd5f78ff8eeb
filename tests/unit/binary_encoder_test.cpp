// typemap/binary_encoder: COPY binary fields, byte for byte, and refusals identical to
// append_copy_field's.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/table.hpp"
#include "typemap/binary_encoder.hpp"
#include "typemap/target_table.hpp"
#include "typemap/type_rules.hpp"
#include "typemap/value_encoder.hpp"

using my2pg::schema::Column;
using my2pg::schema::Table;
using my2pg::typemap::append_binary_field;
using my2pg::typemap::append_copy_field;
using my2pg::typemap::BinaryCodec;
using my2pg::typemap::BinaryForm;
using my2pg::typemap::ColumnCodec;
using my2pg::typemap::InvalidText;
using my2pg::typemap::NulBytes;
using my2pg::typemap::TypeRules;
using my2pg::typemap::ValueKind;
using my2pg::typemap::ValuePolicy;
using my2pg::typemap::ZeroDates;

namespace {

// ---- expected bytes, built independently of the encoder ----

std::string be(uint64_t v, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return out;
}

std::string field(std::string_view bytes) {
  return be(bytes.size(), 4) + std::string(bytes);
}

std::string i16(int64_t v) {
  return field(be(static_cast<uint64_t>(v), 2));
}
std::string i32(int64_t v) {
  return field(be(static_cast<uint64_t>(v), 4));
}
std::string i64(int64_t v) {
  return field(be(static_cast<uint64_t>(v), 8));
}
std::string f32(uint32_t bits) {
  return field(be(bits, 4));
}
std::string f64(uint64_t bits) {
  return field(be(bits, 8));
}

// numeric_send's layout: ndigits, weight, sign, dscale, then the base-10000 digits.
std::string numeric(int weight, bool negative, int dscale, const std::vector<int>& digits) {
  std::string body = be(digits.size(), 2) + be(static_cast<uint64_t>(weight), 2) +
                     be(negative ? 0x4000 : 0, 2) + be(static_cast<uint64_t>(dscale), 2);
  for (const int d : digits) body += be(static_cast<uint64_t>(d), 2);
  return field(body);
}

const std::string kNull = be(0xFFFFFFFF, 4);

struct Encoded {
  std::string out;
  std::optional<std::string> reason;
};

// Encodes after a "prefix|" so that a refusal can be checked not to touch earlier output.
Encoded binary(BinaryForm form, std::string_view value, ColumnCodec codec = {}) {
  Encoded e{"prefix|", std::nullopt};
  if (const char* why = append_binary_field(BinaryCodec{form, codec}, value, e.out)) e.reason = why;
  REQUIRE(e.out.starts_with("prefix|"));
  e.out.erase(0, 7);
  return e;
}

Encoded text_path(ColumnCodec codec, std::string_view value) {
  Encoded e;
  if (const char* why = append_copy_field(codec, value, e.out)) e.reason = why;
  return e;
}

Column col(std::string data_type, std::string column_type) {
  Column c;
  c.name = "c";
  c.data_type = std::move(data_type);
  c.column_type = std::move(column_type);
  c.is_unsigned = c.column_type.find(" unsigned") != std::string::npos;
  return c;
}

// The binary form map_table's column gets under `rules` (the defaults when empty).
BinaryForm form_of(Column c, const std::string& user_rules = {}) {
  Table t;
  t.database = "d";
  t.name = "t";
  c.name = "c";
  t.columns.push_back(std::move(c));
  const TypeRules defaults = TypeRules::load_default();
  const TypeRules rules =
      user_rules.empty() ? defaults
                         : TypeRules::layered(TypeRules::parse(user_rules, "u.yaml"), defaults);
  const auto target = my2pg::typemap::map_table(rules, t, "d");
  const BinaryForm form = my2pg::typemap::binary_codec_for(target.columns.at(0)).form;
  CHECK(my2pg::typemap::binary_capable(target.columns.at(0)) == (form != BinaryForm::none));
  return form;
}

Column decimal(int64_t precision, int64_t scale) {
  Column c =
      col("decimal", "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")");
  c.precision = precision;
  c.scale = scale;
  return c;
}

Column chars(std::string type, int64_t length) {
  Column c = col(type, type + "(" + std::to_string(length) + ")");
  c.char_length = length;
  return c;
}

Column temporal(std::string type, int64_t fsp) {
  Column c = col(type, fsp == 0 ? type : type + "(" + std::to_string(fsp) + ")");
  c.fsp = fsp;
  return c;
}

// COPY FROM's reading of a text field, for the escapes append_copy_field writes; nullopt for \N.
std::optional<std::string> unescape(std::string_view field_text) {
  if (field_text == "\\N") return std::nullopt;
  std::string out;
  for (size_t i = 0; i < field_text.size(); ++i) {
    if (field_text[i] != '\\' || i + 1 == field_text.size()) {
      out.push_back(field_text[i]);
      continue;
    }
    const char c = field_text[++i];
    out.push_back(c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c);
  }
  return out;
}

}  // namespace

TEST_CASE("binary COPY header, trailer, row start and NULL are byte-exact", "[binary_encoder]") {
  std::string out;
  my2pg::typemap::append_binary_header(out);
  CHECK(out == std::string("PGCOPY\n\xff\r\n\0", 11) + std::string(8, '\0'));
  out.clear();
  my2pg::typemap::append_binary_row_start(4, out);
  CHECK(out == std::string("\0\4", 2));
  out.clear();
  my2pg::typemap::append_binary_null(out);
  CHECK(out == "\xff\xff\xff\xff");
  out.clear();
  my2pg::typemap::append_binary_trailer(out);
  CHECK(out == "\xff\xff");
}

TEST_CASE("integers become big-endian int2, int4 and int8", "[binary_encoder]") {
  CHECK(binary(BinaryForm::int2, "-32768").out == i16(-32768));
  CHECK(binary(BinaryForm::int2, "32767").out == i16(32767));
  CHECK(binary(BinaryForm::int2, "2155").out == i16(2155));  // YEAR
  CHECK(binary(BinaryForm::int2, "0").out == i16(0));
  CHECK(binary(BinaryForm::int4, "-2147483648").out == i32(INT32_MIN));
  CHECK(binary(BinaryForm::int4, "2147483647").out == i32(INT32_MAX));
  CHECK(binary(BinaryForm::int4, "-1").out == field("\xff\xff\xff\xff"));
  CHECK(binary(BinaryForm::int8, "-9223372036854775808").out == i64(INT64_MIN));
  CHECK(binary(BinaryForm::int8, "9223372036854775807").out == i64(INT64_MAX));
  CHECK(binary(BinaryForm::int8, "4294967295").out == i64(4294967295));
  // pg_strtoint's syntax: spaces around, a sign, leading zeros (ZEROFILL).
  CHECK(binary(BinaryForm::int4, " +00000042 ").out == i32(42));
}

TEST_CASE("integers PostgreSQL would reject are refused in its words", "[binary_encoder]") {
  CHECK(binary(BinaryForm::int2, "32768").reason == "value is out of range for type smallint");
  CHECK(binary(BinaryForm::int2, "-32769").reason == "value is out of range for type smallint");
  CHECK(binary(BinaryForm::int4, "2147483648").reason == "value is out of range for type integer");
  CHECK(binary(BinaryForm::int8, "9223372036854775808").reason ==
        "value is out of range for type bigint");
  CHECK(binary(BinaryForm::int8, "-9223372036854775809").reason ==
        "value is out of range for type bigint");
  CHECK(binary(BinaryForm::int8, "184467440737095516150000").reason ==
        "value is out of range for type bigint");
  for (const char* bad : {"", "-", "1.5", "1e3", "12a", "0x10", " "}) {
    INFO(bad);
    const Encoded e = binary(BinaryForm::int4, bad);
    CHECK(e.reason == "invalid input syntax for type integer");
    CHECK(e.out.empty());
  }
}

TEST_CASE("decimals become numeric with the scale numeric_in gives", "[binary_encoder]") {
  CHECK(binary(BinaryForm::numeric, "18446744073709551615").out ==
        numeric(4, false, 0, {1844, 6744, 737, 955, 1615}));
  CHECK(binary(BinaryForm::numeric, "123.4500").out == numeric(0, false, 4, {123, 4500}));
  CHECK(binary(BinaryForm::numeric, "-12345.678900").out == numeric(1, true, 6, {1, 2345, 6789}));
  CHECK(binary(BinaryForm::numeric, "007.50").out == numeric(0, false, 2, {7, 5000}));
  CHECK(binary(BinaryForm::numeric, "10000").out == numeric(1, false, 0, {1}));
  CHECK(binary(BinaryForm::numeric, "0.0001").out == numeric(-1, false, 4, {1}));
  // Zero is positive whatever its sign; the scale stays.
  CHECK(binary(BinaryForm::numeric, "0").out == numeric(0, false, 0, {}));
  CHECK(binary(BinaryForm::numeric, "-0.00").out == numeric(0, false, 2, {}));
  CHECK(binary(BinaryForm::numeric, "0.000000000000000000000000000000").out ==
        numeric(0, false, 30, {}));
  CHECK(binary(BinaryForm::numeric, "0.000000000000000000000000000001").out ==
        numeric(-8, false, 30, {100}));
  std::vector<int> nines{999};
  for (int i = 0; i < 15; ++i) nines.push_back(9999);
  nines.push_back(9900);
  const std::string big = std::string(35, '9') + "." + std::string(30, '9');
  CHECK(binary(BinaryForm::numeric, big).out == numeric(8, false, 30, nines));
  CHECK(binary(BinaryForm::numeric, "-" + big).out == numeric(8, true, 30, nines));
  // Exponents (a double mapped to numeric): dscale is the fraction digits less the exponent.
  CHECK(binary(BinaryForm::numeric, "1e-45").out == numeric(-12, false, 45, {1000}));
  CHECK(binary(BinaryForm::numeric, "1.5e3").out == numeric(0, false, 0, {1500}));
  CHECK(binary(BinaryForm::numeric, "1.25E+1").out == numeric(0, false, 1, {12, 5000}));
  CHECK(binary(BinaryForm::numeric, "-2.5e-1").out == numeric(-1, true, 2, {2500}));
  CHECK(binary(BinaryForm::numeric, ".5").out == numeric(-1, false, 1, {5000}));
  CHECK(binary(BinaryForm::numeric, "5.").out == numeric(0, false, 0, {5}));
}

TEST_CASE("text numeric_in would reject is refused", "[binary_encoder]") {
  for (const char* bad : {"", ".", "-", "1.2.3", "abc", "1e", "1e+", "NaN", "Infinity", "1 2"}) {
    INFO(bad);
    const Encoded e = binary(BinaryForm::numeric, bad);
    CHECK(e.reason == "invalid input syntax for type numeric");
    CHECK(e.out.empty());
  }
  CHECK(binary(BinaryForm::numeric, "1e2000000000").reason == "value overflows numeric format");
  CHECK(binary(BinaryForm::numeric, "1e200000").reason == "value overflows numeric format");
  CHECK(binary(BinaryForm::numeric, "1e-20000").reason == "value overflows numeric format");
}

TEST_CASE("floats become IEEE bits, correctly rounded from the text", "[binary_encoder]") {
  CHECK(binary(BinaryForm::float4, "3.4028234663852886e38").out == f32(0x7f7fffff));
  CHECK(binary(BinaryForm::float4, "-3.4028234663852886e38").out == f32(0xff7fffff));
  CHECK(binary(BinaryForm::float4, "1.401298464324817e-45").out == f32(0x00000001));
  CHECK(binary(BinaryForm::float4, "1e-45").out == f32(0x00000001));  // subnormal: kept
  CHECK(binary(BinaryForm::float4, "1.1754943508222875e-38").out == f32(0x00800000));
  CHECK(binary(BinaryForm::float4, "1.100000023841858").out == f32(0x3f8ccccd));
  CHECK(binary(BinaryForm::float4, "-0").out == f32(0x80000000));
  CHECK(binary(BinaryForm::float4, "0").out == f32(0));
  CHECK(binary(BinaryForm::float4, "16777217").out == f32(0x4b800000));  // ties to even
  CHECK(binary(BinaryForm::float8, "1.7976931348623157e308").out == f64(0x7fefffffffffffff));
  CHECK(binary(BinaryForm::float8, "4.9406564584124654e-324").out == f64(1));
  CHECK(binary(BinaryForm::float8, "2.2250738585072014e-308").out == f64(0x0010000000000000));
  CHECK(binary(BinaryForm::float8, "0.1").out == f64(0x3fb999999999999a));
  CHECK(binary(BinaryForm::float8, "-0").out == f64(0x8000000000000000));
  CHECK(binary(BinaryForm::float8, "+1").out == f64(0x3ff0000000000000));
  CHECK(binary(BinaryForm::float8, "123.4500").out == f64(0x405edccccccccccd));
}

TEST_CASE("floats that overflow or underflow to zero are refused as float4in does",
          "[binary_encoder]") {
  const std::string real_range = "value is out of range for type real";
  CHECK(binary(BinaryForm::float4, "1e39").reason == real_range);
  CHECK(binary(BinaryForm::float4, "3.4028235677973367e+38").reason == real_range);
  CHECK(binary(BinaryForm::float4, "7e-46").reason == real_range);
  CHECK(binary(BinaryForm::float4, "1.7976931348623157e308").reason == real_range);
  CHECK(binary(BinaryForm::float8, "1e309").reason ==
        "value is out of range for type double precision");
  CHECK(binary(BinaryForm::float8, "1e-400").reason ==
        "value is out of range for type double precision");
  CHECK(binary(BinaryForm::float4, "abc").reason == "invalid input syntax for type real");
  CHECK(binary(BinaryForm::float8, "").reason == "invalid input syntax for type double precision");
  CHECK(binary(BinaryForm::float8, "1.5x").reason ==
        "invalid input syntax for type double precision");
  CHECK(binary(BinaryForm::float4, "1e39").out.empty());
}

TEST_CASE("text goes as raw UTF-8, unescaped", "[binary_encoder]") {
  const ColumnCodec text{ValueKind::text};
  CHECK(binary(BinaryForm::text, "plain text", text).out == field("plain text"));
  CHECK(binary(BinaryForm::text, "a\tb\\c\nd\re\\N", text).out == field("a\tb\\c\nd\re\\N"));
  CHECK(binary(BinaryForm::text, "", text).out == field(""));
  CHECK(binary(BinaryForm::text, "\x01\x1f\x7f", text).out == field("\x01\x1f\x7f"));
  const std::string multibyte = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 long enough for words";
  CHECK(binary(BinaryForm::text, multibyte, text).out == field(multibyte));
  CHECK(binary(BinaryForm::ascii, "-12.50").out == field("-12.50"));
}

TEST_CASE("text policies strip NUL bytes and replace bad UTF-8 as on the text path",
          "[binary_encoder]") {
  ColumnCodec strip{ValueKind::text};
  strip.policy.nul_bytes = NulBytes::strip;
  CHECK(binary(BinaryForm::text, std::string_view("a\0b\0\0c", 6), strip).out == field("abc"));
  ColumnCodec replace{ValueKind::text};
  replace.policy.invalid_text = InvalidText::replace;
  CHECK(binary(BinaryForm::text,
               "a\xff"
               "b\xe2\x82",
               replace)
            .out == field("a\xef\xbf\xbd"
                          "b\xef\xbf\xbd"));
}

TEST_CASE("bytes go as they are, zero bytes included", "[binary_encoder]") {
  const std::string_view bytes("\x00\xff\x00\\\t", 5);
  CHECK(binary(BinaryForm::bytea, bytes).out == field(bytes));
  CHECK(binary(BinaryForm::bytea, "").out == field(""));
}

TEST_CASE("dates become days from 2000-01-01", "[binary_encoder]") {
  CHECK(binary(BinaryForm::date, "2000-01-01").out == i32(0));
  CHECK(binary(BinaryForm::date, "1999-12-31").out == i32(-1));
  CHECK(binary(BinaryForm::date, "1970-01-01").out == i32(-10957));
  CHECK(binary(BinaryForm::date, "2024-02-29").out == i32(8825));
  CHECK(binary(BinaryForm::date, "0001-01-01").out == i32(-730119));
  CHECK(binary(BinaryForm::date, "9999-12-31").out == i32(2921939));
  CHECK(binary(BinaryForm::date, "1582-10-10").out == i32(-152389));  // proleptic Gregorian
  CHECK(binary(BinaryForm::date, "2023-02-29").reason == "date/time field value out of range");
  CHECK(binary(BinaryForm::date, "2024-04-31").reason == "date/time field value out of range");
  CHECK(binary(BinaryForm::date, "2024-13-01").reason == "date/time field value out of range");
  CHECK(binary(BinaryForm::date, "2024/01/01").reason == "invalid input syntax for type date");
}

TEST_CASE("timestamps become microseconds from 2000-01-01", "[binary_encoder]") {
  const ColumnCodec utc{ValueKind::timestamp};
  CHECK(binary(BinaryForm::timestamp, "2000-01-01 00:00:00", utc).out == i64(0));
  CHECK(binary(BinaryForm::timestamp, "2000-01-01 00:00:00.000001", utc).out == i64(1));
  CHECK(binary(BinaryForm::timestamp, "2000-01-01 00:00:00.5", utc).out == i64(500000));
  CHECK(binary(BinaryForm::timestamp, "1999-12-31 23:59:59.999", utc).out == i64(-1000));
  CHECK(binary(BinaryForm::timestamp, "1970-01-01 00:00:00", utc).out == i64(-946684800000000));
  CHECK(binary(BinaryForm::timestamp, "2038-01-19 03:14:07.999999", utc).out ==
        i64(1200798847999999));
  CHECK(binary(BinaryForm::timestamp, "9999-12-31 23:59:59.999999").out == i64(252455615999999999));
  CHECK(binary(BinaryForm::timestamp, "0001-01-01 00:00:00").out == i64(-63082281600000000));
  CHECK(binary(BinaryForm::timestamp, "2024-02-30 10:00:00").reason ==
        "date/time field value out of range");
  CHECK(binary(BinaryForm::timestamp, "2024-01-01 24:00:00").reason ==
        "date/time field value out of range");
  for (const char* bad : {"2024-01-01", "2024-01-01T10:00:00", "2024-01-01 10:00:00.",
                          "2024-01-01 10:00:00.1234567", "2024-01-01 10:00"}) {
    INFO(bad);
    CHECK(binary(BinaryForm::timestamp, bad).reason == "invalid input syntax for type timestamp");
  }
}

TEST_CASE("binary fields of zero dates follow the zero_dates policy", "[binary_encoder]") {
  ColumnCodec as_null{ValueKind::date};
  as_null.policy.zero_dates = ZeroDates::null;
  ColumnCodec minus_infinity{ValueKind::datetime};
  minus_infinity.policy.zero_dates = ZeroDates::minus_infinity;
  CHECK(binary(BinaryForm::date, "0000-00-00", as_null).out == kNull);
  CHECK(binary(BinaryForm::timestamp, "2024-00-10 00:00:00", as_null).out == kNull);
  CHECK(binary(BinaryForm::date, "0000-00-00", minus_infinity).out ==
        field(std::string("\x80\0\0\0", 4)));
  CHECK(binary(BinaryForm::timestamp, "0000-00-00 00:00:00", minus_infinity).out ==
        field(std::string("\x80", 1) + std::string(7, '\0')));
  CHECK(binary(BinaryForm::date, "2024-01-01", as_null).out == i32(8766));
}

TEST_CASE("booleans become one byte", "[binary_encoder]") {
  CHECK(binary(BinaryForm::boolean_from_integer, "0").out == field(std::string(1, '\0')));
  CHECK(binary(BinaryForm::boolean_from_integer, "1").out == field("\x01"));
  CHECK(binary(BinaryForm::boolean_from_bit, std::string_view("\0", 1)).out ==
        field(std::string(1, '\0')));
  CHECK(binary(BinaryForm::boolean_from_bit, "\x01").out == field("\x01"));
}

TEST_CASE("binary refusals are append_copy_field's refusals, word for word", "[binary_encoder]") {
  struct Case {
    BinaryForm form;
    ColumnCodec codec;
    std::string value;
  };
  ColumnCodec replace_only{ValueKind::text};
  replace_only.policy.invalid_text = InvalidText::replace;
  ColumnCodec strip_only{ValueKind::text};
  strip_only.policy.nul_bytes = NulBytes::strip;
  const std::vector<Case> cases{
      {BinaryForm::text, {ValueKind::text}, std::string("ab\0cd", 5)},
      {BinaryForm::text, {ValueKind::text}, "caf\xe9"},
      {BinaryForm::text, {ValueKind::text}, "\xed\xa0\x80 surrogate"},
      {BinaryForm::text, {ValueKind::text}, "\xc0\xaf overlong"},
      {BinaryForm::text, {ValueKind::text}, "truncated \xe2\x82"},
      {BinaryForm::text, replace_only, std::string("ok\xff\0", 4)},
      {BinaryForm::text, strip_only, std::string("\0\xff", 2)},
      {BinaryForm::date, {ValueKind::date}, "0000-00-00"},
      {BinaryForm::date, {ValueKind::date}, "2024-00-01"},
      {BinaryForm::timestamp, {ValueKind::datetime}, "2024-01-00 10:00:00"},
      {BinaryForm::timestamp, {ValueKind::timestamp}, "0000-00-00 00:00:00"},
      {BinaryForm::boolean_from_integer, {ValueKind::boolean_from_integer}, "2"},
      {BinaryForm::boolean_from_integer, {ValueKind::boolean_from_integer}, "-1"},
      {BinaryForm::boolean_from_integer,
       {ValueKind::boolean_from_integer},
       "123456789012345678901234567890"},
      {BinaryForm::boolean_from_bit, {ValueKind::boolean_from_bit}, "\x02"},
      {BinaryForm::boolean_from_bit, {ValueKind::boolean_from_bit}, "\x01\x01"},
  };
  for (const Case& c : cases) {
    INFO("value " << c.value);
    const Encoded text = text_path(c.codec, c.value);
    REQUIRE(text.reason);
    const std::string text_reason = *text.reason;  // a thread-local buffer may be reused
    const Encoded bin = binary(c.form, c.value, c.codec);
    REQUIRE(bin.reason);
    CHECK(*bin.reason == text_reason);
    CHECK(bin.out.empty());
  }
}

TEST_CASE("binary_field_text is the text path's field without COPY escapes", "[binary_encoder]") {
  struct Case {
    BinaryForm form;
    ColumnCodec codec;
    std::string value;
  };
  ColumnCodec lenient{ValueKind::text};
  lenient.policy.nul_bytes = NulBytes::strip;
  lenient.policy.invalid_text = InvalidText::replace;
  ColumnCodec zero_null{ValueKind::timestamp};
  zero_null.policy.zero_dates = ZeroDates::null;
  ColumnCodec zero_infinity{ValueKind::timestamp};
  zero_infinity.policy.zero_dates = ZeroDates::minus_infinity;
  ColumnCodec date_infinity{ValueKind::date};
  date_infinity.policy.zero_dates = ZeroDates::minus_infinity;
  const std::vector<Case> cases{
      {BinaryForm::int4, {ValueKind::plain}, "-42"},
      {BinaryForm::numeric, {ValueKind::plain}, "-0.00"},
      {BinaryForm::float4, {ValueKind::plain}, "1.401298464324817e-45"},
      {BinaryForm::text, {ValueKind::text}, "tab\there \\ back\nslash"},
      {BinaryForm::text, lenient, std::string("a\0b\xff\tc", 6)},
      {BinaryForm::bytea, {ValueKind::bytes}, std::string("\0\xff\\", 3)},
      {BinaryForm::date, {ValueKind::date}, "2024-02-29"},
      {BinaryForm::date, date_infinity, "0000-00-00"},
      {BinaryForm::timestamp, {ValueKind::datetime}, "2024-02-29 10:00:00.5"},
      {BinaryForm::timestamp, {ValueKind::timestamp}, "2024-02-29 10:00:00.5"},
      {BinaryForm::timestamp, zero_null, "0000-00-00 00:00:00"},
      {BinaryForm::timestamp, zero_infinity, "0000-00-00 00:00:00"},
      {BinaryForm::boolean_from_integer, {ValueKind::boolean_from_integer}, "1"},
      {BinaryForm::boolean_from_bit, {ValueKind::boolean_from_bit}, std::string(1, '\0')},
  };
  for (const Case& c : cases) {
    INFO("value " << c.value);
    const Encoded text = text_path(c.codec, c.value);
    REQUIRE_FALSE(text.reason);
    std::string scratch;
    const auto field_text =
        my2pg::typemap::binary_field_text(BinaryCodec{c.form, c.codec}, c.value, scratch);
    const auto expected = unescape(text.out);
    REQUIRE(field_text.has_value() == expected.has_value());
    if (expected) CHECK(std::string(*field_text) == *expected);
  }
}

TEST_CASE("default-mapped columns get the binary form of their codec and type",
          "[binary_encoder]") {
  CHECK(form_of(col("tinyint", "tinyint(4)")) == BinaryForm::int2);
  CHECK(form_of(col("smallint", "smallint(5) unsigned")) == BinaryForm::int4);
  CHECK(form_of(col("int", "int(11)")) == BinaryForm::int4);
  CHECK(form_of(col("int", "int(10) unsigned")) == BinaryForm::int8);
  CHECK(form_of(col("bigint", "bigint(20)")) == BinaryForm::int8);
  CHECK(form_of(col("bigint", "bigint(20) unsigned")) == BinaryForm::numeric);
  CHECK(form_of(decimal(65, 30)) == BinaryForm::numeric);
  CHECK(form_of(col("float", "float")) == BinaryForm::float4);
  CHECK(form_of(col("double", "double")) == BinaryForm::float8);
  CHECK(form_of(col("year", "year(4)")) == BinaryForm::int2);
  CHECK(form_of(chars("char", 120)) == BinaryForm::text);
  CHECK(form_of(chars("varchar", 60)) == BinaryForm::text);
  CHECK(form_of(chars("char", 0)) == BinaryForm::text);
  CHECK(form_of(col("longtext", "longtext")) == BinaryForm::text);
  CHECK(form_of(col("enum", "enum('a','b')")) == BinaryForm::text);
  CHECK(form_of(col("set", "set('a','b')")) == BinaryForm::text);
  CHECK(form_of(col("varbinary", "varbinary(10)")) == BinaryForm::bytea);
  CHECK(form_of(col("blob", "blob")) == BinaryForm::bytea);
  CHECK(form_of(col("date", "date")) == BinaryForm::date);
  CHECK(form_of(temporal("datetime", 6)) == BinaryForm::timestamp);
  CHECK(form_of(temporal("timestamp", 0)) == BinaryForm::timestamp);
}

TEST_CASE("columns without a binary form here are not capable", "[binary_encoder]") {
  Column bits = col("bit", "bit(10)");
  bits.precision = 10;
  CHECK(form_of(bits) == BinaryForm::none);
  CHECK(form_of(temporal("time", 3)) == BinaryForm::none);
  CHECK(form_of(col("geometry", "geometry")) == BinaryForm::none);
  CHECK(form_of(col("point", "point")) == BinaryForm::none);
  Column json = col("longtext", "longtext");
  json.is_json = true;
  CHECK(form_of(json) == BinaryForm::none);
  CHECK(form_of(col("uuid", "uuid")) == BinaryForm::none);
  CHECK(form_of(col("inet6", "inet6")) == BinaryForm::none);
}

TEST_CASE("user rules keep a binary form only where the encoding stays exact", "[binary_encoder]") {
  const auto rule = [](const std::string& match, const std::string& target) {
    return "rules:\n  - {match: {" + match + "}, target: \"" + target + "\", why: test}\n";
  };
  CHECK(form_of(col("int", "int(11)"), rule("type: int", "text")) == BinaryForm::ascii);
  CHECK(form_of(col("int", "int(11)"), rule("type: int", "varchar(20)")) == BinaryForm::ascii);
  CHECK(form_of(col("int", "int(11)"), rule("type: int", "numeric")) == BinaryForm::numeric);
  CHECK(form_of(col("bigint", "bigint(20)"), rule("type: bigint", "integer")) == BinaryForm::int4);
  CHECK(form_of(decimal(10, 2), rule("type: decimal", "double precision")) == BinaryForm::float8);
  CHECK(form_of(decimal(10, 2), rule("type: decimal", "numeric({precision},{scale})")) ==
        BinaryForm::numeric);
  CHECK(form_of(col("double", "double"), rule("type: double", "float(24)")) == BinaryForm::float4);
  CHECK(form_of(col("double", "double"), rule("type: double", "FLOAT")) == BinaryForm::float8);
  CHECK(form_of(col("double", "double"), rule("type: double", "pg_catalog.float8")) ==
        BinaryForm::float8);
  CHECK(form_of(col("tinyint", "tinyint(1)"), rule("column_type: tinyint(1)", "boolean")) ==
        BinaryForm::boolean_from_integer);
  Column bit1 = col("bit", "bit(1)");
  bit1.precision = 1;
  CHECK(form_of(bit1, rule("column_type: bit(1)", "bool")) == BinaryForm::boolean_from_bit);
  CHECK(form_of(temporal("datetime", 3),
                rule("type: datetime", "timestamp(3) without time zone")) == BinaryForm::timestamp);
  CHECK(form_of(temporal("timestamp", 0), rule("type: timestamp", "timestamp")) ==
        BinaryForm::timestamp);
  CHECK(form_of(col("date", "date"),
                "rules:\n  - {match: {type: date}, target: date, why: t, "
                "zero_dates: -infinity}\n") == BinaryForm::date);
  // Not capable: the text path leaves the reading to PostgreSQL's input function, or a session
  // setting decides (datetime into timestamptz is read in the session's TimeZone).
  CHECK(form_of(temporal("datetime", 0), rule("type: datetime", "timestamptz")) ==
        BinaryForm::none);
  CHECK(form_of(temporal("datetime", 0), rule("type: datetime", "date")) == BinaryForm::none);
  CHECK(form_of(col("date", "date"), rule("type: date", "timestamp")) == BinaryForm::none);
  CHECK(form_of(chars("varchar", 10), rule("type: varchar", "integer")) == BinaryForm::none);
  CHECK(form_of(chars("varchar", 10), rule("type: varchar", "boolean")) == BinaryForm::none);
  CHECK(form_of(chars("varchar", 10), rule("type: varchar", "json")) == BinaryForm::none);
  CHECK(form_of(col("enum", "enum('a','b')"), rule("type: enum", "enum")) == BinaryForm::none);
  CHECK(form_of(col("blob", "blob"), rule("type: blob", "text")) == BinaryForm::none);
  CHECK(form_of(col("int", "int(11)"), rule("type: int", "int[]")) == BinaryForm::none);
  CHECK(form_of(col("int", "int(11)"), rule("type: int", "boolean")) ==
        BinaryForm::boolean_from_integer);
  CHECK(form_of(decimal(10, 2), rule("type: decimal", "money")) == BinaryForm::none);
}

TEST_CASE("values past a binary field's 2 GB and columns without a binary form are refused",
          "[binary_encoder]") {
  // The length is checked before any byte is read: a view of 2 GB over one byte is safe here.
  static const char one = 'x';
  const std::string_view huge(&one, size_t{1} << 31);
  std::string out = "kept";
  for (const BinaryForm form : {BinaryForm::text, BinaryForm::bytea}) {
    BinaryCodec codec;
    codec.form = form;
    codec.codec.kind = form == BinaryForm::text ? ValueKind::text : ValueKind::bytes;
    CHECK_THAT(append_binary_field(codec, huge, out),
               Catch::Contains("longer than a COPY binary field can be"));
    CHECK(out == "kept");
  }
  CHECK_THAT(append_binary_field(BinaryCodec{}, "1", out),
             Catch::Contains("column has no COPY binary form"));
  CHECK(out == "kept");
}
