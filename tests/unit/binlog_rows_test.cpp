// TABLE_MAP and row events: hand-built bytes for every type and edge case, and captured events
// from the binlog fixtures (../shared/fixtures/binlog, see its MANIFEST.md) with the values the
// servers' own tools show for them.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/rows_decoder.hpp"
#include "binlog/value_format.hpp"
#include "common/error.hpp"

namespace {

using namespace my2pg::binlog;
using my2pg::DecodeError;
using Bytes = std::vector<uint8_t>;
using CT = ColumnType;

Bytes hex(std::string_view s) {
  Bytes out;
  auto nibble = [](char c) {
    return static_cast<uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(s[i]) << 4 | nibble(s[i + 1])));
  }
  return out;
}

struct Buf {
  Bytes b;
  Buf& u8(uint64_t v) {
    b.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  Buf& le(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Buf& be(uint64_t v, unsigned n) {
    for (unsigned i = n; i > 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
    return *this;
  }
  Buf& packed(uint64_t v) {
    if (v < 251) return u8(v);
    if (v < 0x10000) return u8(0xfc).le(v, 2);
    if (v < 0x1000000) return u8(0xfd).le(v, 3);
    return u8(0xfe).le(v, 8);
  }
  Buf& raw(const Bytes& x) {
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  Buf& str(std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Buf& lstr(std::string_view s) { return packed(s.size()).str(s); }
  // An optional metadata field: type, length, value.
  Buf& tlv(uint8_t type, const Buf& value) { return u8(type).packed(value.b.size()).raw(value.b); }
};

// Post-header lengths as MySQL 5.6+ and MariaDB 10+ write them.
FormatDescriptionEvent make_fde(bool mariadb = false) {
  FormatDescriptionEvent f;
  f.mariadb = mariadb;
  f.post_header_lengths.assign(171, 0);
  auto set = [&](int type, uint8_t len) {
    f.post_header_lengths[static_cast<size_t>(type - 1)] = len;
  };
  set(19, 8);
  for (int t = 20; t <= 25; ++t) set(t, 8);
  for (int t = 30; t <= 32; ++t) set(t, 10);
  set(39, 10);
  for (int t = 166; t <= 168; ++t) set(t, 8);
  for (int t = 169; t <= 171; ++t) set(t, 10);
  return f;
}

struct Col {
  uint8_t type;
  Bytes meta;
  bool nullable = true;
};

Bytes table_map_body(uint64_t id, const std::vector<Col>& cols, const Bytes& optional = {},
                     std::string_view db = "db", std::string_view table = "t") {
  Buf b;
  b.le(id, 6).le(1, 2);
  b.u8(db.size()).str(db).u8(0).u8(table.size()).str(table).u8(0);
  b.packed(cols.size());
  for (const auto& c : cols) b.u8(c.type);
  Buf meta;
  for (const auto& c : cols) meta.raw(c.meta);
  b.packed(meta.b.size()).raw(meta.b);
  Bytes nulls((cols.size() + 7) / 8, 0);
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].nullable) nulls[i / 8] = static_cast<uint8_t>(nulls[i / 8] | 1 << (i % 8));
  }
  return b.raw(nulls).raw(optional).b;
}

TableMapEvent decode_map(const Bytes& body, const FormatDescriptionEvent& f = make_fde()) {
  ByteReader r(body);
  TableMapEvent m = decode_table_map(r, f);
  REQUIRE(r.at_end());
  return m;
}

Bytes all_present(size_t n) {
  Bytes b((n + 7) / 8, 0);
  for (size_t i = 0; i < n; ++i) b[i / 8] = static_cast<uint8_t>(b[i / 8] | 1 << (i % 8));
  return b;
}

// A rows event body: post-header for `type`, column count, bitmaps, then `rows`.
Bytes rows_body(EventType type, uint64_t id, size_t n, const Bytes& rows, Bytes present = {},
                Bytes present_after = {}, const Bytes& extra = {}) {
  if (present.empty()) present = all_present(n);
  if (present_after.empty()) present_after = present;
  const auto t = static_cast<int>(type);
  const bool v2 = (t >= 30 && t <= 32) || t == 39 || (t >= 169 && t <= 171);
  const bool update = t == 21 || t == 24 || t == 31 || t == 39 || t == 167 || t == 170;
  Buf b;
  b.le(id, 6).le(0, 2);
  if (v2) b.le(extra.size() + 2, 2).raw(extra);
  b.packed(n).raw(present);
  if (update && t != 21) b.raw(present_after);
  return b.raw(rows).b;
}

struct Decoded {
  Bytes map_body, body;
  TableMapEvent map;
  RowsEvent ev;
};

std::unique_ptr<Decoded> decode_event(Bytes map_body, Bytes body, EventType type,
                                      const FormatDescriptionEvent& f = make_fde()) {
  auto d = std::make_unique<Decoded>();
  d->map_body = std::move(map_body);
  d->body = std::move(body);
  d->map = decode_map(d->map_body, f);
  std::unordered_map<uint64_t, TableMapEvent> tables{{d->map.table_id, d->map}};
  ByteReader r(d->body);
  d->ev = decode_rows(r, type, f, tables);
  REQUIRE(r.at_end());
  return d;
}

RowsEvent decode_with(const Bytes& body, EventType type, const TableMapEvent& map,
                      const FormatDescriptionEvent& f = make_fde()) {
  std::unordered_map<uint64_t, TableMapEvent> tables{{map.table_id, map}};
  ByteReader r(body);
  return decode_rows(r, type, f, tables);
}

std::string text(const Value& v, const ColumnInfo& c) {
  std::string out;
  append_text(v, c, out);
  return out;
}

std::string as_string(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// One column of `type` with `meta`, one WRITE_ROWS_EVENT row holding `value` (not NULL).
std::unique_ptr<Decoded> single(uint8_t type, const Bytes& meta, const Bytes& value,
                                const Bytes& optional = {}) {
  auto d = decode_event(table_map_body(7, {{type, meta}}, optional),
                        rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, Buf().u8(0).raw(value).b),
                        EventType::WRITE_ROWS_EVENT);
  REQUIRE(d->ev.after.size() == 1);
  return d;
}

const Value& value_of(const Decoded& d) {
  return d.ev.after.at(0).values.at(0);
}
std::string text_of(const Decoded& d) {
  return text(value_of(d), d.map.columns.at(0));
}

// MySQL's my_time_packed_to_binary / my_datetime_packed_to_binary, from the format description.
Bytes time2(bool negative, uint32_t h, uint32_t m, uint32_t s, uint32_t micros, unsigned fsp) {
  int64_t packed = (int64_t{(h << 12) | (m << 6) | s} << 24) + micros;
  if (negative) packed = -packed;
  const int64_t intpart = packed >> 24;     // floor, as MY_PACKED_TIME_GET_INT_PART
  const int64_t frac = packed % (1 << 24);  // truncated, as MY_PACKED_TIME_GET_FRAC_PART
  Buf b;
  if (fsp >= 5) return b.be(static_cast<uint64_t>(packed + 0x800000000000), 6).b;
  b.be(static_cast<uint64_t>(intpart + 0x800000), 3);
  if (fsp >= 3) return b.be(static_cast<uint64_t>(frac / 100) & 0xffff, 2).b;
  if (fsp >= 1) return b.be(static_cast<uint64_t>(frac / 10000) & 0xff, 1).b;
  return b.b;
}

Bytes datetime2(uint32_t y, uint32_t mo, uint32_t d, uint32_t h, uint32_t mi, uint32_t s,
                uint32_t micros, unsigned fsp) {
  const uint64_t ymd = (uint64_t{y} * 13 + mo) << 5 | d;
  const uint64_t hms = h << 12 | mi << 6 | s;
  Buf b;
  b.be((ymd << 17 | hms) + 0x8000000000, 5);
  if (fsp >= 5) return b.be(micros, 3).b;
  if (fsp >= 3) return b.be(micros / 100, 2).b;
  if (fsp >= 1) return b.be(micros / 10000, 1).b;
  return b.b;
}

}  // namespace

// ----------------------------------------------------------------------------------------------
// TABLE_MAP

TEST_CASE("TABLE_MAP: names, types, metadata, lengths and the null bitmap", "[binlog]") {
  const Bytes body =
      table_map_body(0x123456789a,
                     {{1, {}, false},
                      {15, {0x2c, 0x01}},   // VARCHAR(300 bytes)
                      {254, {0xfe, 0x14}},  // CHAR(20 bytes)
                      {254, {0xce, 0xfc}},  // CHAR(255) utf8mb4: 1020 bytes, length bits in byte 0
                      {254, {0xf7, 0x02}},  // ENUM, two bytes
                      {254, {0xf8, 0x08}},  // SET, eight bytes
                      {246, {0x41, 0x1e}},  // DECIMAL(65,30)
                      {16, {0x02, 0x01}},   // BIT(10)
                      {252, {0x03}},        // MEDIUMBLOB
                      {18, {0x06}},         // DATETIME(6)
                      {245, {0x04}},        // JSON
                      {4, {0x04}},          // FLOAT
                      {13, {}}},            // YEAR
                     {}, "shop", "orders");
  const TableMapEvent m = decode_map(body);
  CHECK(m.table_id == 0x123456789a);
  CHECK(m.flags == 1);
  CHECK(m.database == "shop");
  CHECK(m.table == "orders");
  REQUIRE(m.columns.size() == 13);
  CHECK_FALSE(m.columns[0].nullable);
  CHECK(m.columns[1].nullable);
  CHECK(m.columns[1].type == CT::MYSQL_TYPE_VARCHAR);
  CHECK(m.columns[1].metadata == 300);
  CHECK(m.columns[1].max_length == 300);
  CHECK(m.columns[2].real_type == CT::MYSQL_TYPE_STRING);
  CHECK(m.columns[2].max_length == 20);
  CHECK(m.columns[3].real_type == CT::MYSQL_TYPE_STRING);
  CHECK(m.columns[3].max_length == 1020);
  CHECK(m.columns[4].type == CT::MYSQL_TYPE_STRING);
  CHECK(m.columns[4].real_type == CT::MYSQL_TYPE_ENUM);
  CHECK(m.columns[4].max_length == 2);
  CHECK(m.columns[5].real_type == CT::MYSQL_TYPE_SET);
  CHECK(m.columns[5].max_length == 8);
  CHECK(m.columns[6].metadata == (65 << 8 | 30));
  CHECK(m.columns[7].metadata == 0x0102);
  CHECK(m.columns[8].metadata == 3);
  CHECK(m.columns[8].max_length == 0xffffff);
  CHECK(m.columns[9].metadata == 6);
  CHECK(m.columns[10].max_length == 0xffffffff);
  CHECK(m.columns[11].metadata == 4);
  CHECK(m.columns[12].metadata == 0);
  CHECK_FALSE(m.has_column_names);
  CHECK_FALSE(m.columns[0].is_unsigned.has_value());
  CHECK_FALSE(m.columns[1].charset.has_value());
}

TEST_CASE("TABLE_MAP: a 6-byte post-header means a 4-byte table id", "[binlog]") {
  FormatDescriptionEvent f = make_fde();
  f.post_header_lengths[18] = 6;
  Bytes body = table_map_body(0x01020304, {{3, {}}});
  body.erase(body.begin() + 4, body.begin() + 6);  // the id's high bytes
  const TableMapEvent m = decode_map(body, f);
  CHECK(m.table_id == 0x01020304);
  CHECK(m.flags == 1);
  CHECK(m.table == "t");
}

TEST_CASE("TABLE_MAP: optional metadata fields", "[binlog]") {
  // id INT UNSIGNED, name VARCHAR, price DECIMAL, e ENUM, s SET, g GEOMETRY, blob, note CHAR
  const std::vector<Col> cols = {{3, {}, false},   {15, {0x50, 0x00}}, {246, {0x0a, 0x02}},
                                 {254, {0xf7, 1}}, {254, {0xf8, 1}},   {255, {4}},
                                 {252, {2}},       {254, {0xfe, 10}}};
  Buf opt;
  opt.u8(1).packed(1).u8(0b10000000);                  // SIGNEDNESS: id unsigned, price signed
  opt.tlv(2, Buf().packed(255).packed(2).packed(63));  // DEFAULT_CHARSET 255, char col #2 binary
  Buf names;
  for (auto n : {"id", "name", "price", "e", "s", "g", "data", "note"}) names.lstr(n);
  opt.u8(4).packed(names.b.size()).raw(names.b);
  Buf sets;
  sets.packed(2).lstr("x").lstr("y,z");
  opt.u8(5).packed(sets.b.size()).raw(sets.b);
  Buf enums;
  enums.packed(3).lstr("a").lstr("").lstr("c'd");
  opt.u8(6).packed(enums.b.size()).raw(enums.b);
  opt.u8(7).packed(1).packed(1);                                 // GEOMETRY_TYPE: POINT
  opt.u8(8).packed(1).packed(0);                                 // SIMPLE_PRIMARY_KEY (0)
  opt.u8(9).packed(4).packed(1).packed(10).packed(7).packed(0);  // PK (1 prefix 10, 7)
  opt.u8(10).packed(3).packed(8).packed(1).packed(33);  // ENUM/SET default latin1, set utf8
  opt.u8(12).packed(1).u8(0b11111101);                  // COLUMN_VISIBILITY: data invisible
  opt.u8(99).packed(3).u8(1).u8(2).u8(3);               // unknown: skipped
  opt.u8(13).packed(1).packed(3);                       // VECTOR_DIMENSIONALITY: skipped
  const TableMapEvent m = decode_map(table_map_body(5, cols, opt.b));
  REQUIRE(m.columns.size() == 8);
  CHECK(m.columns[0].is_unsigned == true);
  CHECK(m.columns[2].is_unsigned == false);
  CHECK_FALSE(m.columns[1].is_unsigned.has_value());
  // Character columns: name, data (blob), note (CHAR); not ENUM/SET, not GEOMETRY on MySQL.
  CHECK(m.columns[1].charset == 255u);
  CHECK(m.columns[6].charset == 255u);
  CHECK(m.columns[7].charset == 63u);
  CHECK_FALSE(m.columns[5].charset.has_value());
  CHECK(m.columns[3].charset == 8u);
  CHECK(m.columns[4].charset == 33u);
  CHECK(m.has_column_names);
  CHECK(m.columns[0].name == "id");
  CHECK(m.columns[7].name == "note");
  CHECK(m.columns[4].set_values == std::vector<std::string>{"x", "y,z"});
  CHECK(m.columns[3].enum_values == std::vector<std::string>{"a", "", "c'd"});
  CHECK(m.columns[5].geometry_type == 1u);
  REQUIRE(m.primary_key.size() == 3);
  CHECK(m.primary_key[0] == std::pair<uint32_t, uint32_t>{0, 0});
  CHECK(m.primary_key[1] == std::pair<uint32_t, uint32_t>{1, 10});
  CHECK(m.primary_key[2] == std::pair<uint32_t, uint32_t>{7, 0});
  CHECK(m.columns[0].visible == true);
  CHECK(m.columns[6].visible == false);
  CHECK(m.columns[7].visible == true);
}

TEST_CASE("TABLE_MAP: COLUMN_CHARSET and ENUM_AND_SET_COLUMN_CHARSET", "[binlog]") {
  const std::vector<Col> cols = {{15, {10, 0}}, {254, {0xf7, 1}}, {252, {2}}, {255, {4}}};
  Buf good;
  good.u8(3).packed(2).packed(8).packed(63);
  good.u8(11).packed(1).packed(45);
  const TableMapEvent m = decode_map(table_map_body(5, cols, good.b));
  CHECK(m.columns[0].charset == 8u);
  CHECK(m.columns[2].charset == 63u);
  CHECK(m.columns[1].charset == 45u);
  CHECK_FALSE(m.columns[3].charset.has_value());

  // On MariaDB, GEOMETRY is a character column too.
  Buf maria;
  maria.u8(3).packed(3).packed(8).packed(63).packed(63);
  const TableMapEvent mm = decode_map(table_map_body(5, cols, maria.b), make_fde(true));
  CHECK(mm.columns[3].charset == 63u);
  // ... so the MySQL count does not fit that list, and the MariaDB count does not fit MySQL's.
  CHECK_THROWS_WITH(decode_map(table_map_body(5, cols, maria.b)),
                    Catch::Contains("more entries than its 2 columns"));
  CHECK_THROWS_WITH(decode_map(table_map_body(5, cols, good.b), make_fde(true)),
                    Catch::Contains("has 2 entries for 3 columns"));
}

TEST_CASE("TABLE_MAP: corrupt tables maps are DecodeErrors", "[binlog]") {
  // Metadata longer than the types use.
  Buf b;
  b.le(1, 6).le(0, 2).u8(1).str("d").u8(0).u8(1).str("t").u8(0).packed(1).u8(3).packed(1).u8(9).u8(
      0);
  CHECK_THROWS_WITH(decode_map(b.b), Catch::Contains("1 bytes more than its column types use"));
  // A type whose metadata size nobody knows.
  CHECK_THROWS_WITH(decode_map(table_map_body(1, {{200, {}}})), Catch::Contains("does not know"));
  // A name without its NUL.
  Bytes bad = table_map_body(1, {{3, {}}});
  bad[8 + 1 + 2] = 'x';
  CHECK_THROWS_WITH(decode_map(bad), Catch::Contains("not NUL-terminated"));
  // DEFAULT_CHARSET naming a character column that is not there.
  Buf opt;
  opt.u8(2).packed(3).packed(8).packed(5).packed(63);
  CHECK_THROWS_WITH(decode_map(table_map_body(1, {{15, {1, 0}}}, opt.b)),
                    Catch::Contains("names column 5 of 1"));
  // A primary key column beyond the table.
  Buf pk;
  pk.u8(8).packed(1).packed(3);
  CHECK_THROWS_WITH(decode_map(table_map_body(1, {{3, {}}}, pk.b)),
                    Catch::Contains("names column 3 of 1"));
  // An optional field longer than the event.
  Buf longer;
  longer.u8(4).packed(40).lstr("id");
  CHECK_THROWS_AS(decode_map(table_map_body(1, {{3, {}}}, longer.b)), DecodeError);
}

TEST_CASE("TABLE_MAP: every truncation is a DecodeError", "[binlog]") {
  Buf opt;
  opt.u8(1).packed(1).u8(0x80);
  opt.u8(4).packed(6).lstr("id").lstr("ab");
  opt.u8(6).packed(4).packed(1).lstr("xy");
  const std::vector<Col> cols = {{3, {}}, {254, {0xf7, 1}}};
  const Bytes full = table_map_body(9, cols, opt.b);
  CHECK_NOTHROW(decode_map(full));
  // The optional fields may end after the null bitmap or after any whole field.
  const size_t base = table_map_body(9, cols).size();
  const std::vector<size_t> whole = {base, base + 3, base + 3 + 8};
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    ByteReader r(cut);
    INFO("prefix of " << n << " bytes");
    if (std::find(whole.begin(), whole.end(), n) != whole.end()) {
      CHECK_NOTHROW(decode_table_map(r, make_fde()));
    } else {
      CHECK_THROWS_AS(decode_table_map(r, make_fde()), DecodeError);
    }
  }
}

