// binlog/json_binary: MySQL binary JSON printed as MySQL prints it, and partial-update diffs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "binlog/json_binary.hpp"
#include "common/error.hpp"

using my2pg::DecodeError;
using my2pg::binlog::append_json_text;
using my2pg::binlog::apply_json_diff;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (const char c : text) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

void put_le(Bytes& b, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_varlen(Bytes& b, size_t n) {
  do {
    auto byte = static_cast<uint8_t>(n & 0x7f);
    n >>= 7;
    if (n != 0) byte |= 0x80;
    b.push_back(byte);
  } while (n != 0);
}

// MySQL's length-encoded integer, up to 16 bits here.
void put_packed(Bytes& b, size_t n) {
  if (n < 251) {
    b.push_back(static_cast<uint8_t>(n));
    return;
  }
  b.push_back(0xfc);
  put_le(b, n, 2);
}

void put_text(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
}

// A value of the test documents: its type byte and the bytes that follow it.
struct J {
  uint8_t type;
  Bytes data;
};

J literal(uint8_t v) {
  return {0x04, {v}};
}
J null_v() {
  return literal(0);
}
J true_v() {
  return literal(1);
}
J false_v() {
  return literal(2);
}
J integer(uint8_t type, uint64_t bits, size_t n) {
  J j{type, {}};
  put_le(j.data, bits, n);
  return j;
}
J i16(int16_t v) {
  return integer(0x05, static_cast<uint16_t>(v), 2);
}
J u16(uint16_t v) {
  return integer(0x06, v, 2);
}
J i32(int32_t v) {
  return integer(0x07, static_cast<uint32_t>(v), 4);
}
J u32(uint32_t v) {
  return integer(0x08, v, 4);
}
J i64(int64_t v) {
  return integer(0x09, static_cast<uint64_t>(v), 8);
}
J u64(uint64_t v) {
  return integer(0x0a, v, 8);
}
J dbl(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return integer(0x0b, bits, 8);
}
J str(std::string_view s) {
  J j{0x0c, {}};
  put_varlen(j.data, s.size());
  put_text(j.data, s);
  return j;
}
J opaque(uint8_t field_type, const Bytes& data) {
  J j{0x0f, {field_type}};
  put_varlen(j.data, data.size());
  j.data.insert(j.data.end(), data.begin(), data.end());
  return j;
}

bool inlined(uint8_t type, bool large) {
  return type == 0x04 || type == 0x05 || type == 0x06 || (large && (type == 0x07 || type == 0x08));
}

// Lays a container out as MySQL's serializer does: entries, then keys, then values.
J container(bool object, bool large, const std::vector<std::pair<std::string, J>>& members) {
  const size_t osz = large ? 4 : 2;
  const size_t n = members.size();
  const size_t header = 2 * osz + n * (object ? osz + 2 : 0) + n * (1 + osz);
  Bytes entries, keys, values;
  size_t key_pos = header;
  for (const auto& [key, value] : members) {
    if (!object) break;
    key_pos += key.size();
  }
  size_t value_pos = key_pos;
  key_pos = header;
  for (const auto& [key, value] : members) {
    if (!object) break;
    put_le(entries, key_pos, osz);
    put_le(entries, key.size(), 2);
    put_text(keys, key);
    key_pos += key.size();
  }
  for (const auto& [key, value] : members) {
    entries.push_back(value.type);
    if (inlined(value.type, large)) {
      Bytes v = value.data;
      v.resize(osz, 0);
      entries.insert(entries.end(), v.begin(), v.end());
    } else {
      put_le(entries, value_pos, osz);
      values.insert(values.end(), value.data.begin(), value.data.end());
      value_pos += value.data.size();
    }
  }
  J j{static_cast<uint8_t>(object ? (large ? 0x01 : 0x00) : (large ? 0x03 : 0x02)), {}};
  put_le(j.data, n, osz);
  put_le(j.data, 2 * osz + entries.size() + keys.size() + values.size(), osz);
  j.data.insert(j.data.end(), entries.begin(), entries.end());
  j.data.insert(j.data.end(), keys.begin(), keys.end());
  j.data.insert(j.data.end(), values.begin(), values.end());
  return j;
}

J arr(const std::vector<J>& items, bool large = false) {
  std::vector<std::pair<std::string, J>> members;
  for (const J& item : items) members.emplace_back("", item);
  return container(false, large, members);
}

J obj(const std::vector<std::pair<std::string, J>>& members, bool large = false) {
  return container(true, large, members);
}

Bytes doc(const J& j) {
  Bytes b{j.type};
  b.insert(b.end(), j.data.begin(), j.data.end());
  return b;
}

std::string text(const Bytes& binary) {
  std::string out;
  append_json_text(binary, out);
  return out;
}

std::string text(const J& j) {
  return text(doc(j));
}

// One diff of a PARTIAL_UPDATE_ROWS diff vector: operation, path, and for REPLACE and INSERT
// the value, each with a length-encoded length.
Bytes diff_entry(uint8_t op, std::string_view path, const Bytes* value = nullptr) {
  Bytes b{op};
  put_packed(b, path.size());
  put_text(b, path);
  if (value != nullptr) {
    put_packed(b, value->size());
    b.insert(b.end(), value->begin(), value->end());
  }
  return b;
}

Bytes replace_at(std::string_view path, const J& value) {
  const Bytes v = doc(value);
  return diff_entry(0, path, &v);
}
Bytes insert_at(std::string_view path, const J& value) {
  const Bytes v = doc(value);
  return diff_entry(1, path, &v);
}
Bytes remove_at(std::string_view path) {
  return diff_entry(2, path);
}

Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string apply(const J& before, const std::vector<Bytes>& diffs) {
  return apply_json_diff(doc(before), concat(diffs));
}

// DECIMAL opaque data: precision, scale, then the binary DECIMAL bytes.
Bytes decimal(uint8_t precision, uint8_t scale, std::string_view bin_hex) {
  Bytes b{precision, scale};
  const Bytes bin = hex(bin_hex);
  b.insert(b.end(), bin.begin(), bin.end());
  return b;
}

// A packed temporal (TIME_to_longlong_packed) as 8 little-endian bytes.
Bytes packed(int64_t v) {
  Bytes b;
  put_le(b, static_cast<uint64_t>(v), 8);
  return b;
}

int64_t packed_datetime(uint64_t y, uint64_t mo, uint64_t d, uint64_t h, uint64_t mi, uint64_t s,
                        uint64_t us) {
  const uint64_t ymd = ((y * 13 + mo) << 5) | d;
  const uint64_t hms = (h << 12) | (mi << 6) | s;
  return static_cast<int64_t>((((ymd << 17) | hms) << 24) | us);
}

int64_t packed_time(bool negative, uint64_t h, uint64_t mi, uint64_t s, uint64_t us) {
  const auto v = static_cast<int64_t>((((h << 12) | (mi << 6) | s) << 24) | us);
  return negative ? -v : v;
}

J nested_arrays(size_t depth) {
  J j = arr({});
  for (size_t i = 1; i < depth; ++i) j = arr({j});
  return j;
}

// A document that exercises every kind of value, for truncation and bit-flip tests.
J sample() {
  return obj({{"a", i16(-5)},
              {"b", arr({true_v(), null_v(), u32(70000), dbl(2.5), str("x\ny")})},
              {"cc", opaque(246, decimal(5, 2, "80 7b 2d"))},
              {"dd", obj({{"t", opaque(11, packed(packed_time(false, 1, 2, 3, 4)))}}, true)},
              {"eee", opaque(252, {1, 2, 3})}});
}

}  // namespace

