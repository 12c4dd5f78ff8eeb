// Binary DECIMAL and temporal encodings, and the text forms of decoded values.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "binlog/decimal.hpp"
#include "binlog/temporal.hpp"
#include "binlog/value_format.hpp"
#include "common/error.hpp"

namespace {

using namespace my2pg::binlog;
using my2pg::DecodeError;
using Bytes = std::vector<uint8_t>;

// MySQL's decimal2bin, written from the format description, for building test values.
Bytes encode_decimal(const std::string& text, unsigned precision, unsigned scale) {
  static constexpr unsigned kBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  const bool negative = !text.empty() && text[0] == '-';
  const std::string body = negative ? text.substr(1) : text;
  const auto dot = body.find('.');
  std::string int_part = body.substr(0, dot);
  std::string frac_part = dot == std::string::npos ? "" : body.substr(dot + 1);
  const unsigned intg = precision - scale;
  while (int_part.size() > intg && int_part[0] == '0') int_part.erase(0, 1);
  REQUIRE(int_part.size() <= intg);
  REQUIRE(frac_part.size() <= scale);
  int_part.insert(0, intg - int_part.size(), '0');
  frac_part.append(scale - frac_part.size(), '0');
  Bytes out;
  auto put_group = [&](const std::string& digits) {
    const unsigned n = kBytes[digits.size()];
    const uint32_t v = digits.empty() ? 0 : static_cast<uint32_t>(std::stoul(digits));
    for (unsigned i = n; i > 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
  };
  const size_t lead = intg % 9;
  if (lead != 0) put_group(int_part.substr(0, lead));
  for (size_t i = lead; i < int_part.size(); i += 9) put_group(int_part.substr(i, 9));
  const size_t full = scale / 9 * 9;
  for (size_t i = 0; i < full; i += 9) put_group(frac_part.substr(i, 9));
  if (scale % 9 != 0) put_group(frac_part.substr(full));
  out[0] ^= 0x80;
  if (negative) {
    for (auto& b : out) b = static_cast<uint8_t>(~b);
  }
  return out;
}

std::string decimal_text(const Bytes& bin, unsigned precision, unsigned scale) {
  std::string out;
  append_decimal(bin, precision, scale, out);
  return out;
}

std::string roundtrip(const std::string& text, unsigned precision, unsigned scale) {
  return decimal_text(encode_decimal(text, precision, scale), precision, scale);
}

std::string text_of(const Value& v, const ColumnInfo& column = {}) {
  std::string out;
  append_text(v, column, out);
  return out;
}

Value make(ValueKind kind) {
  Value v;
  v.kind = kind;
  return v;
}

Value bytes_value(ValueKind kind, const Bytes& b) {
  Value v = make(kind);
  v.bytes = b;
  return v;
}

}  // namespace

TEST_CASE("decimal_binary_size follows MySQL's digit groups", "[binlog]") {
  CHECK(decimal_binary_size(1, 0) == 1);
  CHECK(decimal_binary_size(4, 2) == 2);
  CHECK(decimal_binary_size(9, 0) == 4);
  CHECK(decimal_binary_size(10, 0) == 5);
  CHECK(decimal_binary_size(10, 2) == 5);
  CHECK(decimal_binary_size(18, 9) == 8);
  CHECK(decimal_binary_size(20, 10) == 10);
  CHECK(decimal_binary_size(30, 25) == 15);
  CHECK(decimal_binary_size(65, 30) == 30);
  CHECK(decimal_binary_size(65, 0) == 29);
  CHECK(decimal_binary_size(0, 0) == 0);
  CHECK(decimal_binary_size(66, 0) == 0);
  CHECK(decimal_binary_size(40, 31) == 0);
  CHECK(decimal_binary_size(5, 6) == 0);
}

TEST_CASE("DECIMAL bytes decode to MySQL's text, hand-checked bytes", "[binlog]") {
  // DECIMAL(4,2) 12.34: groups 12 and 34, one byte each, sign bit set.
  CHECK(decimal_text({0x8c, 0x22}, 4, 2) == "12.34");
  // -12.34: every byte inverted.
  CHECK(decimal_text({0x73, 0xdd}, 4, 2) == "-12.34");
  // DECIMAL(10,0) 1234567890: leading group "1" in one byte, then 234567890 in four.
  CHECK(decimal_text({0x81, 0x0d, 0xfb, 0x38, 0xd2}, 10, 0) == "1234567890");
  CHECK(decimal_text({0x80, 0x00}, 4, 2) == "0.00");
  CHECK(decimal_text({0x80}, 1, 0) == "0");
}

TEST_CASE("DECIMAL text round-trips across precisions and scales", "[binlog]") {
  CHECK(roundtrip("0", 1, 0) == "0");
  CHECK(roundtrip("9", 1, 0) == "9");
  CHECK(roundtrip("-9", 1, 0) == "-9");
  CHECK(roundtrip("-10.55", 4, 2) == "-10.55");
  CHECK(roundtrip("99.99", 4, 2) == "99.99");
  CHECK(roundtrip("0.01", 4, 2) == "0.01");
  CHECK(roundtrip("-0.01", 4, 2) == "-0.01");
  CHECK(roundtrip("12345", 5, 0) == "12345");
  CHECK(roundtrip("0.1234", 4, 4) == "0.1234");
  CHECK(roundtrip("-0.1234", 4, 4) == "-0.1234");
  CHECK(roundtrip("123456789", 9, 0) == "123456789");
  CHECK(roundtrip("1000000000", 10, 0) == "1000000000");
  CHECK(roundtrip("-1000000000", 10, 0) == "-1000000000");
  CHECK(roundtrip("1", 18, 0) == "1");
  CHECK(roundtrip("100000000000000000", 18, 0) == "100000000000000000");
  CHECK(roundtrip("0.000000001", 18, 9) == "0.000000001");
  CHECK(roundtrip("0.1", 18, 9) == "0.100000000");
  CHECK(roundtrip("999999999.999999999", 18, 9) == "999999999.999999999");
  CHECK(roundtrip("-0.0000000123450000987650000", 30, 25) == "-0.0000000123450000987650000");
  CHECK(roundtrip("1234500009876.5", 30, 5) == "1234500009876.50000");
  CHECK(roundtrip("-9.99999999999999", 15, 14) == "-9.99999999999999");
  CHECK(roundtrip("1", 20, 10) == "1.0000000000");
  CHECK(roundtrip("-12345678901234567.0123456789", 30, 10) == "-12345678901234567.0123456789");
  // Leading and trailing zero groups.
  CHECK(roundtrip("0.000000000000000001", 30, 20) == "0.00000000000000000100");
  CHECK(roundtrip("1000000000000000000000", 30, 5) == "1000000000000000000000.00000");
  CHECK(roundtrip("-1000000000.000000001", 30, 20) == "-1000000000.00000000100000000000");
  // The widest DECIMALs.
  const std::string p65 = "12345678901234567890123456789012345678901234567890123456789012345";
  CHECK(roundtrip(p65, 65, 0) == p65);
  CHECK(roundtrip("-" + p65, 65, 0) == "-" + p65);
  const std::string p65s30 = "12345678901234567890123456789012345.123456789012345678901234567890";
  CHECK(roundtrip(p65s30, 65, 30) == p65s30);
  CHECK(roundtrip("-" + p65s30, 65, 30) == "-" + p65s30);
  CHECK(roundtrip("0", 65, 30) == "0.000000000000000000000000000000");
  CHECK(roundtrip("0.5", 30, 30) == "0.500000000000000000000000000000");
  // Every partial group width.
  for (unsigned digits = 1; digits <= 9; ++digits) {
    const std::string nines(digits, '9');
    CHECK(roundtrip(nines, digits, 0) == nines);
    CHECK(roundtrip("-" + nines, digits, 0) == "-" + nines);
    CHECK(roundtrip("0." + nines, digits, digits) == "0." + nines);
    CHECK(roundtrip("-1." + nines, digits + 1, digits) == "-1." + nines);
  }
}

TEST_CASE("DECIMAL errors: wrong size, impossible precision, corrupt groups", "[binlog]") {
  std::string out;
  CHECK_THROWS_AS(append_decimal(Bytes{0x80}, 4, 2, out), DecodeError);
  CHECK_THROWS_AS(append_decimal(Bytes{0x80, 0, 0}, 4, 2, out), DecodeError);
  CHECK_THROWS_AS(append_decimal(Bytes{}, 0, 0, out), DecodeError);
  CHECK_THROWS_AS(append_decimal(Bytes(30, 0x80), 66, 0, out), DecodeError);
  // A one-byte leading group of 1 digit cannot exceed 9; a full group cannot exceed 999999999.
  CHECK_THROWS_WITH(append_decimal(Bytes{0x80 | 10}, 1, 0, out),
                    Catch::Contains("corrupt leading digit group"));
  CHECK_THROWS_WITH(append_decimal(Bytes{0xbb, 0x9a, 0xca, 0x00}, 9, 0, out),
                    Catch::Contains("corrupt integer digit group"));
  CHECK_THROWS_WITH(append_decimal(Bytes{0x80, 0x3b, 0x9a, 0xca, 0x00}, 10, 9, out),
                    Catch::Contains("corrupt fraction digit group"));
  CHECK_THROWS_WITH(append_decimal(Bytes{0x80, 100}, 4, 2, out),
                    Catch::Contains("corrupt trailing digit group"));
}

TEST_CASE("packed DATETIME and TIME unpack as MySQL's TIME_from_longlong_*_packed", "[binlog]") {
  // 2024-06-15 12:34:56.789
  const int64_t ymd = ((2024 * 13 + 6) << 5) | 15;
  const int64_t hms = (12 << 12) | (34 << 6) | 56;
  const int64_t packed = ((ymd << 17 | hms) << 24) + 789000;
  const Temporal t = temporal_from_datetime_packed(packed);
  CHECK(t.year == 2024);
  CHECK(t.month == 6);
  CHECK(t.day == 15);
  CHECK(t.hour == 12);
  CHECK(t.minute == 34);
  CHECK(t.second == 56);
  CHECK(t.micros == 789000);
  std::string out;
  append_datetime(t, 3, out);
  CHECK(out == "2024-06-15 12:34:56.789");

  const int64_t time_packed = -((int64_t{(838 << 12) | (59 << 6) | 59} << 24) + 0);
  const Temporal tt = temporal_from_time_packed(time_packed);
  CHECK(tt.negative);
  CHECK(tt.hour == 838);
  out.clear();
  append_time(tt, 6, out);
  CHECK(out == "-838:59:59.000000");
}

TEST_CASE("temporal_from_unix gives the UTC calendar date", "[binlog]") {
  auto fmt = [](int64_t s, uint32_t us, unsigned fsp) {
    std::string out;
    append_datetime(temporal_from_unix(s, us), fsp, out);
    return out;
  };
  CHECK(fmt(1, 0, 0) == "1970-01-01 00:00:01");
  CHECK(fmt(951782400, 0, 0) == "2000-02-29 00:00:00");
  CHECK(fmt(1718454896, 0, 0) == "2024-06-15 12:34:56");
  CHECK(fmt(1718454896, 789000, 3) == "2024-06-15 12:34:56.789");
  CHECK(fmt(2147483647, 999999, 6) == "2038-01-19 03:14:07.999999");
  CHECK(fmt(4102444799, 0, 0) == "2099-12-31 23:59:59");
  CHECK(fmt(253402300799, 0, 0) == "9999-12-31 23:59:59");
  CHECK(fmt(-1, 0, 0) == "1969-12-31 23:59:59");
}

TEST_CASE("temporal text forms pad and print exactly fsp digits", "[binlog]") {
  Temporal t;
  t.year = 5;
  t.month = 1;
  t.day = 2;
  t.hour = 3;
  t.minute = 4;
  t.second = 5;
  t.micros = 60;
  std::string out;
  append_date(t, out);
  CHECK(out == "0005-01-02");
  out.clear();
  append_datetime(t, 0, out);
  CHECK(out == "0005-01-02 03:04:05");
  out.clear();
  append_datetime(t, 6, out);
  CHECK(out == "0005-01-02 03:04:05.000060");
  out.clear();
  append_datetime(t, 5, out);
  CHECK(out == "0005-01-02 03:04:05.00006");
  out.clear();
  append_time(t, 1, out);
  CHECK(out == "03:04:05.0");
  Temporal zero;
  out.clear();
  append_date(zero, out);
  CHECK(out == "0000-00-00");
  out.clear();
  append_datetime(zero, 2, out);
  CHECK(out == "0000-00-00 00:00:00.00");
  Temporal neg;
  neg.negative = true;
  neg.micros = 500000;
  out.clear();
  append_time(neg, 3, out);
  CHECK(out == "-00:00:00.500");
  neg.hour = 100;
  out.clear();
  append_time(neg, 0, out);
  CHECK(out == "-100:00:00");
}

TEST_CASE("append_text: integers, floats and decimals", "[binlog]") {
  Value v = make(ValueKind::signed_int);
  v.i = -9223372036854775807 - 1;
  CHECK(text_of(v) == "-9223372036854775808");
  v = make(ValueKind::unsigned_int);
  v.u = 18446744073709551615u;
  CHECK(text_of(v) == "18446744073709551615");
  // FLOAT: at most six significant digits, as MySQL's SELECT returns it.
  v = make(ValueKind::float32);
  const std::vector<std::pair<float, std::string>> floats = {
      {1.25f, "1.25"},
      {0.1f, "0.1"},
      {12345.6789f, "12345.7"},
      {-3.0e38f, "-3e38"},
      {3.4028235e38f, "3.40282e38"},
      {1e-5f, "0.00001"},
      {123456789.0f, "123457000"},
      {1e15f, "1e15"},
      {1e14f, "100000000000000"},
      {1e-14f, "0.00000000000001"},
      {1e-15f, "0.000000000000001"},
      {1e-16f, "1e-16"},
      {0.0f, "0"},
      {-0.5f, "-0.5"},
      {16777216.0f, "16777200"},
      {1.17549435e-38f, "1.17549e-38"},
  };
  for (const auto& [f, expect] : floats) {
    v.f = f;
    CHECK(text_of(v) == expect);
  }
  // DOUBLE: the fewest digits that read back to the same double.
  v = make(ValueKind::float64);
  const std::vector<std::pair<double, std::string>> doubles = {
      {-2.5, "-2.5"},
      {0.1, "0.1"},
      {123456789.0987654321, "123456789.09876543"},
      {1e-300, "1e-300"},
      {1.5e300, "1.5e300"},
      {-1.5e-20, "-1.5e-20"},
      {1e15, "1e15"},
      {123456789012345.6, "123456789012345.6"},
      {1234567890123456.7, "1234567890123456.8"},
      {12345678901234567.0, "1.2345678901234568e16"},
      {0.000123, "0.000123"},
      {1e-14, "0.00000000000001"},
      {1.7976931348623157e308, "1.7976931348623157e308"},
      {5e-324, "5e-324"},
      {0.0, "0"},
      {100.0, "100"},
  };
  for (const auto& [d, expect] : doubles) {
    v.d = d;
    CHECK(text_of(v) == expect);
  }
  const Bytes dec = encode_decimal("-10.5", 4, 2);
  v = bytes_value(ValueKind::decimal, dec);
  v.precision = 4;
  v.scale = 2;
  CHECK(text_of(v) == "-10.50");
}

TEST_CASE("append_text: YEAR, DATE, TIME, DATETIME, TIMESTAMP", "[binlog]") {
  Value v = make(ValueKind::year);
  v.u = 0;
  CHECK(text_of(v) == "0000");
  v.u = 2155;
  CHECK(text_of(v) == "2155");
  v = make(ValueKind::date);
  CHECK(text_of(v) == "0000-00-00");
  v.t.year = 2024;
  v.t.month = 2;
  v.t.day = 29;
  CHECK(text_of(v) == "2024-02-29");
  v = make(ValueKind::datetime);
  v.t.year = 2024;
  v.t.month = 6;
  v.t.day = 15;
  v.t.hour = 23;
  v.t.micros = 120000;
  v.fsp = 2;
  CHECK(text_of(v) == "2024-06-15 23:00:00.12");
  v = make(ValueKind::time);
  v.t.negative = true;
  v.t.hour = 838;
  v.t.minute = 59;
  v.t.second = 59;
  v.fsp = 6;
  CHECK(text_of(v) == "-838:59:59.000000");
  v = make(ValueKind::timestamp);
  v.u = 0;
  CHECK(text_of(v) == "0000-00-00 00:00:00");
  v.fsp = 3;
  CHECK(text_of(v) == "0000-00-00 00:00:00.000");
  v.u = 1718454896;
  v.t.micros = 789000;
  CHECK(text_of(v) == "2024-06-15 12:34:56.789");
  v.fsp = 0;
  CHECK(text_of(v) == "2024-06-15 12:34:56");
}

TEST_CASE("append_text: ENUM and SET labels, or numbers without member strings", "[binlog]") {
  ColumnInfo e;
  e.enum_values = {"a,b", "c'd", "plain"};
  Value v = make(ValueKind::enum_index);
  v.u = 2;
  CHECK(text_of(v, e) == "c'd");
  CHECK(text_of(v) == "2");
  v.u = 0;
  CHECK(text_of(v, e).empty());
  v.u = 4;
  CHECK_THROWS_WITH(text_of(v, e), Catch::Contains("beyond its 3 members"));

  ColumnInfo s;
  s.set_values = {"x", "y", "z"};
  v = make(ValueKind::set_bits);
  v.u = 0b101;
  CHECK(text_of(v, s) == "x,z");
  CHECK(text_of(v) == "5");
  v.u = 0;
  CHECK(text_of(v, s).empty());
  v.u = 0b111;
  CHECK(text_of(v, s) == "x,y,z");
  v.u = 0b1000;
  CHECK_THROWS_WITH(text_of(v, s), Catch::Contains("bits beyond its 3 members"));
  ColumnInfo s64;
  for (int i = 0; i < 64; ++i) s64.set_values.push_back("m" + std::to_string(i));
  v.u = (uint64_t{1} << 63) | 1;
  CHECK(text_of(v, s64) == "m0,m63");
}

TEST_CASE("append_text: raw bytes, JSON and JSON diffs", "[binlog]") {
  const Bytes raw = {0x00, 'a', 0xff, 0x80};
  for (auto kind : {ValueKind::string, ValueKind::bytes, ValueKind::bit, ValueKind::geometry,
                    ValueKind::vector, ValueKind::json_text}) {
    CHECK(text_of(bytes_value(kind, raw)) == std::string("\0a\xff\x80", 4));
  }
  CHECK(text_of(make(ValueKind::null)).empty());
  // Binary JSON: a literal true; an empty value is JSON null.
  CHECK(text_of(bytes_value(ValueKind::json, {0x04, 0x01})) == "true");
  CHECK(text_of(bytes_value(ValueKind::json, {})) == "null");
  // A JSON diff without its document shows as the expression that applies it.
  ColumnInfo named;
  named.name = "doc";
  const Bytes diff = {0x00, 0x05, '$', '.', 'a', 'g',  'e',  0x03, 0x05, 0x1a, 0x00,  // REPLACE 26
                      0x01, 0x03, '$', '.', 'b', 0x02, 0x04, 0x01,                    // INSERT true
                      0x02, 0x05, '$', '.', '"', '\'', '"'};                          // REMOVE
  CHECK(text_of(bytes_value(ValueKind::json_diff, diff), named) ==
        R"(JSON_REMOVE(JSON_INSERT(JSON_REPLACE(`doc`, '$.age', 26), '$.b', true), '$."\'"'))");
  CHECK(text_of(bytes_value(ValueKind::json_diff, {0x02, 0x01, '$'})) == "JSON_REMOVE(@, '$')");
  CHECK_THROWS_AS(text_of(bytes_value(ValueKind::json_diff, {0x03, 0x01, '$'})), DecodeError);
  CHECK_THROWS_AS(text_of(bytes_value(ValueKind::json_diff, {0x00, 0x05, '$'})), DecodeError);
}