// ----------------------------------------------------------------------------------------------
// Values

TEST_CASE("integers: signed, unsigned and unknown signedness", "[binlog]") {
  struct Case {
    uint8_t type;
    unsigned size;
    uint64_t raw;
    std::string as_signed, as_unsigned;
  };
  const std::vector<Case> cases = {
      {1, 1, 0x80, "-128", "128"},
      {1, 1, 0x7f, "127", "127"},
      {1, 1, 0xff, "-1", "255"},
      {2, 2, 0x8000, "-32768", "32768"},
      {2, 2, 0xffff, "-1", "65535"},
      {9, 3, 0x800000, "-8388608", "8388608"},
      {9, 3, 0xffffff, "-1", "16777215"},
      {9, 3, 0x7fffff, "8388607", "8388607"},
      {3, 4, 0x80000000, "-2147483648", "2147483648"},
      {3, 4, 3230202323, "-1064764973", "3230202323"},
      {8, 8, 0x8000000000000000, "-9223372036854775808", "9223372036854775808"},
      {8, 8, 0xffffffffffffffff, "-1", "18446744073709551615"},
      {8, 8, 0, "0", "0"},
  };
  for (const auto& c : cases) {
    INFO("type " << int(c.type) << " raw " << c.raw);
    const Bytes value = Buf().le(c.raw, c.size).b;
    auto unknown = single(c.type, {}, value);
    CHECK(value_of(*unknown).kind == ValueKind::signed_int);
    CHECK(text_of(*unknown) == c.as_signed);
    auto sign = single(c.type, {}, value, Buf().u8(1).packed(1).u8(0x00).b);
    CHECK(value_of(*sign).kind == ValueKind::signed_int);
    CHECK(text_of(*sign) == c.as_signed);
    auto unsign = single(c.type, {}, value, Buf().u8(1).packed(1).u8(0x80).b);
    CHECK(value_of(*unsign).kind == ValueKind::unsigned_int);
    CHECK(text_of(*unsign) == c.as_unsigned);
    CHECK(value_of(*unsign).type == static_cast<ColumnType>(c.type));
  }
}