TEST_CASE("an empty JSON value is null", "[binlog][json]") {
  CHECK(text(Bytes{}) == "null");
  CHECK(apply_json_diff({}, {}) == "null");
}

TEST_CASE("top-level scalars of every type", "[binlog][json]") {
  CHECK(text(null_v()) == "null");
  CHECK(text(true_v()) == "true");
  CHECK(text(false_v()) == "false");
  CHECK(text(i16(-32768)) == "-32768");
  CHECK(text(u16(65535)) == "65535");
  CHECK(text(i32(std::numeric_limits<int32_t>::min())) == "-2147483648");
  CHECK(text(u32(4294967295u)) == "4294967295");
  CHECK(text(i64(std::numeric_limits<int64_t>::min())) == "-9223372036854775808");
  CHECK(text(u64(std::numeric_limits<uint64_t>::max())) == "18446744073709551615");
  CHECK(text(dbl(2.5)) == "2.5");
  CHECK(text(str("hello")) == "\"hello\"");
  CHECK(text(str("")) == "\"\"");
}

TEST_CASE("objects and arrays print with MySQL's separators", "[binlog][json]") {
  CHECK(text(obj({{"a", i16(1)}, {"b", arr({i16(1), i16(2)})}})) == R"({"a": 1, "b": [1, 2]})");
  CHECK(text(obj({})) == "{}");
  CHECK(text(arr({})) == "[]");
  CHECK(text(arr({arr({}), obj({}), arr({arr({null_v()})})})) == "[[], {}, [[null]]]");
  CHECK(text(obj({{"k", obj({{"n", obj({{"m", str("deep")}})}})}})) ==
        R"({"k": {"n": {"m": "deep"}}})");
}