TEST_CASE("append_text: MariaDB UUID, INET4 and INET6 as MariaDB prints them", "[binlog]") {
  ColumnInfo c;
  c.mariadb_fbt = FixedBinaryType::uuid;
  const Bytes uuid = {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33,
                      0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0xab};
  CHECK(text_of(bytes_value(ValueKind::bytes, uuid), c) == "11111111-2222-3333-4444-5555555555ab");

  c.mariadb_fbt = FixedBinaryType::inet4;
  CHECK(text_of(bytes_value(ValueKind::bytes, {192, 168, 1, 10}), c) == "192.168.1.10");
  CHECK(text_of(bytes_value(ValueKind::bytes, {0, 0, 0, 0}), c) == "0.0.0.0");
  CHECK_THROWS_WITH(text_of(bytes_value(ValueKind::bytes, {1, 2, 3}), c),
                    Catch::Contains("INET4 value"));

  c.mariadb_fbt = FixedBinaryType::inet6;
  auto inet6 = [&](std::initializer_list<uint16_t> words) {
    Bytes b;
    for (uint16_t w : words) {
      b.push_back(static_cast<uint8_t>(w >> 8));
      b.push_back(static_cast<uint8_t>(w & 0xff));
    }
    return text_of(bytes_value(ValueKind::bytes, b), c);
  };
  CHECK(inet6({0, 0, 0, 0, 0, 0, 0, 0}) == "::");
  CHECK(inet6({0, 0, 0, 0, 0, 0, 0, 1}) == "::1");
  CHECK(inet6({0, 0, 0, 0, 0, 0xffff, 0x0808, 0x0808}) == "::ffff:8.8.8.8");
  CHECK(inet6({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}) == "::1.2.3.4");
  CHECK(inet6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}) == "2001:db8::1");
  CHECK(inet6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}) == "2001:db8::1:0:0:1");
  CHECK(inet6({0x2001, 0, 0, 1, 0, 0, 0, 1}) == "2001:0:0:1::1");
  CHECK(inet6({1, 0, 2, 3, 4, 5, 6, 7}) == "1::2:3:4:5:6:7");
  CHECK(inet6({1, 2, 3, 4, 5, 6, 7, 0}) == "1:2:3:4:5:6:7::");
  CHECK(inet6({0xfe80, 0, 0, 0, 0xabcd, 0xef, 0x1234, 0xffff}) == "fe80::abcd:ef:1234:ffff");
  CHECK(inet6({1, 2, 3, 4, 5, 6, 7, 8}) == "1:2:3:4:5:6:7:8");
}