TEST_CASE("FLOAT and DOUBLE", "[binlog]") {
  auto f = single(4, {4}, Buf().le(0x3fa00000, 4).b);  // 1.25f
  CHECK(value_of(*f).kind == ValueKind::float32);
  CHECK(value_of(*f).f == 1.25f);
  CHECK(text_of(*f) == "1.25");
  auto d = single(5, {8}, Buf().le(0xc004000000000000, 8).b);  // -2.5
  CHECK(value_of(*d).kind == ValueKind::float64);
  CHECK(value_of(*d).d == -2.5);
  CHECK(text_of(*d) == "-2.5");
}

TEST_CASE("DECIMAL: the go-mysql decodedecimal table, 17 rows of 11 precisions", "[binlog]") {
  // go-mysql/tcb-eval002c-bin.003320 (Percona 5.6.16): TABLE_MAP @192 and WRITE_ROWS_V2 @284.
  const Bytes map_body =
      hex("59000000000001000474657374000d6465636f6465646563696d616c000e03f6f6f6f6f6f6f6f6f6f6f60303"
          "16040205"
          "0007030a020a030d020f0e140a1e051e141e19fe3f");
  const Bytes body =
      hex("590000000000010002000effff00c00100000075c87ffff47ff5fdd97ffffff5c87ffffff5fdd97ffffffff5"
          "c876c465"
          "3600fe79607ffffffff5df37aa7fff7ffffffffffffffffffffff5ff29277ffffffff5df37aa7fffffffffff"
          "7ffff5df"
          "37aa7fffffffffffffffff040000000200000000c00200000080018000008000000c80000000018000000000"
          "0c800000"
          "0000018000bc614e01600b800000000000bc614e098000000000000000000000000004d3800000000000bc61"
          "4e35b7bf"
          "875980000000bc614e35b7bf870087fdd91e0000001900000000c003000000e363803039a70f03e780003039"
          "00800030"
          "390000800000303900893b9ac9ff01869f800000303900000000008000000000000000000030390000008000"
          "00303900"
          "0000000000000000803039000000000000000000000000050000000000000000c004000000e363803039a70f"
          "03e78000"
          "303900800030390000800000303900893b9ac9ff01869f800000303900000000008000000000000000000030"
          "39000000"
          "80000030390000000000000000008030390000000000000000000000000a0000000300000000c005000000e3"
          "6380007b"
          "807b01c28000007b2d8000007b01c2800000007b2d893b9ac9ff01869f800000007b1ad27480008000000000"
          "00000000"
          "00007b00afc8800000007b1ad27480000000000080007b1ad2748000000000000000000a0000000300000000"
          "c0060000"
          "001c9c7fff847f84fe3d7fffff84d27fffff84fe3d7fffffff84d276c4653600fe79607fffffff84e52d8b7f"
          "ff7fffff"
          "ffffffffffffffff84ff50377fffffff84e52d8b7fffffffffff7fff84e52d8b7fffffffffffffffff140000"
          "000a0000"
          "0000c0070000008000800000800000008000000000800000000000800000000000800001e23a000063800000"
          "00000001"
          "e23a0080000000000000000000000000000c80000000000001e23a000f1202008000000001e23a000f120200"
          "0000000f"
          "0000000e00000000c0080000008000800000800000008000000000800000000000800000000000800001e23a"
          "00006380"
          "000000000001e23a0080000000000000000000000000000c80000000000001e23a000f1202008000000001e2"
          "3a000f12"
          "0200000000160000001400000000c009000000800c8000008000007b800000000c80000000007b8000000000"
          "0c80075b"
          "b2900181cd8000000000075bb291008000000000000000000000000030398000000000075bb2903ade57d000"
          "80000007"
          "5bb2903ade57d0000000001e0000001400000000c00a00000080008000008000000080000000008000000000"
          "00800000"
          "0000007ffffffff3ff793b7ffffffffffffffff3fc8000000000000000000000000000007fffffffffffffff"
          "f3eb6fb7"
          "5db27ffffffffffff3eb6fb75dff8b452f1e0000001400000000c00b000000e36381869fa70f03e785f5e0ff"
          "63809896"
          "7f03e7e33b9ac9ff63893b9ac9ff01869f893b9ac9ff3b9ac9ff0980000000000004d21dcd8b9400c350893b"
          "9ac9ff3b"
          "9ac9ff3b9ac9ff6381869f3b9ac9ff3b9ac9ff0098967f1e0000000500000000c00c000000e36381869fa70f"
          "03e785f5"
          "e0ff638098967f03e780069f6bc70b893b9ac9ff01869f80069f6bc7068e7780008000000000000000069f6b"
          "c7002af8"
          "80069f6bc7068e7780000000000081869f3b9ac9ff3b9ac9ff0098967f0a0000000200000000c00d00000080"
          "01800000"
          "8000000a800000000180000000000a8000000000018000989680000000800000000000989680008000000000"
          "00000000"
          "0000000003e88000000000009896800000000000800000009896800000000000000000070000000300000000"
          "c00e0000"
          "00e36380007b807b01908000007b288000007b0190800000007b28893b9ac9ff01869f800000007b17d78400"
          "00800000"
          "00000000000000007b009c40800000007b17d78400000000000080007b17d7840000000000000000000a0000"
          "00020000"
          "0000c00f0000001c9c7ffdcc7dcdfdbb7ffffdcdc57ffffdcdfdbb7ffffffdcdc576c4653600fe79607fffff"
          "fdcddd6d"
          "e6ffff7ffffffffffffffffffffdcdff1d6f7ffffffdcddd6de6ffffffffffff7ffdcddd6de6ffffffffffff"
          "ffffff0d"
          "0000000200000000c0100000001c9c7ff18c718cfff57ffff18cfe7ffff18cfff57ffffff18cfe76c4653600"
          "fe79607f"
          "fffff18cff67697fff7ffffffffffffffffffff18cfffc177ffffff18cff67697fffffffffff7ff18cff6769"
          "7fffffff"
          "ffffffffff0d0000000200000000c0110000001c9c7ff8637863ff737ffff863f17ffff863ff737ffffff863"
          "f176c465"
          "3600fe79607ffffff863f7a7c4ffff7ffffffffffffffffffff863ffc94f7ffffff863f7a7c4ffffffffffff"
          "7ff863f7"
          "a7c4ffffffffffffffffff0d00000002000000");
  // The upstream test's `select * from decodedecimal`.
  const char* expected[17][14] = {
      {"1", "-10.55", "-11", "-10.550", "-10.55", "-10.550", "-10.55", "-9.99999999999999",
       "-10.5500000000", "-10.55000", "-10.55000000000000000000", "-10.5500000000000000000000000",
       "4", "2"},
      {"2", "0.01", "0", "0.012", "0.01", "0.012", "0.01", "0.01234567890123", "0.0123456789",
       "0.01235", "0.01234567890123456789", "0.0123456789012345678912345", "30", "25"},
      {"3", "99.99", "12345", "9999.999", "12345.00", "12345.000", "12345.00", "9.99999999999999",
       "12345.0000000000", "12345.00000", "12345.00000000000000000000",
       "12345.0000000000000000000000000", "5", "0"},
      {"4", "99.99", "12345", "9999.999", "12345.00", "12345.000", "12345.00", "9.99999999999999",
       "12345.0000000000", "12345.00000", "12345.00000000000000000000",
       "12345.0000000000000000000000000", "10", "3"},
      {"5", "99.99", "123", "123.450", "123.45", "123.450", "123.45", "9.99999999999999",
       "123.4500000000", "123.45000", "123.45000000000000000000", "123.4500000000000000000000000",
       "10", "3"},
      {"6", "-99.99", "-123", "-123.450", "-123.45", "-123.450", "-123.45", "-9.99999999999999",
       "-123.4500000000", "-123.45000", "-123.45000000000000000000",
       "-123.4500000000000000000000000", "20", "10"},
      {"7", "0.00", "0", "0.000", "0.00", "0.000", "0.00", "0.00012345000099", "0.0001234500",
       "0.00012", "0.00012345000098765000", "0.0001234500009876500000000", "15", "14"},
      {"8", "0.00", "0", "0.000", "0.00", "0.000", "0.00", "0.00012345000099", "0.0001234500",
       "0.00012", "0.00012345000098765000", "0.0001234500009876500000000", "22", "20"},
      {"9", "0.12", "0", "0.123", "0.12", "0.123", "0.12", "0.12345000098765", "0.1234500010",
       "0.12345", "0.12345000098765000000", "0.1234500009876500000000000", "30", "20"},
      {"10", "0.00", "0", "0.000", "0.00", "0.000", "0.00", "-0.00000001234500", "-0.0000000123",
       "0.00000", "-0.00000001234500009877", "-0.0000000123450000987650000", "30", "20"},
      {"11", "99.99", "99999", "9999.999", "99999999.99", "9999999.999", "99999999999.99",
       "9.99999999999999", "9999999999.9999999999", "1234500009876.50000",
       "9999999999.99999999999999999999", "99999.9999999999999999999999999", "30", "5"},
      {"12", "99.99", "99999", "9999.999", "99999999.99", "9999999.999", "111111111.11",
       "9.99999999999999", "111111111.1100000000", "111111111.11000",
       "111111111.11000000000000000000", "99999.9999999999999999999999999", "10", "2"},
      {"13", "0.01", "0", "0.010", "0.01", "0.010", "0.01", "0.01000000000000", "0.0100000000",
       "0.01000", "0.01000000000000000000", "0.0100000000000000000000000", "7", "3"},
      {"14", "99.99", "123", "123.400", "123.40", "123.400", "123.40", "9.99999999999999",
       "123.4000000000", "123.40000", "123.40000000000000000000", "123.4000000000000000000000000",
       "10", "2"},
      {"15", "-99.99", "-563", "-562.580", "-562.58", "-562.580", "-562.58", "-9.99999999999999",
       "-562.5800000000", "-562.58000", "-562.58000000000000000000",
       "-562.5800000000000000000000000", "13", "2"},
      {"16", "-99.99", "-3699", "-3699.010", "-3699.01", "-3699.010", "-3699.01",
       "-9.99999999999999", "-3699.0100000000", "-3699.01000", "-3699.01000000000000000000",
       "-3699.0100000000000000000000000", "13", "2"},
      {"17", "-99.99", "-1948", "-1948.140", "-1948.14", "-1948.140", "-1948.14",
       "-9.99999999999999", "-1948.1400000000", "-1948.14000", "-1948.14000000000000000000",
       "-1948.1400000000000000000000000", "13", "2"},
  };
  auto d = decode_event(map_body, body, EventType::WRITE_ROWS_EVENT);
  REQUIRE(d->ev.after.size() == 17);
  CHECK(d->map.columns[1].metadata == (4 << 8 | 2));
  for (size_t row = 0; row < 17; ++row) {
    for (size_t col = 0; col < 14; ++col) {
      INFO("row " << row + 1 << " column " << col + 1);
      CHECK(text(d->ev.after[row].values[col], d->map.columns[col]) == expected[row][col]);
    }
  }
  CHECK(d->ev.after[0].values[11].kind == ValueKind::decimal);
  CHECK(d->ev.after[0].values[11].precision == 30);
  CHECK(d->ev.after[0].values[11].scale == 25);
  CHECK(d->ev.after[0].values[11].bytes.size() == 15);
}