TEST_CASE("small and large containers read the same values", "[binlog][json]") {
  const std::vector<J> items = {null_v(),        true_v(),    false_v(),  i16(-7),
                                u16(7),          i32(-70000), u32(70000), i64(-5000000000),
                                u64(5000000000), dbl(-0.5),   str("s"),   opaque(252, {0xff})};
  const std::string expected =
      R"([null, true, false, -7, 7, -70000, 70000, -5000000000, 5000000000, -0.5, "s", )"
      R"("base64:type252:/w=="])";
  CHECK(text(arr(items, false)) == expected);
  CHECK(text(arr(items, true)) == expected);

  std::vector<std::pair<std::string, J>> members;
  for (size_t i = 0; i < items.size(); ++i) {
    members.emplace_back(std::string(1, static_cast<char>('a' + i)), items[i]);
  }
  const std::string expected_object =
      R"({"a": null, "b": true, "c": false, "d": -7, "e": 7, "f": -70000, "g": 70000, )"
      R"("h": -5000000000, "i": 5000000000, "j": -0.5, "k": "s", "l": "base64:type252:/w=="})";
  CHECK(text(obj(members, false)) == expected_object);
  CHECK(text(obj(members, true)) == expected_object);
}

TEST_CASE("inlining: int32 is inlined only in large containers", "[binlog][json]") {
  // Large array, int32 inlined in the 4-byte entry.
  CHECK(text(Bytes(hex("03 01000000 0d000000 07 feffffff"))) == "[-2]");
  // Small array, int32 stored at offset 7.
  CHECK(text(Bytes(hex("02 0100 0b00 07 0700 feffffff"))) == "[-2]");
  // Small array with the int32 "inlined" as a large one would have it: the 2 bytes are then
  // an offset (0xfffe), which points outside the array.
  CHECK_THROWS_AS(text(Bytes(hex("02 0100 0700 07 feff"))), DecodeError);
  // Literals and 16-bit integers are inlined in both sizes.
  CHECK(text(Bytes(hex("02 0200 0a00 04 0100 06 ffff"))) == "[true, 65535]");
  CHECK(text(Bytes(hex("03 02000000 12000000 04 02000000 05 ffff0000"))) == "[false, -1]");
}

TEST_CASE("a large object above 64 KiB", "[binlog][json]") {
  const std::string big(70000, 'z');
  const J j = obj({{"big", str(big)}, {"n", i32(123456)}, {"last", arr({i16(1)}, true)}}, true);
  REQUIRE(doc(j).size() > 70000);
  // The stored order is printed; MySQL sorts keys by length, then bytes, when it writes them.
  CHECK(text(j) == "{\"big\": \"" + big + "\", \"n\": 123456, \"last\": [1]}");
}

TEST_CASE("strings and keys are escaped as MySQL does", "[binlog][json]") {
  const std::string raw =
      std::string("q\"b\\s/\b\f\n\r\t") + '\x01' + '\x1f' + '\x7f' + '\0' + "é€😀";
  const std::string escaped =
      std::string(R"("q\"b\\s/\b\f\n\r\t\u0001\u001f)") + '\x7f' + R"(\u0000é€😀")";
  CHECK(text(str(raw)) == escaped);
  CHECK(text(obj({{raw, i16(1)}})) == "{" + escaped + ": 1}");
  // Bytes that are not UTF-8 are copied as they are, as MySQL does.
  CHECK(text(str("\xff\xfe")) == "\"\xff\xfe\"");
}