TEST_CASE("DECIMAL: impossible metadata and pre-5.0 DECIMAL", "[binlog]") {
  CHECK_THROWS_WITH(single(246, {70, 0}, {}), Catch::Contains("impossible precision 70"));
  CHECK_THROWS_WITH(single(0, {}, {0x01}), Catch::Contains("pre-5.0 DECIMAL unsupported"));
  // A NULL old DECIMAL needs no decoding.
  auto d = decode_event(table_map_body(7, {{0, {}}}),
                        rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, {0x01}),
                        EventType::WRITE_ROWS_EVENT);
  CHECK(d->ev.after.at(0).values.at(0).is_null());
}

TEST_CASE("YEAR and DATE", "[binlog]") {
  auto y0 = single(13, {}, {0});
  CHECK(value_of(*y0).kind == ValueKind::year);
  CHECK(value_of(*y0).u == 0);
  CHECK(text_of(*y0) == "0000");
  auto y = single(13, {}, {124});
  CHECK(value_of(*y).u == 2024);
  CHECK(text_of(*y) == "2024");
  CHECK(text_of(*single(13, {}, {255})) == "2155");

  auto d = single(10, {}, Buf().le(2024u << 9 | 6u << 5 | 15u, 3).b);
  CHECK(value_of(*d).kind == ValueKind::date);
  CHECK(value_of(*d).t.year == 2024);
  CHECK(text_of(*d) == "2024-06-15");
  CHECK(text_of(*single(10, {}, {0, 0, 0})) == "0000-00-00");
  CHECK(text_of(*single(10, {}, Buf().le(2024u << 9 | 0u << 5 | 0u, 3).b)) == "2024-00-00");
  CHECK(text_of(*single(10, {}, Buf().le(9999u << 9 | 12u << 5 | 31u, 3).b)) == "9999-12-31");
}

TEST_CASE("TIME2: fsp 0 to 6, negative values, fraction borrow, beyond 24 hours", "[binlog]") {
  struct Case {
    bool negative;
    uint32_t h, m, s, micros;
    unsigned fsp;
    std::string text;
  };
  const std::vector<Case> cases = {
      {false, 0, 0, 0, 0, 0, "00:00:00"},
      {false, 15, 22, 33, 670000, 2, "15:22:33.67"},
      {true, 1, 2, 3, 500000, 3, "-01:02:03.500"},
      {true, 0, 0, 0, 500000, 1, "-00:00:00.5"},
      {true, 0, 0, 1, 0, 0, "-00:00:01"},
      {true, 0, 0, 0, 1, 6, "-00:00:00.000001"},
      {true, 0, 0, 0, 10, 5, "-00:00:00.00001"},
      {true, 0, 0, 0, 100, 4, "-00:00:00.0001"},
      {true, 12, 0, 0, 990000, 2, "-12:00:00.99"},
      {true, 838, 59, 59, 0, 0, "-838:59:59"},
      {false, 838, 59, 59, 0, 6, "838:59:59.000000"},
      {true, 838, 59, 59, 0, 6, "-838:59:59.000000"},
      {true, 507, 48, 27, 0, 0, "-507:48:27"},
      {false, 100, 1, 2, 123456, 6, "100:01:02.123456"},
      {true, 100, 1, 2, 123456, 6, "-100:01:02.123456"},
      {true, 23, 59, 59, 999900, 4, "-23:59:59.9999"},
      {false, 23, 59, 59, 999990, 5, "23:59:59.99999"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto d = single(19, {static_cast<uint8_t>(c.fsp)},
                    time2(c.negative, c.h, c.m, c.s, c.micros, c.fsp));
    const Value& v = value_of(*d);
    CHECK(v.kind == ValueKind::time);
    CHECK(v.fsp == c.fsp);
    CHECK(v.t.negative == c.negative);
    CHECK(v.t.hour == c.h);
    CHECK(v.t.micros == c.micros);
    CHECK(text_of(*d) == c.text);
  }
  // Hand-checked bytes: -00:00:00.5 at fsp 1 is int part -1 and fraction -50 (0xce).
  CHECK(time2(true, 0, 0, 0, 500000, 1) == Bytes{0x7f, 0xff, 0xff, 0xce});
  CHECK(text_of(*single(19, {1}, {0x7f, 0xff, 0xff, 0xce})) == "-00:00:00.5");
  // time_issue.000001 (MySQL 8.0.40): -507:48:27.
  auto fixture = decode_event(hex("2c06000000000100056e6f726961000174000113010001"),
                              hex("2c06000000000100020001ff006043e5"), EventType::WRITE_ROWS_EVENT);
  CHECK(text(fixture->ev.after.at(0).values.at(0), fixture->map.columns[0]) == "-507:48:27");
  // A fraction of a million microseconds or more is corrupt.
  CHECK_THROWS_WITH(single(19, {6}, Buf().be(0x800000000000 + 0xffffff, 6).b),
                    Catch::Contains("microseconds"));
}

TEST_CASE("DATETIME2 and TIMESTAMP2 with every fsp", "[binlog]") {
  const std::vector<std::pair<unsigned, std::string>> cases = {
      {0, "2024-06-15 12:34:56"},        {1, "2024-06-15 12:34:56.7"},
      {2, "2024-06-15 12:34:56.78"},     {3, "2024-06-15 12:34:56.789"},
      {4, "2024-06-15 12:34:56.7891"},   {5, "2024-06-15 12:34:56.78912"},
      {6, "2024-06-15 12:34:56.789123"},
  };
  const uint32_t micros[7] = {0, 700000, 780000, 789000, 789100, 789120, 789123};
  for (const auto& [fsp, expect] : cases) {
    INFO("fsp " << fsp);
    auto dt = single(18, {static_cast<uint8_t>(fsp)},
                     datetime2(2024, 6, 15, 12, 34, 56, micros[fsp], fsp));
    CHECK(value_of(*dt).kind == ValueKind::datetime);
    CHECK(value_of(*dt).t.micros == micros[fsp]);
    CHECK(text_of(*dt) == expect);

    Buf ts;
    ts.be(1718454896, 4);
    if (fsp >= 5) {
      ts.be(micros[fsp], 3);
    } else if (fsp >= 3) {
      ts.be(micros[fsp] / 100, 2);
    } else if (fsp >= 1) {
      ts.be(micros[fsp] / 10000, 1);
    }
    auto t = single(17, {static_cast<uint8_t>(fsp)}, ts.b);
    CHECK(value_of(*t).kind == ValueKind::timestamp);
    CHECK(value_of(*t).u == 1718454896);
    CHECK(text_of(*t) == expect);
  }
  CHECK(text_of(*single(18, {0}, datetime2(0, 0, 0, 0, 0, 0, 0, 0))) == "0000-00-00 00:00:00");
  CHECK(text_of(*single(18, {6}, datetime2(9999, 12, 31, 23, 59, 59, 999999, 6))) ==
        "9999-12-31 23:59:59.999999");
  CHECK(text_of(*single(17, {0}, {0, 0, 0, 0})) == "0000-00-00 00:00:00");
  CHECK(text_of(*single(17, {2}, {0, 0, 0, 0, 0})) == "0000-00-00 00:00:00.00");
  CHECK_THROWS_WITH(single(18, {7}, {}), Catch::Contains("fractional precision 7"));
}

TEST_CASE("old TIME, DATETIME and TIMESTAMP", "[binlog]") {
  auto t = single(11, {}, Buf().le(static_cast<uint32_t>(-8385959) & 0xffffff, 3).b);
  CHECK(value_of(*t).kind == ValueKind::time);
  CHECK(text_of(*t) == "-838:59:59");
  CHECK(text_of(*single(11, {}, Buf().le(123456, 3).b)) == "12:34:56");
  CHECK(text_of(*single(11, {}, Buf().le(0, 3).b)) == "00:00:00");

  auto dt = single(12, {}, Buf().le(20240615123456, 8).b);
  CHECK(value_of(*dt).kind == ValueKind::datetime);
  CHECK(text_of(*dt) == "2024-06-15 12:34:56");
  CHECK(text_of(*single(12, {}, Buf().le(0, 8).b)) == "0000-00-00 00:00:00");
  CHECK_THROWS_WITH(single(12, {}, Buf().le(20241315123456, 8).b), Catch::Contains("is not valid"));
  CHECK_THROWS_WITH(single(11, {}, Buf().le(127000, 3).b), Catch::Contains("is not valid"));

  auto ts = single(7, {}, Buf().le(1718454896, 4).b);
  CHECK(value_of(*ts).kind == ValueKind::timestamp);
  CHECK(text_of(*ts) == "2024-06-15 12:34:56");
  CHECK(text_of(*single(7, {}, Buf().le(0, 4).b)) == "0000-00-00 00:00:00");
}

TEST_CASE("MariaDB 5.3 hires TIME, DATETIME and TIMESTAMP need their precision", "[binlog]") {
  // binlog-mariadb118.binlog: capture_hires (dt3 DATETIME(3), t3 TIME(3), ts3 TIMESTAMP(3)),
  // logged as types 12, 11, 7 without metadata.
  const Bytes map_body =
      hex("0607000000000100167a6f6e676a695f666978747572655f63617074757265000d636170747572655f686972"
          "65730003"
          "0c0b070007");
  const Bytes body = hex("06070000000001000307f800422e00b3909500b3ced494666d8a700315");
  const FormatDescriptionEvent f = make_fde(true);
  TableMapEvent map = decode_map(map_body, f);
  CHECK(map.columns[0].metadata == 0);
  CHECK_THROWS_WITH(decode_with(body, EventType::WRITE_ROWS_EVENT_V1, map, f),
                    Catch::Contains("the binlog does not carry its precision"));
  for (auto& c : map.columns) c.metadata = 3;  // from the catalog
  const RowsEvent ev = decode_with(body, EventType::WRITE_ROWS_EVENT_V1, map, f);
  REQUIRE(ev.after.size() == 1);
  const auto& v = ev.after[0].values;
  CHECK(text(v[0], map.columns[0]) == "2024-06-15 12:34:56.789");
  CHECK(text(v[1], map.columns[1]) == "-01:02:03.500");
  CHECK(v[1].t.negative);
  CHECK(text(v[2], map.columns[2]) == "2024-06-15 12:34:56.789");
  CHECK(v[2].u == 1718454896);

  // Other precisions, from MariaDB's byte widths: TIME(n) 3-6 bytes offset by 838:59:59 + 1 s,
  // DATETIME(n) 5-8 bytes, TIMESTAMP(n) 4 + 0-3 bytes; all in units of 10^-n s.
  auto hires = [&](uint8_t type, uint8_t fsp, const Bytes& value) {
    TableMapEvent m = decode_map(table_map_body(7, {{type, {}}}), f);
    m.columns[0].metadata = fsp;
    const Bytes rows = rows_body(EventType::WRITE_ROWS_EVENT_V1, 7, 1, Buf().u8(0).raw(value).b);
    const RowsEvent e = decode_with(rows, EventType::WRITE_ROWS_EVENT_V1, m, f);
    return text(e.after.at(0).values.at(0), m.columns[0]);
  };
  const int64_t zero6 = (int64_t{838} * 3600 + 59 * 60 + 59 + 1) * 1000000;
  CHECK(hires(11, 6, Buf().be(static_cast<uint64_t>(zero6 - 1), 6).b) == "-00:00:00.000001");
  CHECK(hires(11, 1, Buf().be(static_cast<uint64_t>(zero6 / 100000 + 10), 4).b) == "00:00:01.0");
  CHECK(hires(11, 6, Buf().be(static_cast<uint64_t>(zero6 + 3020399999999), 6).b) ==
        "838:59:59.999999");
  const uint64_t dt = ((((uint64_t{2024} * 13 + 6) * 32 + 15) * 24 + 12) * 60 + 34) * 60 + 56;
  CHECK(hires(12, 6, Buf().be(dt * 1000000 + 123456, 8).b) == "2024-06-15 12:34:56.123456");
  CHECK(hires(12, 1, Buf().be(dt * 10 + 7, 6).b) == "2024-06-15 12:34:56.7");
  CHECK(hires(7, 6, Buf().be(1718454896, 4).be(123456, 3).b) == "2024-06-15 12:34:56.123456");
  CHECK(hires(7, 2, Buf().be(1718454896, 4).be(12, 1).b) == "2024-06-15 12:34:56.12");
}

TEST_CASE("VARCHAR and CHAR lengths: one or two bytes by the column's byte length", "[binlog]") {
  auto v1 = single(15, {255, 0}, Buf().u8(3).str("abc").b);
  CHECK(value_of(*v1).kind == ValueKind::string);
  CHECK(text_of(*v1) == "abc");
  const std::string long_text(300, 'x');
  auto v2 = single(15, {0x00, 0x01}, Buf().le(300, 2).str(long_text).b);  // 256 bytes max
  CHECK(text_of(*v2) == long_text);
  auto empty = single(15, {0x00, 0x01}, Buf().le(0, 2).b);
  CHECK(text_of(*empty).empty());
  CHECK(value_of(*empty).kind == ValueKind::string);

  auto c1 = single(254, {0xfe, 20}, Buf().u8(3).str("abc").b);
  CHECK(text_of(*c1) == "abc");
  // CHAR(255) utf8mb4, 1020 bytes: two length bytes.
  const std::string chars(298, '7');
  auto c2 = single(254, {0xce, 0xfc}, Buf().le(298, 2).str(chars).b);
  CHECK(text_of(*c2) == chars);
  CHECK(c2->map.columns[0].max_length == 1020);
  // A VARCHAR claiming more bytes than the event has.
  CHECK_THROWS_WITH(single(15, {10, 0}, Buf().u8(9).str("abc").b),
                    Catch::Contains("claims 9 bytes"));
}

TEST_CASE("BINARY(n) values get back the trailing zero bytes the binlog drops", "[binlog]") {
  const Bytes charset63 = Buf().u8(2).packed(1).packed(63).b;
  auto b = single(254, {0xfe, 4}, Buf().u8(2).u8(0xde).u8(0xad).b, charset63);
  CHECK(value_of(*b).kind == ValueKind::bytes);
  CHECK(value_of(*b).bytes.size() == 4);
  CHECK(text_of(*b) == std::string("\xde\xad\0\0", 4));
  auto full = single(254, {0xfe, 4}, Buf().u8(4).raw({1, 2, 3, 4}).b, charset63);
  CHECK(text_of(*full) == "\x01\x02\x03\x04");
  auto zero = single(254, {0xfe, 16}, Buf().u8(0).b, charset63);
  CHECK(text_of(*zero) == std::string(16, '\0'));
  // A CHAR keeps what was logged (MySQL strips the trailing spaces on SELECT too).
  auto text_char =
      single(254, {0xfe, 4}, Buf().u8(2).str("ab").b, Buf().u8(2).packed(1).packed(8).b);
  CHECK(text_of(*text_char) == "ab");
  CHECK(value_of(*text_char).kind == ValueKind::string);
}

TEST_CASE("ENUM and SET sizes", "[binlog]") {
  auto e1 = single(254, {0xf7, 1}, {2});
  CHECK(value_of(*e1).kind == ValueKind::enum_index);
  CHECK(value_of(*e1).u == 2);
  auto e2 = single(254, {0xf7, 2}, {0x2c, 0x01});
  CHECK(value_of(*e2).u == 300);
  CHECK(text_of(*e2) == "300");
  for (unsigned n : {1u, 2u, 3u, 4u, 8u}) {
    INFO("SET of " << n << " bytes");
    const uint64_t bits = n == 8 ? 0x8000000000000001 : (uint64_t{1} << (8 * n - 1)) | 1;
    auto s = single(254, {0xf8, static_cast<uint8_t>(n)}, Buf().le(bits, n).b);
    CHECK(value_of(*s).kind == ValueKind::set_bits);
    CHECK(value_of(*s).u == bits);
  }
  CHECK_THROWS_WITH(single(254, {0xf8, 5}, {}), Catch::Contains("impossible SET size of 5"));
  CHECK_THROWS_WITH(single(254, {0xf7, 3}, {}), Catch::Contains("impossible ENUM size of 3"));
  // Labels from ENUM_STR_VALUE / SET_STR_VALUE.
  Buf enums;
  enums.packed(2).lstr("low").lstr("high");
  auto labelled = single(254, {0xf7, 1}, {2}, Buf().u8(6).packed(enums.b.size()).raw(enums.b).b);
  CHECK(text_of(*labelled) == "high");
}

TEST_CASE("BIT of every width from 1 to 64", "[binlog]") {
  for (unsigned width = 1; width <= 64; ++width) {
    INFO("BIT(" << width << ")");
    const unsigned bytes = (width + 7) / 8;
    Bytes value(bytes, 0);
    value[0] = static_cast<uint8_t>(width % 8 == 0 ? 0x80 : 1u << (width % 8 - 1));  // top bit
    value[bytes - 1] = static_cast<uint8_t>(value[bytes - 1] | 1);                   // bit 0
    auto d = single(16, {static_cast<uint8_t>(width % 8), static_cast<uint8_t>(width / 8)}, value);
    const Value& v = value_of(*d);
    CHECK(v.kind == ValueKind::bit);
    CHECK(v.bits == width);
    CHECK(Bytes(v.bytes.begin(), v.bytes.end()) == value);
    CHECK(text_of(*d) == as_string(value));
  }
  CHECK_THROWS_WITH(single(16, {0, 9}, {}), Catch::Contains("impossible metadata"));
  CHECK_THROWS_WITH(single(16, {0, 0}, {}), Catch::Contains("impossible metadata"));
}

TEST_CASE("BLOB, TEXT, GEOMETRY, JSON and VECTOR", "[binlog]") {
  for (unsigned n = 1; n <= 4; ++n) {
    INFO(n << " length bytes");
    auto b = single(252, {static_cast<uint8_t>(n)}, Buf().le(3, n).raw({0xca, 0xfe, 0x00}).b);
    CHECK(value_of(*b).kind == ValueKind::bytes);
    CHECK(text_of(*b) == std::string("\xca\xfe\0", 3));
  }
  auto txt = single(252, {2}, Buf().le(4, 2).str("text").b, Buf().tlv(2, Buf().packed(255)).b);
  CHECK(value_of(*txt).kind == ValueKind::string);
  auto bin = single(252, {2}, Buf().le(1, 2).u8(1).b, Buf().u8(2).packed(1).packed(63).b);
  CHECK(value_of(*bin).kind == ValueKind::bytes);
  auto geo = single(255, {4}, Buf().le(5, 4).raw({0, 0, 0, 0, 1}).b);
  CHECK(value_of(*geo).kind == ValueKind::geometry);
  CHECK(value_of(*geo).bytes.size() == 5);
  auto json = single(245, {4}, Buf().le(2, 4).raw({0x04, 0x01}).b);
  CHECK(value_of(*json).kind == ValueKind::json);
  CHECK(text_of(*json) == "true");
  auto vec = single(242, {4}, Buf().le(8, 4).le(0x3f800000, 4).le(0xbf800000, 4).b);
  CHECK(value_of(*vec).kind == ValueKind::vector);
  CHECK(value_of(*vec).bytes.size() == 8);
  CHECK_THROWS_WITH(single(252, {5}, {}), Catch::Contains("has 5 length bytes"));
  CHECK_THROWS_WITH(single(252, {1}, Buf().u8(10).str("abc").b),
                    Catch::Contains("claims 10 bytes"));
}

TEST_CASE("a column type rows cannot carry is a DecodeError", "[binlog]") {
  CHECK_THROWS_WITH(single(6, {}, {}), Catch::Contains("MYSQL_TYPE_NULL"));
}

// ----------------------------------------------------------------------------------------------
// Row images

TEST_CASE("null bitmaps count present columns only, and absent columns are null", "[binlog]") {
  // Four INT columns; the image holds columns 0, 2 and 3; column 2 is NULL.
  const Bytes map = table_map_body(7, {{3, {}}, {3, {}}, {3, {}}, {3, {}}});
  Buf rows;
  rows.u8(0b010).le(10, 4).le(30, 4);  // null bits: present #0 no, #1 (column 2) yes, #2 no
  rows.u8(0b000).le(11, 4).le(0, 4).le(31, 4);
  auto d = decode_event(map, rows_body(EventType::WRITE_ROWS_EVENT, 7, 4, rows.b, {0b1101}),
                        EventType::WRITE_ROWS_EVENT);
  REQUIRE(d->ev.after.size() == 2);
  const RowImage& a = d->ev.after[0];
  CHECK(a.present.to_vector() == std::vector<bool>{true, false, true, true});
  CHECK(a.values[0].i == 10);
  CHECK(a.values[1].is_null());
  CHECK(a.values[1].type == CT::MYSQL_TYPE_LONG);
  CHECK(a.values[2].is_null());
  CHECK(a.values[3].i == 30);
  CHECK(d->ev.after[1].values[2].i == 0);
  CHECK_FALSE(d->ev.after[1].values[2].is_null());
  CHECK(d->ev.column_count == 4);
  CHECK(d->ev.kind == RowsKind::write);
  CHECK(d->ev.version == 2);
  CHECK(d->ev.table_id == 7);
}

TEST_CASE("nine or more columns use multi-byte bitmaps", "[binlog]") {
  std::vector<Col> cols(10, Col{1, {}});
  Buf rows;
  rows.u8(0x00).u8(0x02);  // 10 null bits: the last present column is NULL
  for (int i = 0; i < 9; ++i) rows.u8(static_cast<uint64_t>(i));
  auto d =
      decode_event(table_map_body(7, cols), rows_body(EventType::WRITE_ROWS_EVENT, 7, 10, rows.b),
                   EventType::WRITE_ROWS_EVENT);
  REQUIRE(d->ev.after.size() == 1);
  CHECK(d->ev.after[0].values[8].i == 8);
  CHECK(d->ev.after[0].values[9].is_null());
}

TEST_CASE("UPDATE: before and after images with their own bitmaps, v1 and v2", "[binlog]") {
  const Bytes map = table_map_body(7, {{3, {}, false}, {15, {20, 0}}, {8, {}}});
  Buf rows;
  // Before: id and name (MINIMAL-like); after: name and the bigint.
  rows.u8(0).le(1, 4).u8(3).str("old");
  rows.u8(0).u8(3).str("new").le(99, 8);
  rows.u8(0).le(2, 4).u8(1).str("x");
  rows.u8(0b10).u8(1).str("y");
  for (auto type : {EventType::UPDATE_ROWS_EVENT, EventType::UPDATE_ROWS_EVENT_V1}) {
    auto d = decode_event(map, rows_body(type, 7, 3, rows.b, {0b011}, {0b110}), type);
    const RowsEvent& ev = d->ev;
    CHECK(ev.kind == RowsKind::update);
    CHECK(ev.version == (type == EventType::UPDATE_ROWS_EVENT ? 2 : 1));
    REQUIRE(ev.before.size() == 2);
    REQUIRE(ev.after.size() == 2);
    CHECK(ev.before[0].present.to_vector() == std::vector<bool>{true, true, false});
    CHECK(ev.after[0].present.to_vector() == std::vector<bool>{false, true, true});
    CHECK(ev.before[0].values[0].i == 1);
    CHECK(as_string(ev.before[0].values[1].bytes) == "old");
    CHECK(as_string(ev.after[0].values[1].bytes) == "new");
    CHECK(ev.after[0].values[2].i == 99);
    CHECK(ev.before[1].values[0].i == 2);
    CHECK(as_string(ev.after[1].values[1].bytes) == "y");
    CHECK(ev.after[1].values[2].is_null());
  }
}

TEST_CASE("DELETE and pre-GA events", "[binlog]") {
  const Bytes map = table_map_body(7, {{3, {}}});
  auto del =
      decode_event(map, rows_body(EventType::DELETE_ROWS_EVENT_V1, 7, 1, Buf().u8(0).le(5, 4).b),
                   EventType::DELETE_ROWS_EVENT_V1);
  CHECK(del->ev.kind == RowsKind::erase);
  REQUIRE(del->ev.before.size() == 1);
  CHECK(del->ev.after.empty());
  CHECK(del->ev.before[0].values[0].i == 5);

  // Pre-GA (5.1 before GA): no extra data and one bitmap for both update images.
  auto upd = decode_event(
      map,
      rows_body(EventType::PRE_GA_UPDATE_ROWS_EVENT, 7, 1, Buf().u8(0).le(5, 4).u8(0).le(6, 4).b),
      EventType::PRE_GA_UPDATE_ROWS_EVENT);
  CHECK(upd->ev.version == 0);
  CHECK(upd->ev.kind == RowsKind::update);
  REQUIRE(upd->ev.after.size() == 1);
  CHECK(upd->ev.before[0].values[0].i == 5);
  CHECK(upd->ev.after[0].values[0].i == 6);
  auto wr =
      decode_event(map, rows_body(EventType::PRE_GA_WRITE_ROWS_EVENT, 7, 1, Buf().u8(0).le(5, 4).b),
                   EventType::PRE_GA_WRITE_ROWS_EVENT);
  CHECK(wr->ev.after.at(0).values.at(0).i == 5);
}

TEST_CASE("v2 extra row info is kept undecoded", "[binlog]") {
  const Bytes extra = {0x00, 0x03, 0x01, 0x02, 0x03};
  auto d = decode_event(
      table_map_body(7, {{3, {}}}),
      rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, Buf().u8(0).le(5, 4).b, {}, {}, extra),
      EventType::WRITE_ROWS_EVENT);
  CHECK(Bytes(d->ev.extra_info.begin(), d->ev.extra_info.end()) == extra);
  CHECK(d->ev.after.at(0).values.at(0).i == 5);
  Buf bad;
  bad.le(7, 6).le(0, 2).le(1, 2);
  CHECK_THROWS_WITH(
      decode_with(bad.b, EventType::WRITE_ROWS_EVENT, decode_map(table_map_body(7, {{3, {}}}))),
      Catch::Contains("below 2"));
}