TEST_CASE("doubles print as MySQL 8 prints them", "[binlog][json]") {
  const std::vector<std::pair<double, std::string>> cases = {
      {3.0, "3.0"},
      {-3.0, "-3.0"},
      {2.5, "2.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123.456, "123.456"},
      {100.0, "100.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1e14, "100000000000000.0"},
      {123456789012345.0, "123456789012345.0"},
      {1e15, "1e15"},
      {1e16, "1e16"},
      {9007199254740993.0, "9.007199254740992e15"},
      {12345678901234567.0, "1.2345678901234568e16"},
      {1234567890123456.7, "1234567890123456.8"},
      {1e20, "1e20"},
      {1e100, "1e100"},
      {1.7976931348623157e308, "1.7976931348623157e308"},
      {0.0001, "0.0001"},
      {1.5e-7, "0.00000015"},
      {1e-15, "0.000000000000001"},
      {1.5e-15, "0.0000000000000015"},
      {1e-16, "1e-16"},
      {-1.25e-20, "-1.25e-20"},
      {5e-324, "5e-324"},
  };
  for (const auto& [value, expected] : cases) {
    INFO("value " << value);
    CHECK(text(dbl(value)) == expected);
  }
  // Not valid JSON, but a corrupt document may hold them; dtoa() prints "0", the JSON printer
  // adds ".0".
  CHECK(text(dbl(std::numeric_limits<double>::infinity())) == "0.0");
  CHECK(text(dbl(std::nan(""))) == "0.0");
}

TEST_CASE("opaque DECIMAL prints its exact digits as a number", "[binlog][json]") {
  // Binary DECIMAL column values from go-mysql/tcb-eval002c-bin.003320 (expected values from
  // the upstream test's SELECT output), wrapped in JSON opaques.
  const std::vector<std::tuple<uint8_t, uint8_t, std::string_view, std::string>> cases = {
      {4, 2, "75c8", "-10.55"},
      {15, 14, "76c4653600fe7960", "-9.99999999999999"},
      {30, 25, "7ffff5df37aa7fffffffffffffffff", "-10.5500000000000000000000000"},
      {30, 25, "80000000bc614e35b7bf870087fdd9", "0.0123456789012345678912345"},
      {5, 0, "800000", "0"},
      {5, 0, "803039", "12345"},
      {5, 0, "7fff84", "-123"},
      {4, 2, "8000", "0.00"},
      {30, 20, "80000000000001e23a000f120200", "0.00012345000098765000"},
      {30, 5, "7ffffffffffffffffffffff5ff2927", "-10.55000"},
  };
  for (const auto& [precision, scale, bin, expected] : cases) {
    INFO("DECIMAL(" << int{precision} << "," << int{scale} << ") " << bin);
    CHECK(text(opaque(246, decimal(precision, scale, bin))) == expected);
  }
  CHECK(text(arr({opaque(246, decimal(4, 2, "75c8"))})) == "[-10.55]");
}

TEST_CASE("opaque DATE, TIME, DATETIME and TIMESTAMP print quoted", "[binlog][json]") {
  CHECK(text(opaque(10, packed(packed_datetime(2015, 1, 15, 0, 0, 0, 0)))) == R"("2015-01-15")");
  CHECK(text(opaque(12, packed(packed_datetime(2015, 1, 15, 23, 24, 25, 0)))) ==
        R"("2015-01-15 23:24:25.000000")");
  CHECK(text(opaque(7, packed(packed_datetime(1999, 12, 31, 1, 2, 3, 456)))) ==
        R"("1999-12-31 01:02:03.000456")");
  CHECK(text(opaque(11, packed(packed_time(false, 23, 24, 25, 0)))) == R"("23:24:25.000000")");
  CHECK(text(opaque(11, packed(packed_time(true, 1, 2, 3, 500000)))) == R"("-01:02:03.500000")");
  CHECK(text(opaque(11, packed(packed_time(true, 838, 59, 59, 0)))) == R"("-838:59:59.000000")");
}

TEST_CASE("other opaque values print as base64 with MySQL's line breaks", "[binlog][json]") {
  CHECK(text(opaque(252, {})) == R"("base64:type252:")");
  CHECK(text(opaque(16, {0x01, 0x02})) == R"("base64:type16:AQI=")");
  CHECK(text(opaque(255, {0xde, 0xad, 0xbe, 0xef})) == R"("base64:type255:3q2+7w==")");
  Bytes b58;
  for (uint8_t i = 0; i < 58; ++i) b58.push_back(i);
  const Bytes b57(b58.begin(), b58.end() - 1);
  CHECK(
      text(opaque(252, b57)) ==
      R"("base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4")");
  CHECK(
      text(opaque(252, b58)) ==
      R"("base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\nOQ==")");
  // MYSQL_TYPE_VAR_STRING opaques are printed as plain strings (wrapper_to_string()).
  CHECK(text(opaque(253, {'a', '"', 'b'})) == R"("a\"b")");
}

TEST_CASE("JSON values taken from real binlogs", "[binlog][json]") {
  // rust_mysql_common/json.binlog.000001 (MySQL 8.0.22), the JSON column of row 1.
  CHECK(text(hex("00 0300 3300 1900 0300 1c00 0400 2000 0400 05 1800 0c 2400 0c 2f00"
                 "616765 64617461 6e616d65 0a 78787878787878787878 03 4a6f65")) ==
        R"({"age": 24, "data": "xxxxxxxxxx", "name": "Joe"})");
  // MySqlCdc/mysql-bin.000001 (MySQL 5.7.23).
  CHECK(text(hex("00 0200 1d00 1200 0200 1400 0400 05 0100 0c 1800 6964 6e616d65 04 4a6f686e")) ==
        R"({"id": 1, "name": "John"})");
  // zongji/binlog-mysql84.binlog (MySQL 8.4.8): the capture script inserts
  // '{"a": 1, "big": 9223372036854775807, "arr": ["x", true, null], "d": 1.5}'.
  CHECK(text(hex("00 0400 4700 2000 0100 2100 0100 2200 0300 2500 0300 05 0100 0b 2800 02 3000"
                 "0a 3f00 61 64 617272 626967 000000000000f83f 0300 0f00 0c 0d00 04 0100 04 0000"
                 "01 78 ffffffffffffff7f")) ==
        R"({"a": 1, "d": 1.5, "arr": ["x", true, null], "big": 9223372036854775807})");
  // rust_mysql_common/json-opaque.binlog (MySQL 9.0.1), the 8 rows in order. Upstream asserts
  // serde's rendering; these are MySQL's (DECIMAL is a number, not a string).
  const std::vector<std::pair<std::string_view, std::string>> opaque_rows = {
      {"0001000f000b0001000f0c00610f0155", R"({"a": "base64:type15:VQ=="})"},
      {"00010016000b0001000f0c00620a080000000000e48b19", R"({"b": "2012-03-18"})"},
      {"00010016000b0001000f0c00630c08000000adb7e48b19", R"({"c": "2012-03-18 11:30:45.000000"})"},
      {"00010016000b0001000f0c00630b08f1fb09ee77050000", R"({"c": "87:31:46.654321"})"},
      {"00010014000b0001000f0c0064f6060603807b01c8", R"({"d": 123.456})"},
      {"00010015000b0001000f0c0065f6070b028000000900", R"({"e": 9.00})"},
      {"0001001c000b000100020c006504001000050000050100040100040200",
       R"({"e": [0, 1, true, false]})"},
      {"0001000c000b00010004000065", R"({"e": null})"},
  };
  for (const auto& [bytes, expected] : opaque_rows) {
    INFO(bytes);
    CHECK(text(hex(bytes)) == expected);
  }
}

TEST_CASE("nesting is limited to MySQL's 100 levels", "[binlog][json]") {
  CHECK(text(nested_arrays(100)) == std::string(100, '[') + std::string(100, ']'));
  try {
    text(nested_arrays(101));
    FAIL("no error for 101 levels");
  } catch (const DecodeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("100"));
  }
  J deep_object = obj({{"k", i16(1)}});
  for (int i = 1; i < 101; ++i) deep_object = obj({{"k", deep_object}});
  CHECK_THROWS_AS(text(deep_object), DecodeError);
}

TEST_CASE("every truncation of a document is a DecodeError", "[binlog][json]") {
  const Bytes full = doc(sample());
  REQUIRE(text(full) == R"({"a": -5, "b": [true, null, 70000, 2.5, "x\ny"], "cc": 123.45, )"
                        R"("dd": {"t": "01:02:03.000004"}, "eee": "base64:type252:AQID"})");
  for (size_t n = 1; n < full.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_THROWS_AS(text(Bytes(full.begin(), full.begin() + static_cast<ptrdiff_t>(n))),
                    DecodeError);
  }
}

TEST_CASE("flipped bits never crash the printer", "[binlog][json]") {
  const Bytes full = doc(sample());
  size_t errors = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes b = full;
      b[i] = static_cast<uint8_t>(b[i] ^ (1u << bit));
      try {
        text(b);
      } catch (const DecodeError&) {
        ++errors;
      }
    }
  }
  CHECK(errors > 0);
}