TEST_CASE("a table id without a map, or another column count, is a DecodeError", "[binlog]") {
  const TableMapEvent map = decode_map(table_map_body(7, {{3, {}}, {3, {}}}));
  const Bytes other_id =
      rows_body(EventType::WRITE_ROWS_EVENT, 8, 2, Buf().u8(0).le(1, 4).le(2, 4).b);
  CHECK_THROWS_WITH(decode_with(other_id, EventType::WRITE_ROWS_EVENT, map),
                    Catch::Contains("table id 8, which no TABLE_MAP_EVENT"));
  const Bytes three =
      rows_body(EventType::WRITE_ROWS_EVENT, 7, 3, Buf().u8(0).le(1, 4).le(2, 4).le(3, 4).b);
  CHECK_THROWS_WITH(
      decode_with(three, EventType::WRITE_ROWS_EVENT, map),
      Catch::Contains("table id 7 (`db`.`t`) has 3 columns but its TABLE_MAP_EVENT has 2"));
  const Bytes one = rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, Buf().u8(0).le(1, 4).b);
  CHECK_THROWS_WITH(decode_with(one, EventType::WRITE_ROWS_EVENT, map),
                    Catch::Contains("has 1 columns but its TABLE_MAP_EVENT has 2"));
}

TEST_CASE("a row image with no columns is an error, not an endless loop", "[binlog]") {
  const TableMapEvent map = decode_map(table_map_body(7, {{3, {}}}));
  const Bytes body = rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, {0x00}, {0x00});
  CHECK_THROWS_WITH(decode_with(body, EventType::WRITE_ROWS_EVENT, map),
                    Catch::Contains("has no columns"));
  // No rows at all is a valid (empty) event.
  const Bytes empty = rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, {});
  CHECK(decode_with(empty, EventType::WRITE_ROWS_EVENT, map).after.empty());
}

TEST_CASE("every truncation of a rows event is a DecodeError", "[binlog]") {
  const TableMapEvent map = decode_map(table_map_body(
      7, {{3, {}}, {15, {20, 0}}, {246, {10, 2}}, {19, {3}}, {254, {0xf8, 1}}, {252, {2}}}));
  Buf row;
  row.u8(0)
      .le(1, 4)
      .u8(2)
      .str("ab")
      .raw(Bytes(5, 0x80))
      .raw(Bytes{0x80, 0, 0, 0, 0})
      .u8(3)
      .le(2, 2)
      .str("zz");
  Buf rows;
  rows.raw(row.b).raw(row.b);
  for (auto type : {EventType::WRITE_ROWS_EVENT, EventType::UPDATE_ROWS_EVENT,
                    EventType::DELETE_ROWS_EVENT_V1}) {
    const Bytes full = rows_body(type, 7, 6, rows.b);
    INFO("event type " << int(type));
    REQUIRE_NOTHROW(decode_with(full, type, map));
    for (size_t n = 0; n < full.size(); ++n) {
      const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      // A cut exactly between two whole images is a shorter valid event (writes and deletes).
      const size_t header = full.size() - rows.b.size();
      if (type != EventType::UPDATE_ROWS_EVENT && (n == header || n == header + row.b.size())) {
        CHECK_NOTHROW(decode_with(cut, type, map));
        continue;
      }
      if (type == EventType::UPDATE_ROWS_EVENT && n == header) continue;
      INFO("prefix of " << n << " bytes");
      CHECK_THROWS_AS(decode_with(cut, type, map), DecodeError);
    }
  }
}

TEST_CASE("decode errors name the table, row and column", "[binlog]") {
  Buf names;
  names.lstr("id").lstr("label");
  const TableMapEvent map = decode_map(table_map_body(
      7, {{3, {}}, {15, {20, 0}}}, Buf().u8(4).packed(names.b.size()).raw(names.b).b));
  const Bytes body = rows_body(EventType::WRITE_ROWS_EVENT, 7, 2,
                               Buf().u8(0).le(1, 4).u8(1).str("a").u8(0).le(2, 4).u8(5).str("b").b);
  CHECK_THROWS_WITH(decode_with(body, EventType::WRITE_ROWS_EVENT, map),
                    Catch::Contains("`db`.`t` row 2, column 2 `label` (MYSQL_TYPE_VARCHAR)") &&
                        Catch::Contains("claims 5 bytes"));
}

// ----------------------------------------------------------------------------------------------
// Captured events

TEST_CASE("MySQL 8.4 FULL metadata: every type of zongji's capture_types", "[binlog]") {
  // zongji/binlog-mysql84-fullmeta.binlog: TABLE_MAP @1133, WRITE_ROWS @1453, UPDATE_ROWS @2273.
  const Bytes map_body =
      hex("6000000000000100167a6f6e676a695f666978747572655f63617074757265000d636170747572655f747970"
          "6573001a"
          "030808f60ffefe0ffcfc040512110a130dfefefe10f5fffc0f0f201e0a5000fe14fe04080002020408030003"
          "f701f701"
          "f801020104040214001400feffff03010122030ffcff00fcff003f3ffcff003f080823070100047202696405"
          "695f6269"
          "6705755f626967076465635f636f6c0276630263680762696e5f636f6c0276620374787403626c6203666c74"
          "0364626c"
          "02647402747301640174017901650265320173026274026a730367656f0a7478745f6c6174696e310976635f"
          "6c617469"
          "6e310776635f756373320a03fcff0005070301780179017a0616030161016201630303612c62036327640570"
          "6c61696e"
          "0801000c04ffffffc0");
  const Bytes write =
      hex("600000000000010002001affffffff0000000001000000ffffffffffffff7fffffffffffffffff7fff439eb1"
          "ca484078"
          "ff439eb1f60d68c3a96c6c6f2077c3b6726c640361626304deadbeef0201020a00746578742076616c756502"
          "00cafe00"
          "00a03f00000000000004c099b39ec8b81ed2666d8a70cfd00f7fef7cec787c02020502014800000000040047"
          "00200001"
          "002100010022000300250003000501000b28000230000a3f006164617272626967000000000000f83f03000f"
          "000c0d00"
          "0401000400000178ffffffffffffff7f19000000000000000101000000000000000000f03f00000000000000"
          "40060063"
          "6166e920f1089f80207365f16f720a006800e9006c006c006f");
  auto d = decode_event(map_body, write, EventType::WRITE_ROWS_EVENT);
  const TableMapEvent& m = d->map;
  REQUIRE(m.columns.size() == 26);
  CHECK(m.table == "capture_types");
  CHECK(m.columns[0].name == "id");
  CHECK(m.columns[25].name == "vc_ucs2");
  CHECK(m.columns[2].is_unsigned == true);
  CHECK(m.columns[1].is_unsigned == false);
  CHECK(m.columns[4].charset == 255u);
  CHECK(m.columns[6].charset == 63u);
  CHECK(m.columns[23].charset == 8u);
  CHECK(m.columns[25].charset == 35u);
  CHECK(m.columns[17].enum_values == std::vector<std::string>{"a", "b", "c"});
  CHECK(m.columns[18].enum_values == std::vector<std::string>{"a,b", "c'd", "plain"});
  CHECK(m.columns[19].set_values == std::vector<std::string>{"x", "y", "z"});
  CHECK(m.columns[22].geometry_type == 0u);
  CHECK(m.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
  CHECK(m.columns[25].visible == true);

  REQUIRE(d->ev.after.size() == 1);
  const auto& v = d->ev.after[0].values;
  std::vector<std::string> got;
  for (size_t i = 0; i < v.size(); ++i) got.push_back(text(v[i], m.columns[i]));
  const std::vector<std::string> expected = {
      "1",
      "9223372036854775807",
      "18446744073709551615",
      "-12345678901234567.0123456789",
      "h\xc3\xa9llo w\xc3\xb6rld",
      "abc",
      "\xde\xad\xbe\xef",
      "\x01\x02",
      "text value",
      "\xca\xfe",
      "1.25",
      "-2.5",
      "2024-06-15 12:34:56.789",
      "2024-06-15 12:34:56",
      "2024-06-15",
      "-01:02:03.500",
      "2024",
      "b",
      "c'd",
      "x,z",
      "\x02\x01",
      R"({"a": 1, "d": 1.5, "arr": ["x", true, null], "big": 9223372036854775807})",
      std::string("\0\0\0\0\x01\x01\0\0\0\0\0\0\0\0\0\xf0?\0\0\0\0\0\0\0@", 25),
      "caf\xe9 \xf1",
      "\x9f\x80 se\xf1or",
      std::string("\0h\0\xe9\0l\0l\0o", 10),
  };
  CHECK(got == expected);
  CHECK(v[13].u == 1718454896);
  CHECK(v[20].bits == 10);
  CHECK(v[4].kind == ValueKind::string);
  CHECK(v[6].kind == ValueKind::bytes);
  CHECK(v[9].kind == ValueKind::bytes);
  CHECK(v[8].kind == ValueKind::string);
}

TEST_CASE("PARTIAL_UPDATE_ROWS: a diff without its before image stays a diff", "[binlog]") {
  // rust_mysql_common/json.binlog.000001 (8.0.22): TABLE_MAP @3691, PARTIAL_UPDATE_ROWS @3750;
  // MINIMAL before image (id), after image json_col (a REPLACE of $.age), name, age.
  const Bytes map_body =
      hex("7700000000000100056d7973716c000174000403f50f03030490010e0101000203fcff00");
  const Bytes body =
      hex("7700000000000100020004010e00010000000101000b0000000005242e61676503051a0003004a6f651a0000"
          "00000200"
          "00000101000b0000000005242e6167650305220003005375652200000000030000000101000b000000000524"
          "2e616765"
          "03052a000400506574652a00000000040000000101000b0000000005242e61676503051a0003004a6f651a00"
          "00000005"
          "0000000101000b0000000005242e6167650305220003005375652200000000060000000101000b0000000005"
          "242e6167"
          "6503052a000400506574652a000000");
  auto d = decode_event(map_body, body, EventType::PARTIAL_UPDATE_ROWS_EVENT);
  const RowsEvent& ev = d->ev;
  CHECK(ev.kind == RowsKind::partial_update);
  REQUIRE(ev.before.size() == 6);
  REQUIRE(ev.after.size() == 6);
  CHECK(ev.before[2].values[0].i == 3);
  const Value& diff = ev.after[0].values[1];
  CHECK(diff.kind == ValueKind::json_diff);
  CHECK(Bytes(diff.bytes.begin(), diff.bytes.end()) == hex("0005242e61676503051a00"));
  CHECK(as_string(ev.after[2].values[2].bytes) == "Pete");
  CHECK(ev.after[2].values[3].i == 42);
  CHECK(text(diff, d->map.columns[1]) == "JSON_REPLACE(@, '$.age', 26)");
}

TEST_CASE("PARTIAL_UPDATE_ROWS: a diff with its before image becomes the new document",
          "[binlog]") {
  // id INT, doc JSON, other JSON. Before image: both documents; after: doc as a diff, other in
  // full.
  const Bytes map = table_map_body(3, {{3, {}, false}, {245, {4}}, {245, {4}}});
  // {"age": 24, "data": "xxxxxxxxxx", "name": "Joe"} as MySQL stores it.
  const Bytes doc =
      hex("0003003300190003001c000400200004000518000c24000c2f00616765646174616e616d650a787878787878"
          "78787878"
          "034a6f65");
  const Bytes diff = hex("0005242e61676503051a00");  // REPLACE $.age with 26
  Buf rows;
  rows.u8(0).le(1, 4).le(doc.size(), 4).raw(doc).le(2, 4).raw({0x04, 0x01});
  rows.packed(1).u8(0b01).u8(0).le(1, 4).le(diff.size(), 4).raw(diff).le(2, 4).raw({0x04, 0x02});
  auto d = decode_event(map, rows_body(EventType::PARTIAL_UPDATE_ROWS_EVENT, 3, 3, rows.b),
                        EventType::PARTIAL_UPDATE_ROWS_EVENT);
  REQUIRE(d->ev.after.size() == 1);
  const Value& v = d->ev.after[0].values[1];
  CHECK(v.kind == ValueKind::json_text);
  CHECK(text(v, d->map.columns[1]) == R"({"age": 26, "data": "xxxxxxxxxx", "name": "Joe"})");
  CHECK(d->ev.after[0].values[2].kind == ValueKind::json);
  CHECK(text(d->ev.after[0].values[2], d->map.columns[2]) == "false");

  // value_options 0: no partial bits, every JSON in full.
  Buf full;
  full.u8(0).le(1, 4).le(2, 4).raw({0x04, 0x01}).le(2, 4).raw({0x04, 0x01});
  full.packed(0).u8(0).le(1, 4).le(2, 4).raw({0x04, 0x02}).le(2, 4).raw({0x04, 0x02});
  auto f = decode_event(map, rows_body(EventType::PARTIAL_UPDATE_ROWS_EVENT, 3, 3, full.b),
                        EventType::PARTIAL_UPDATE_ROWS_EVENT);
  CHECK(text(f->ev.after.at(0).values[1], f->map.columns[1]) == "false");
  // Unknown value_options bits are corrupt.
  Buf bad;
  bad.u8(0).le(1, 4).le(2, 4).raw({0x04, 0x01}).le(2, 4).raw({0x04, 0x01}).packed(2);
  CHECK_THROWS_WITH(decode_with(rows_body(EventType::PARTIAL_UPDATE_ROWS_EVENT, 3, 3, bad.b),
                                EventType::PARTIAL_UPDATE_ROWS_EVENT, decode_map(map)),
                    Catch::Contains("value_options"));
}

TEST_CASE("MariaDB 11.8: UUID, INET4, INET6, VECTOR, JSON and compressed columns", "[binlog]") {
  // zongji/binlog-mariadb118.binlog: capture_mariadb TABLE_MAP @4314, rows @4423 and @4816.
  const FormatDescriptionEvent f = make_fde(true);
  const Bytes map_body =
      hex("0507000000000100167a6f6e676a695f666978747572655f63617074757265000f636170747572655f6d6172"
          "69616462"
          "000803fefefe0ffc8d8c0cfe10fe04fe100c0004b10402fe01010002093f042e05fc00090608");
  const Bytes row1 =
      hex("050700000000010008ff0001000000101111111122223333444455555555555504c0a8010a10000000000000"
          "00000000"
          "ffff080808080c0000c03f0000204000006040080000007b2261223a20317d0e0089d22b2e2c4d2cced02d1e"
          "3e14000f"
          "0000636166e9206c6174696e206f6e65");
  auto d = decode_event(map_body, row1, EventType::WRITE_ROWS_EVENT_V1, f);
  TableMapEvent map = d->map;
  CHECK(map.columns[6].type == static_cast<ColumnType>(141));  // VARCHAR(300) COMPRESSED
  CHECK(map.columns[6].metadata == 1201);
  CHECK(map.columns[7].type == static_cast<ColumnType>(140));  // TEXT COMPRESSED
  CHECK(map.columns[7].metadata == 2);
  CHECK(map.columns[5].charset == 46u);
  CHECK(map.columns[6].charset == 2304u);
  CHECK(map.columns[7].charset == 8u);
  map.columns[1].mariadb_fbt = FixedBinaryType::uuid;
  map.columns[2].mariadb_fbt = FixedBinaryType::inet4;
  map.columns[3].mariadb_fbt = FixedBinaryType::inet6;
  const auto& v = d->ev.after.at(0).values;
  CHECK(text(v[1], map.columns[1]) == "11111111-2222-3333-4444-555555555555");
  CHECK(text(v[2], map.columns[2]) == "192.168.1.10");
  CHECK(text(v[3], map.columns[3]) == "::ffff:8.8.8.8");
  CHECK(Bytes(v[4].bytes.begin(), v[4].bytes.end()) == hex("0000c03f0000204000006040"));
  CHECK(text(v[5], map.columns[5]) == R"({"a": 1})");
  CHECK(v[5].kind == ValueKind::string);
  std::string squash;
  for (int i = 0; i < 30; ++i) squash += "squash-";
  CHECK(text(v[6], map.columns[6]) == squash);
  CHECK(text(v[7], map.columns[7]) == "caf\xe9 latin one");

  // Row 2: INET6 '::' arrives as zero bytes and is padded back to 16.
  const Bytes row2 = hex("0507000000000100085ff60200000000");  // outlives the event's views
  const RowsEvent two = decode_with(row2, EventType::WRITE_ROWS_EVENT_V1, map, f);
  const auto& w = two.after.at(0).values;
  CHECK(w[3].bytes.size() == 16);
  CHECK(text(w[3], map.columns[3]) == "::");
  CHECK(w[1].is_null());
  CHECK_FALSE(two.after[0].present[5]);
}

TEST_CASE("MariaDB compressed rows events", "[binlog]") {
  const FormatDescriptionEvent f = make_fde(true);
  const Bytes map_body =
      hex("0507000000000100167a6f6e676a695f666978747572655f63617074757265000f636170747572655f6d6172"
          "69616462"
          "000803fefefe0ffc8d8c0cfe10fe04fe100c0004b10402fe01010002093f042e05fc00090608");
  // binlog-mariadb118.binlog @5712: WRITE_ROWS_COMPRESSED_EVENT_V1, (3, vc_comp 'flat-' x 40).
  auto d = decode_event(
      map_body,
      hex("0507000000000100085f8113789cbbc7ccc0c0c0c3d079c2fbb4a7ce455fe95f2c0c0037c50601"),
      EventType::WRITE_ROWS_COMPRESSED_EVENT_V1, f);
  CHECK(d->ev.compressed);
  CHECK(d->ev.version == 1);
  REQUIRE(d->ev.after.size() == 1);
  std::string flat;
  for (int i = 0; i < 40; ++i) flat += "flat-";
  CHECK(d->ev.after[0].values[0].i == 3);
  CHECK(text(d->ev.after[0].values[6], d->map.columns[6]) == flat);

  // An UPDATE_ROWS_COMPRESSED_EVENT (v2) built here: the images after the bitmaps, compressed.
  const Bytes map = table_map_body(4, {{3, {}}, {15, {20, 0}}});
  Buf images;
  images.u8(0).le(1, 4).u8(3).str("old").u8(0).le(1, 4).u8(3).str("new");
  Bytes packed(compressBound(static_cast<uLong>(images.b.size())));
  uLongf packed_size = static_cast<uLongf>(packed.size());
  REQUIRE(compress(packed.data(), &packed_size, images.b.data(),
                   static_cast<uLong>(images.b.size())) == Z_OK);
  packed.resize(packed_size);
  const Bytes body = rows_body(EventType::UPDATE_ROWS_COMPRESSED_EVENT, 4, 2,
                               Buf().u8(0x82).be(images.b.size(), 2).raw(packed).b);
  auto u = decode_event(map, body, EventType::UPDATE_ROWS_COMPRESSED_EVENT, f);
  CHECK(u->ev.version == 2);
  CHECK(u->ev.kind == RowsKind::update);
  REQUIRE(u->ev.after.size() == 1);
  CHECK(as_string(u->ev.before[0].values[1].bytes) == "old");
  CHECK(as_string(u->ev.after[0].values[1].bytes) == "new");

  // Wrong declared sizes, a bad header and a corrupt stream.
  const TableMapEvent tm = decode_map(map);
  auto compressed_event = [&](const Bytes& header_and_data) {
    return rows_body(EventType::UPDATE_ROWS_COMPRESSED_EVENT, 4, 2, header_and_data);
  };
  CHECK_THROWS_WITH(
      decode_with(compressed_event(Buf().u8(0x82).be(images.b.size() + 1, 2).raw(packed).b),
                  EventType::UPDATE_ROWS_COMPRESSED_EVENT, tm, f),
      Catch::Contains("do not inflate to their declared"));
  CHECK_THROWS_WITH(decode_with(compressed_event(Buf().u8(0x84).be(0x7fffffff, 4).raw(packed).b),
                                EventType::UPDATE_ROWS_COMPRESSED_EVENT, tm, f),
                    Catch::Contains("compressed rows length"));
  CHECK_THROWS_WITH(decode_with(compressed_event(Buf().u8(0x40).raw(packed).b),
                                EventType::UPDATE_ROWS_COMPRESSED_EVENT, tm, f),
                    Catch::Contains("compressed rows header"));
  Bytes broken = packed;
  broken[broken.size() / 2] ^= 0xff;
  CHECK_THROWS_AS(decode_with(compressed_event(Buf().u8(0x82).be(images.b.size(), 2).raw(broken).b),
                              EventType::UPDATE_ROWS_COMPRESSED_EVENT, tm, f),
                  DecodeError);
}

TEST_CASE("MariaDB compressed column headers: zlib, raw deflate, stored, limits", "[binlog]") {
  const FormatDescriptionEvent f = make_fde(true);
  const std::string original = "compress me, compress me, compress me, compress me";
  auto deflate_with = [&](int wbits) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Bytes out(256);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(original.data()));
    z.avail_in = static_cast<uInt>(original.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  };
  auto column = [&](uint8_t type, const Bytes& meta, const Bytes& stored) {
    const Bytes map = table_map_body(7, {{type, meta}});
    unsigned length_bytes = meta[0];
    if (type == 141) length_bytes = (meta[0] | meta[1] << 8) > 255 ? 2 : 1;
    const Bytes body = rows_body(EventType::WRITE_ROWS_EVENT_V1, 7, 1,
                                 Buf().u8(0).le(stored.size(), length_bytes).raw(stored).b);
    auto d = decode_event(map, body, EventType::WRITE_ROWS_EVENT_V1, f);
    return as_string(d->ev.after.at(0).values.at(0).bytes);
  };
  const Bytes zlib = deflate_with(MAX_WBITS);
  const Bytes raw = deflate_with(-MAX_WBITS);
  CHECK(column(141, {0xb1, 0x04}, Buf().u8(0x81).u8(original.size()).raw(zlib).b) == original);
  CHECK(column(141, {100, 0}, Buf().u8(0x89).u8(original.size()).raw(raw).b) == original);
  CHECK(column(140, {2}, Buf().u8(0x82).be(original.size(), 2).raw(zlib).b) == original);
  CHECK(column(140, {1}, Buf().u8(0x00).str("stored").b) == "stored");
  CHECK(column(140, {1}, {}).empty());
  CHECK_THROWS_WITH(column(141, {20, 0}, Buf().u8(0x81).u8(original.size()).raw(zlib).b),
                    Catch::Contains("a column of at most 20"));
  CHECK_THROWS_WITH(column(140, {2}, Buf().u8(0x81).u8(original.size() + 1).raw(zlib).b),
                    Catch::Contains("does not inflate"));
  CHECK_THROWS_WITH(column(140, {2}, Buf().u8(0x91).u8(4).raw(zlib).b),
                    Catch::Contains("compression method 9"));
  CHECK_THROWS_WITH(column(140, {2}, Buf().u8(0x80).raw(zlib).b),
                    Catch::Contains("0 length bytes"));
}

TEST_CASE("moving a decoded event keeps its values valid", "[binlog]") {
  // BINARY padding and decompression put bytes in RowsEvent::storage; vectors of events move.
  const Bytes map = table_map_body(7, {{254, {0xfe, 4}}}, Buf().u8(2).packed(1).packed(63).b);
  const Bytes body = rows_body(EventType::WRITE_ROWS_EVENT, 7, 1, Buf().u8(0).u8(1).u8(0xab).b);
  const TableMapEvent tm = decode_map(map);
  std::vector<RowsEvent> events;
  for (int i = 0; i < 20; ++i) events.push_back(decode_with(body, EventType::WRITE_ROWS_EVENT, tm));
  for (const auto& e : events) {
    CHECK(text(e.after.at(0).values.at(0), tm.columns[0]) == std::string("\xab\0\0\0", 4));
  }
}