TEST_CASE("malformed documents are DecodeErrors", "[binlog][json]") {
  const auto fails = [](std::string_view bytes, std::string_view message) {
    INFO(bytes);
    try {
      text(hex(bytes));
      FAIL("no error");
    } catch (const DecodeError& e) {
      CHECK_THAT(e.what(), Catch::Contains(std::string(message)));
    }
  };
  fails("0d", "unknown JSON type 0x0d");
  fails("02 0100 0700 0e 0700", "unknown JSON type 0x0e");
  fails("04 03", "literal of unknown value 0x03");
  fails("02 0100 ff00 04 0000", "claims 255 bytes");
  fails("02 ffff 0a00 04 0000 00 00 00 00", "more than its size");
  fails("02 0100 0700 0c 0200", "outside the small array's values");     // into the header
  fails("02 0100 0700 0c 0700", "outside the small array's values");     // at the end
  fails("00 0100 0b00 0b00 0500 04 0100", "outside the object's keys");  // key past the end
  fails("00 0100 0b00 0300 0100 04 0100", "outside the object's keys");  // key in the header
  fails("0c 05 6162", "JSON string");
  fails("0c ffffffff7f", "exceeds 32 bits");
  fails("0c ffffffffff01", "runs past 5 bytes");
  fails("0f fc 05 01", "JSON opaque data");
  fails("0f f6 01 05", "DECIMAL opaque without its precision and scale");
  fails("0f f6 03 0402 80", "needs 2");
  fails("0f f6 03 0203 80", "invalid precision");
  fails("0f f6 03 0200 ff", "DECIMAL(2,0) value has a corrupt leading digit group");
  fails("0f 0a 04 00000000", "temporal opaque of 4 bytes");
  // Two array entries pointing at the same string: the bytes are used twice.
  fails("02 0300 1100 0c 0d00 0c 0d00 0c 0d00 03 616263", "reuses bytes");
}

TEST_CASE("shared offsets cannot multiply the output", "[binlog][json]") {
  // Each level is an array of 2 entries that both point at the next level: 2^40 leaves if
  // printed naively.
  Bytes b{0x02};
  const size_t levels = 40;
  for (size_t i = 0; i < levels; ++i) {
    const auto level_size = static_cast<uint16_t>(10 * (levels - i) + 4);
    put_le(b, 2, 2);
    put_le(b, level_size, 2);
    b.push_back(0x02);
    put_le(b, 10, 2);
    b.push_back(0x02);
    put_le(b, 10, 2);
  }
  put_le(b, 0, 2);
  put_le(b, 4, 2);
  CHECK_THROWS_WITH(text(b), Catch::Contains("reuses bytes"));
}

TEST_CASE("a failed print leaves the output as it was", "[binlog][json]") {
  std::string out = "prefix";
  CHECK_THROWS_AS(append_json_text(hex("02 0200 0a00 04 0100 0c 0900"), out), DecodeError);
  CHECK(out == "prefix");
  append_json_text(doc(arr({i16(1)})), out);
  CHECK(out == "prefix[1]");
}

TEST_CASE("the partial update in a real binlog", "[binlog][json]") {
  // rust_mysql_common/json.binlog.000001: the JSON of row 1 after the full UPDATE (age 25),
  // and the PARTIAL_UPDATE_ROWS diff for that row (the 11 bytes after the column's 4-byte
  // length): REPLACE $.age with int16 26.
  const Bytes before =
      hex("00 0300 3300 1900 0300 1c00 0400 2000 0400 05 1900 0c 2400 0c 2f00"
          "616765 64617461 6e616d65 0a 78787878787878787878 03 4a6f65");
  CHECK(text(before) == R"({"age": 25, "data": "xxxxxxxxxx", "name": "Joe"})");
  CHECK(apply_json_diff(before, hex("00 05 242e616765 03 051a00")) ==
        R"({"age": 26, "data": "xxxxxxxxxx", "name": "Joe"})");
}

TEST_CASE("REPLACE diffs", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1), i16(2), i16(3)})}, {"b c", obj({{"d", str("x")}})}});
  CHECK(apply(before, {replace_at("$.a[1]", str("two"))}) ==
        R"({"a": [1, "two", 3], "b c": {"d": "x"}})");
  CHECK(apply(before, {replace_at("$.a[last]", null_v())}) ==
        R"({"a": [1, 2, null], "b c": {"d": "x"}})");
  CHECK(apply(before, {replace_at("$.a[last-2]", true_v())}) ==
        R"({"a": [true, 2, 3], "b c": {"d": "x"}})");
  CHECK(apply(before, {replace_at(R"($."b c".d)", dbl(1.0))}) ==
        R"({"a": [1, 2, 3], "b c": {"d": 1.0}})");
  CHECK(apply(before, {replace_at(" $ . a [ 0 ] ", obj({{"z", i16(0)}}))}) ==
        R"({"a": [{"z": 0}, 2, 3], "b c": {"d": "x"}})");
  CHECK(apply(before, {replace_at("$.a", opaque(246, decimal(4, 2, "75c8")))}) ==
        R"({"a": -10.55, "b c": {"d": "x"}})");
  // A zero-length value is JSON null.
  CHECK(apply_json_diff(doc(before), hex("00 03 242e61 00")) ==
        R"({"a": null, "b c": {"d": "x"}})");
}

TEST_CASE("INSERT diffs", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1), i16(2), i16(3)})}, {"ccc", i16(3)}});
  // New members take their place in MySQL's key order: shorter keys first, then bytewise.
  CHECK(apply(before, {insert_at("$.bb", i16(2))}) == R"({"a": [1, 2, 3], "bb": 2, "ccc": 3})");
  CHECK(apply(before, {insert_at("$.B", i16(0))}) == R"({"B": 0, "a": [1, 2, 3], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.dddd", i16(4))}) == R"({"a": [1, 2, 3], "ccc": 3, "dddd": 4})");
  CHECK(apply(before, {insert_at("$.a[0]", i16(0))}) == R"({"a": [0, 1, 2, 3], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.a[1]", i16(9))}) == R"({"a": [1, 9, 2, 3], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.a[3]", i16(9))}) == R"({"a": [1, 2, 3, 9], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.a[100]", i16(9))}) == R"({"a": [1, 2, 3, 9], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.a[last]", i16(9))}) == R"({"a": [1, 2, 9, 3], "ccc": 3})");
  CHECK(apply(before, {insert_at("$.a[last-10]", i16(9))}) == R"({"a": [9, 1, 2, 3], "ccc": 3})");
  CHECK(apply(before, {insert_at(R"($."\u00e9\t")", i16(5))}) ==
        R"({"a": [1, 2, 3], "ccc": 3, "é\t": 5})");
  CHECK(apply(before, {insert_at("$.é", i16(5))}) == R"({"a": [1, 2, 3], "é": 5, "ccc": 3})");
  CHECK(apply(before, {insert_at(R"($."😀")", i16(5))}) ==
        apply(before, {insert_at(R"($."\ud83d\ude00")", i16(5))}));
}

TEST_CASE("REMOVE diffs", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1), i16(2), i16(3)})}, {"b", i16(2)}});
  CHECK(apply(before, {remove_at("$.b")}) == R"({"a": [1, 2, 3]})");
  CHECK(apply(before, {remove_at("$.a[0]")}) == R"({"a": [2, 3], "b": 2})");
  CHECK(apply(before, {remove_at("$.a[last]")}) == R"({"a": [1, 2], "b": 2})");
  CHECK(apply(before, {remove_at("$.a[last-1]")}) == R"({"a": [1, 3], "b": 2})");
}

TEST_CASE("several diffs apply in order", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1)})}});
  CHECK(apply(before, {insert_at("$.a[1]", i16(2)), insert_at("$.b", obj({})),
                       insert_at("$.b.c", true_v()), replace_at("$.a[0]", str("one")),
                       remove_at("$.a[1]")}) == R"({"a": ["one"], "b": {"c": true}})");
}

TEST_CASE("diffs rebuild objects in MySQL's key order", "[binlog][json]") {
  // A before image with keys out of order and a duplicate: the DOM MySQL builds sorts the
  // keys and keeps the last duplicate.
  const Bytes before = doc(obj({{"bb", i16(1)}, {"a", i16(2)}, {"a", i16(3)}}));
  CHECK(text(before) == R"({"bb": 1, "a": 2, "a": 3})");
  CHECK(apply_json_diff(before, {}) == R"({"a": 3, "bb": 1})");
}

TEST_CASE("diffs that do not apply are DecodeErrors", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1), i16(2)})}, {"s", str("x")}});
  const auto fails = [&](const Bytes& diff, std::string_view message) {
    try {
      apply_json_diff(doc(before), diff);
      FAIL("no error");
    } catch (const DecodeError& e) {
      CHECK_THAT(e.what(), Catch::Contains(std::string(message)));
    }
  };
  fails(replace_at("$.missing", i16(1)), "no value at this path");
  fails(replace_at("$.a[2]", i16(1)), "no value at this path");
  fails(replace_at("$.a.x", i16(1)), "no value at this path");
  fails(replace_at("$[0]", i16(1)), "no value at this path");  // no auto-wrapping
  fails(replace_at("$", i16(1)), "whole document");
  fails(insert_at("$.a", i16(1)), "already exists");
  fails(insert_at("$.s.t", i16(1)), "does not fit");
  fails(insert_at("$.a.t", i16(1)), "does not fit");
  fails(insert_at("$.x.y", i16(1)), "no value at the parent path");
  fails(remove_at("$.missing"), "does not exist");
  fails(remove_at("$.a[2]"), "does not exist");
  fails(remove_at("$.a[last-2]"), "does not exist");
  fails(remove_at("$.s[0]"), "does not fit");
  fails(remove_at("$"), "whole document");
  fails(hex("03 03 242e61"), "not 0 (REPLACE), 1 (INSERT) or 2 (REMOVE)");
  fails(remove_at("$.*"), "lacks a member name");
  fails(remove_at("$[*]"), "array index");
  fails(remove_at("$**.a"), "unexpected character");
  fails(remove_at("$[0 to 1]"), "lacks the ']'");
  fails(remove_at("a"), "does not start with '$'");
  fails(remove_at("$."), "lacks a member name");
  fails(remove_at("$.1a"), "not an identifier");
  fails(remove_at("$.a-b"), "not an identifier");
  fails(remove_at("$[4294967296]"), "above 4294967295");
  fails(remove_at("$[1"), "lacks the ']'");
  fails(remove_at(R"($."a)"), "unterminated");
  fails(remove_at(R"($."\x")"), "invalid escape");
  fails(remove_at(R"($."\ud800")"), "lone high surrogate");
  fails(remove_at(R"($."\udc00")"), "lone low surrogate");
  fails(remove_at(R"($."\u12")"), "\\u escape");
  fails(remove_at("$.\"a\tb\""), "unescaped control character");
  fails(replace_at("$.a", J{0x0d, {}}), "unknown JSON type 0x0d");
  fails(hex("00 03 242e61 fb"), "invalid length-encoded integer prefix");
}

TEST_CASE("every truncation of a diff vector is a DecodeError", "[binlog][json]") {
  const J before = obj({{"a", arr({i16(1), i16(2)})}});
  const Bytes first = insert_at("$.a[0]", str("new"));
  const Bytes second = remove_at("$.a[last]");
  const Bytes diff = concat({first, second});
  REQUIRE(apply_json_diff(doc(before), diff) == R"({"a": ["new", 1]})");
  for (size_t n = 1; n < diff.size(); ++n) {
    if (n == first.size()) continue;  // a whole first diff is a valid, shorter vector
    INFO("prefix of " << n << " bytes");
    CHECK_THROWS_AS(
        apply_json_diff(doc(before), Bytes(diff.begin(), diff.begin() + static_cast<ptrdiff_t>(n))),
        DecodeError);
  }
}

TEST_CASE("a diff cannot nest the document beyond 100 levels", "[binlog][json]") {
  const J before = nested_arrays(100);
  std::string path = "$";
  for (int i = 0; i < 99; ++i) path += "[0]";
  CHECK(apply_json_diff(doc(before), insert_at(path + "[0]", i16(1))) ==
        std::string(100, '[') + "1" + std::string(100, ']'));
  CHECK_THROWS_AS(apply_json_diff(doc(before), insert_at(path + "[0]", arr({}))), DecodeError);
  CHECK_THROWS_WITH(apply_json_diff(doc(nested_arrays(101)), {}), Catch::Contains("before image"));
}
