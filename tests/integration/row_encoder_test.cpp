// One value encoder, two paths: a row read by the snapshot (SELECT on a consistent-snapshot
// session, typemap::append_copy_field over the text protocol's fields) and the same row decoded
// from the sandbox MariaDB's binary log (replica::append_copy_field over binlog::Value) must give
// byte-identical COPY fields, for every type family, for WRITE, UPDATE and DELETE images, and
// both paths must refuse the same values (zero dates) for the same reason.
#include <catch2/catch.hpp>

#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "binlog/decoder.hpp"
#include "binlog_live_support.hpp"
#include "mysql/binlog_stream.hpp"
#include "mysql/catalog.hpp"
#include "replica/row_encoder.hpp"
#include "schema/catalog.hpp"
#include "snapshot/source_snapshot.hpp"
#include "snapshot/table_copy.hpp"
#include "support/servers.hpp"
#include "typemap/target_table.hpp"
#include "typemap/type_rules.hpp"

using my2pg::test::TestDatabases;
namespace binlog = my2pg::binlog;
namespace mysql = my2pg::mysql;
namespace schema = my2pg::schema;
namespace typemap = my2pg::typemap;

namespace {

// One encoded field: its COPY text, or why it was refused.
struct Field {
  std::string text;
  std::string refused;
  bool operator==(const Field&) const = default;
};
using Row = std::vector<Field>;

struct Image {
  binlog::RowsKind kind = binlog::RowsKind::write;
  bool before = false;
  Row row;
};

struct Model {
  schema::Table table;
  typemap::TargetTable target;
};

// The table as the snapshot maps it: catalog, default type rules, codecs.
Model model_of(TestDatabases& db, const std::string& table) {
  const schema::Catalog catalog =
      schema::build_catalog(db.name(), mysql::read_catalog(db.source(), db.name()));
  for (const auto& t : catalog.tables) {
    if (t.name == table) {
      return {t, typemap::map_table(typemap::TypeRules::load_default(), t, db.name())};
    }
  }
  FAIL("table " << table << " is not in the catalog");
  return {};
}

Field field_of(const char* refused, std::string text) {
  if (refused != nullptr) return {{}, refused};
  return {std::move(text), {}};
}

std::string line_of(const Row& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i != 0) line += '\t';
    line += row[i].refused.empty() ? row[i].text : "<refused: " + row[i].refused + ">";
  }
  return line;
}

// The snapshot path, as snapshot::copy_table runs it: a consistent-snapshot session (time zone
// UTC), the table's columns SELECTed through mysql::Connection::stream, each field through
// typemap::append_copy_field. Rows by their id (the first column's text).
std::map<std::string, Row> snapshot_rows(TestDatabases& db, const Model& m) {
  mysql::Connection conn(mysql::Endpoint::parse(db.source_uri()));
  my2pg::snapshot::start_consistent_snapshot(conn);
  const std::string sql = my2pg::snapshot::select_sql(m.table);
  std::map<std::string, Row> out;
  {
    mysql::RowStream rows = conn.stream(sql);
    while (rows.next()) {
      Row row;
      for (size_t i = 0; i < m.target.columns.size(); ++i) {
        std::string text;
        if (rows.is_null(i)) {
          text = "\\N";
          row.push_back({text, {}});
          continue;
        }
        const char* refused =
            typemap::append_copy_field(m.target.columns[i].codec, rows.field(i), text);
        row.push_back(field_of(refused, text));
      }
      out[row.at(0).text] = std::move(row);
    }
  }
  conn.execute("COMMIT");
  return out;
}

Row encode_image(const binlog::RowImage& image, const binlog::TableMapEvent& map, const Model& m) {
  REQUIRE(image.values.size() == m.target.columns.size());
  Row row;
  for (size_t i = 0; i < image.values.size(); ++i) {
    REQUIRE(image.present[i]);
    REQUIRE(map.columns.at(i).name == m.table.columns[i].name);
    std::string text;
    const char* refused = my2pg::replica::append_copy_field(
        m.target.columns[i].codec, image.values[i], map.columns[i], text,
        my2pg::replica::display_format(m.table.columns[i]));
    if (refused != nullptr) CHECK(text.empty());  // nothing appended when refused
    row.push_back(field_of(refused, text));
  }
  return row;
}

// The binlog path: every row image of table `m` from `start` to the binlog's current end, decoded
// as the replica decodes the live stream and encoded while its event is alive.
std::vector<Image> binlog_images(TestDatabases& db, const mysql::StreamStart& start,
                                 const Model& m) {
  mysql::BinlogStream stream(mysql::Endpoint::parse(db.source_uri()), start);
  binlog::Decoder decoder(start.file);
  decoder.set_stream_checksum(stream.checksum() == "CRC32"
                                  ? binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_CRC32
                                  : binlog::ChecksumAlg::BINLOG_CHECKSUM_ALG_OFF);
  std::vector<Image> out;
  std::span<const uint8_t> bytes;
  std::vector<binlog::Event> events;
  while (stream.next(bytes)) {
    REQUIRE(bytes.size() >= binlog::kHeaderLength);
    uint32_t log_pos = 0;  // the event's end; its start is only for messages here
    for (size_t i = 0; i < 4; ++i) log_pos |= uint32_t{bytes[13 + i]} << (8 * i);
    events.clear();
    decoder.decode(bytes, log_pos >= bytes.size() ? log_pos - bytes.size() : 0, events);
    for (const auto& e : events) {
      const auto* rows = std::get_if<binlog::RowsEvent>(&e.body);
      if (rows == nullptr) continue;
      const binlog::TableMapEvent* map = decoder.table(rows->table_id);
      REQUIRE(map != nullptr);
      if (map->database != db.name() || map->table != m.table.name) continue;
      for (const auto& image : rows->before) {
        out.push_back({rows->kind, true, encode_image(image, *map, m)});
      }
      for (const auto& image : rows->after) {
        out.push_back({rows->kind, false, encode_image(image, *map, m)});
      }
    }
  }
  return out;
}

void check_same(const Row& from_binlog, const Row& from_snapshot, const Model& m,
                const std::string& what) {
  REQUIRE(from_binlog.size() == m.table.columns.size());
  REQUIRE(from_snapshot.size() == m.table.columns.size());
  for (size_t i = 0; i < from_binlog.size(); ++i) {
    INFO(what << ", column " << m.table.columns[i].name << " " << m.table.columns[i].column_type);
    CHECK(from_binlog[i].text == from_snapshot[i].text);
    CHECK(from_binlog[i].refused == from_snapshot[i].refused);
  }
  INFO(what);
  REQUIRE(line_of(from_binlog) == line_of(from_snapshot));
}

const Row& row_with_id(const std::map<std::string, Row>& rows, const std::string& id) {
  const auto it = rows.find(id);
  REQUIRE(it != rows.end());
  return it->second;
}

// Every WRITE_ROWS image of `m` since `start` against the snapshot's rows: `rows` of them, and
// with `storable` every field of the snapshot stored (none refused).
void check_writes(TestDatabases& db, const Model& m, const mysql::StreamStart& start, size_t rows,
                  bool storable) {
  const auto selected = snapshot_rows(db, m);
  REQUIRE(selected.size() == rows);
  const std::vector<Image> images = binlog_images(db, start, m);
  REQUIRE(images.size() == rows);
  for (const Image& image : images) {
    const std::string id = image.row.at(0).text;
    CHECK(image.kind == binlog::RowsKind::write);
    check_same(image.row, row_with_id(selected, id), m, "row id " + id);
    if (!storable) continue;
    for (size_t i = 0; i < image.row.size(); ++i) {
      INFO("row id " << id << ", column " << m.table.columns[i].name);
      CHECK(image.row[i].refused.empty());
    }
  }
}

const std::string kEmoji = "\xF0\x9F\x98\x80", kClef = "\xF0\x9D\x84\x9E", kHan = "\xE6\xBC\xA2",
                  kEAcute = "\xC3\xA9";

}  // namespace

TEST_CASE("row encoder: binlog images encode byte for byte as the snapshot's SELECT rows",
          "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("SET time_zone = '+05:30'");  // the writer's zone must not matter
  conn.execute(
      "CREATE TABLE vals (id INT PRIMARY KEY, "
      "ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, "
      "mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, flag BOOLEAN, "
      "d65 DECIMAL(65,30), d5 DECIMAL(5,2), f FLOAT, g DOUBLE, "
      "dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL, ts0 TIMESTAMP NULL, "
      "tm TIME(6), tm0 TIME, y YEAR, b1 BIT(1), b13 BIT(13), b64 BIT(64), "
      "c CHAR(10), vc VARCHAR(50), lat VARCHAR(20) CHARACTER SET latin1, "
      "clat CHAR(6) CHARACTER SET latin1, u2 VARCHAR(10) CHARACTER SET ucs2, "
      "bin BINARY(8), vb VARBINARY(20), bl BLOB, tx TEXT, "
      "e ENUM('it''s', 'a b', ' lead', 'x\"y', 'back\\\\slash', 'caf\xC3\xA9'), "
      "el ENUM('caf\xC3\xA9', 'th\xC3\xA9') CHARACTER SET latin1, "
      "s SET('it''s', 'a b', 'x\"y', 'plain'), j JSON)");
  const Model m = model_of(db, "vals");
  REQUIRE(m.target.columns.size() == 40);

  const auto start = my2pg::test::live::master_position(conn);
  const std::string nines35(35, '9'), nines30(30, '9');
  conn.execute(
      "INSERT INTO vals VALUES "
      // minimums and range starts
      "(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, "
      " '-" +
      nines35 + "." + nines30 +
      "', -999.99, -3.40282e38, -1.7976931348623157e308, "
      " '1000-01-01', '1000-01-01 00:00:00.000000', '1000-01-01 00:00:00', "
      " '1970-01-01 05:30:01.000000', '1970-01-01 05:30:01', '-838:59:59.000000', '-838:59:59', "
      " 1901, b'0', b'0', b'0', '', '', '', '', '', X'', X'', X'', '', 'it''s', 'caf\xC3\xA9', '', "
      " '{}'),"
      // maximums and range ends, 4-byte characters, trailing spaces and zero bytes
      "(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
      " 9223372036854775807, 18446744073709551615, 1, '" +
      nines35 + "." + nines30 +
      "', 999.99, 3.40282e38, 1.7976931348623157e308, "
      " '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59', "
      " '2038-01-19 08:44:07.999999', '2038-01-19 08:44:07', '838:59:59.000000', '838:59:59', "
      " 2155, b'1', b'1111111111111', 0xFFFFFFFFFFFFFFFF, '" +
      kEmoji + kHan + kEAcute + "  ', 'a" + kEmoji + "b" + kClef + "', 'caf" + kEAcute + "', '" +
      kEAcute + "  ', '" + kEAcute + kHan +
      "', X'0102', X'00FF0000', X'00010200000000', "
      " 'tab\\there\\nnew line\\\\back\\rcr', 'x\"y', 'th\xC3\xA9', 'it''s,a b,x\"y,plain', "
      " '{\"k\": [1, 2.5, \"" +
      kEAcute + kEmoji +
      "\"], \"n\": null, \"q\": \"a\\\\\"b\"}'),"
      // middles and odd values
      "(3, -1, 128, -1, 32768, -1, 8388608, -1, 2147483648, -1, 9223372036854775808, 0, "
      " '0.000000000000000000000000000001', 0.01, 1.17549e-38, 4.9e-324, "
      " '2024-02-29', '2024-02-29 12:34:56.000001', '1970-01-01 00:00:00', "
      " '2000-03-01 05:29:59.5', '2024-06-30 17:30:00', '-00:00:00.5', '00:00:00', "
      " 0, b'1', b'1010101010101', 0x8000000000000001, 'a', ' lead and trail  ', "
      " '\xC3\xBF\xE2\x82\xAC', 'ab', '', X'0000000000000001', X'00', X'00', "
      " 'back\\\\\\\\slash', ' lead', NULL, 'a b', '[]'),"
      "(4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, '-1.5', -0.5, 0.1, 3.141592653589793, "
      " '2000-01-01', '2000-01-01 00:00:00.5', '2000-01-01 00:00:00', "
      " '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00', '100:15:30.123456', '-12:30:00', "
      " 2000, b'0', b'1', 0x0100, 'x', 'y', 'z', 'w', 'v', X'FF', X'DEADBEEF', X'0A5C09', "
      " '', 'back\\\\slash', NULL, 'plain', '\"str\"'),"
      // NULLs
      "(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  const auto inserted = snapshot_rows(db, m);
  REQUIRE(inserted.size() == 5);
  for (const auto& [id, row] : inserted) {
    for (size_t i = 0; i < row.size(); ++i) {
      INFO("row " << id << ", column " << m.table.columns[i].name);
      CHECK(row[i].refused.empty());  // every value here can be stored
    }
  }

  conn.execute(
      "UPDATE vals SET vc = CONCAT(IFNULL(vc, ''), '\xE2\x9C\x93'), tm = '-01:02:03.5', "
      "e = 'a b', ts = '2001-01-01 00:00:00', bin = X'FF'");
  const auto updated = snapshot_rows(db, m);
  conn.execute("DELETE FROM vals WHERE id IN (2, 5)");

  const std::vector<Image> images = binlog_images(db, start, m);
  REQUIRE(images.size() == 5 + 10 + 2);
  for (size_t n = 0; n < images.size(); ++n) {
    const Image& image = images[n];
    const std::string id = image.row.at(0).text;
    std::string what = "image ";
    what += std::to_string(n);
    what += " (row id ";
    what += id;
    if (n < 5) {
      CHECK(image.kind == binlog::RowsKind::write);
      check_same(image.row, row_with_id(inserted, id), m, what + ", WRITE_ROWS)");
    } else if (n < 15) {
      CHECK(image.kind == binlog::RowsKind::update);
      const auto& expected = image.before ? inserted : updated;
      check_same(image.row, row_with_id(expected, id), m,
                 what + (image.before ? ", UPDATE_ROWS before)" : ", UPDATE_ROWS after)"));
    } else {
      CHECK(image.kind == binlog::RowsKind::erase);
      CHECK(image.before);
      CHECK((id == "2" || id == "5"));
      check_same(image.row, row_with_id(updated, id), m, what + ", DELETE_ROWS)");
    }
  }
}

TEST_CASE("row encoder: zero dates are refused by both paths for the same reason",
          "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("SET sql_mode = ''");
  conn.execute(
      "CREATE TABLE z (id INT PRIMARY KEY, d DATE, dt DATETIME(6), ts TIMESTAMP(3) NULL, "
      "ok DATE)");
  const Model m = model_of(db, "z");
  const auto start = my2pg::test::live::master_position(conn);
  conn.execute(
      "INSERT INTO z VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
      "'2024-01-01'), (2, '2024-00-15', '2024-02-00 10:00:00.5', NULL, '2024-01-02'), "
      "(3, '0000-01-01', '2024-01-01 00:00:00', '2024-01-01 00:00:00', NULL)");
  const auto selected = snapshot_rows(db, m);
  const std::vector<Image> images = binlog_images(db, start, m);
  REQUIRE(images.size() == 3);
  for (const Image& image : images) {
    const std::string id = image.row.at(0).text;
    check_same(image.row, row_with_id(selected, id), m, "row id " + id);
  }
  const Row& zero = row_with_id(selected, "1");
  for (size_t i = 1; i <= 3; ++i) {
    INFO("column " << m.table.columns[i].name);
    CHECK_FALSE(zero[i].refused.empty());
  }
  CHECK(zero[4].refused.empty());
  CHECK_FALSE(row_with_id(selected, "2")[1].refused.empty());
  CHECK_FALSE(row_with_id(selected, "2")[2].refused.empty());
  CHECK_FALSE(row_with_id(selected, "3")[1].refused.empty());
  CHECK(row_with_id(selected, "3")[2].refused.empty());
}

TEST_CASE("row encoder: values whose column definition lacks what their text needs are refused",
          "[row_encoder]") {
  typemap::ColumnCodec text_codec, plain;
  text_codec.kind = typemap::ValueKind::text;
  plain.kind = typemap::ValueKind::plain;
  const std::string bytes = "caf\xE9";
  binlog::Value v;
  v.kind = binlog::ValueKind::string;
  v.bytes = std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  binlog::ColumnInfo column;
  std::string out = "kept";

  SECTION("text without a character set") {
    const char* refused = my2pg::replica::append_copy_field(text_codec, v, column, out);
    REQUIRE(refused != nullptr);
    CHECK_THAT(refused, Catch::Contains("binlog_row_metadata=FULL"));
  }
  SECTION("latin1 text is converted, invalid utf8mb4 is judged by the typemap policy") {
    column.charset = 8;  // latin1_swedish_ci
    CHECK(my2pg::replica::append_copy_field(text_codec, v, column, out) == nullptr);
    CHECK(out == "keptcaf\xC3\xA9");
    out = "kept";
    column.charset = 45;  // utf8mb4_general_ci: 0xE9 alone is not UTF-8
    CHECK(my2pg::replica::append_copy_field(text_codec, v, column, out) != nullptr);
  }
  SECTION("ENUM and SET without their labels") {
    column.charset = 45;
    v.kind = binlog::ValueKind::enum_index;
    v.u = 1;
    const char* refused = my2pg::replica::append_copy_field(text_codec, v, column, out);
    REQUIRE(refused != nullptr);
    CHECK_THAT(refused, Catch::Contains("labels"));
    v.kind = binlog::ValueKind::set_bits;
    CHECK(my2pg::replica::append_copy_field(text_codec, v, column, out) == refused);
    column.set_values = {"a"};
    CHECK(my2pg::replica::append_copy_field(text_codec, v, column, out) == nullptr);
    CHECK(out == "kepta");
    out = "kept";
  }
  SECTION("a negative integer of unknown signedness") {
    v.kind = binlog::ValueKind::signed_int;
    v.i = -1;
    const char* refused = my2pg::replica::append_copy_field(plain, v, column, out);
    REQUIRE(refused != nullptr);
    CHECK_THAT(refused, Catch::Contains("SIGNEDNESS"));
    column.is_unsigned = false;
    CHECK(my2pg::replica::append_copy_field(plain, v, column, out) == nullptr);
    CHECK(out == "kept-1");
    out = "kept";
    column.is_unsigned.reset();
    v.i = 5;  // a non-negative value reads the same either way
    CHECK(my2pg::replica::append_copy_field(plain, v, column, out) == nullptr);
    CHECK(out == "kept5");
    out = "kept";
  }
  SECTION("a partial JSON update without its document") {
    v.kind = binlog::ValueKind::json_diff;
    const char* refused = my2pg::replica::append_copy_field(text_codec, v, column, out);
    REQUIRE(refused != nullptr);
    CHECK_THAT(refused, Catch::Contains("binlog_row_image"));
  }
  SECTION("NULL") {
    v.kind = binlog::ValueKind::null;
    CHECK(my2pg::replica::append_copy_field(text_codec, v, column, out) == nullptr);
    CHECK(out == "kept\\N");
    out = "kept";
  }
  CHECK(out == "kept");
}

TEST_CASE("row encoder: compressed columns, wide charsets, large ENUM and SET, spatial values",
          "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  std::string members;
  for (int i = 0; i < 300; ++i) members += (i == 0 ? "'m" : ",'m") + std::to_string(i) + "'";
  std::string bits;
  for (int i = 0; i < 64; ++i) bits += (i == 0 ? "'s" : ",'s") + std::to_string(i) + "'";
  conn.execute(
      "CREATE TABLE more (id INT PRIMARY KEY, vz VARCHAR(200) COMPRESSED, "
      "tz TEXT COMPRESSED, bz BLOB COMPRESSED, c2 CHAR(4) CHARACTER SET ucs2, "
      "c4 CHAR(4) CHARACTER SET utf32, v16 VARCHAR(10) CHARACTER SET utf16, "
      "l2 VARCHAR(10) CHARACTER SET latin2, w VARCHAR(10) CHARACTER SET cp1251, "
      "lat VARCHAR(10) CHARACTER SET latin1, big ENUM(" +
      members + "), wide SET(" + bits + "), geo GEOMETRY, pt POINT)");
  const Model m = model_of(db, "more");
  const auto start = my2pg::test::live::master_position(conn);
  const std::string long_text = "REPEAT('" + kHan + kEmoji + " ', 500)";
  conn.execute(
      "INSERT INTO more VALUES "
      "(1, REPEAT('a', 200), " +
      long_text + ", " + my2pg::test::live::hex_literal(my2pg::test::live::sample_bytes(3000, 7)) +
      ", 'ab  ', '" + kEmoji + "  ', 'a" + kEmoji + "', '\xC5\x82\xC3\xB3" +
      "d\xC5\xBA', '\xD0\x96\xD0\xB0', CONVERT(X'818D8F909D80' USING latin1), "
      "'m299', 's0,s31,s32,s63', ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0))', 4326), "
      "POINT(1.5, -2.25)),"
      "(2, '', '', X'', '', '', '', '', '', '', 'm0', '', ST_GeomFromText('POINT(0 0)'), NULL),"
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  check_writes(db, m, start, 3, true);
}

TEST_CASE("row encoder: text with a NUL byte is refused by both paths for the same reason",
          "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("CREATE TABLE nul (id INT PRIMARY KEY, t TEXT, v VARCHAR(10))");
  const Model m = model_of(db, "nul");
  const auto start = my2pg::test::live::master_position(conn);
  conn.execute("INSERT INTO nul VALUES (1, CONCAT('a', CHAR(0), 'b'), 'x'), (2, 'ok', X'00')");
  check_writes(db, m, start, 2, false);
  const auto selected = snapshot_rows(db, m);
  CHECK_FALSE(row_with_id(selected, "1")[1].refused.empty());
  CHECK(row_with_id(selected, "1")[2].refused.empty());
  CHECK_FALSE(row_with_id(selected, "2")[2].refused.empty());
}

// What SELECT shows beyond the value is not in the binlog: replica::display_format brings it
// from the catalog. FLOAT(M,D) matters beyond looks: 12345.6787 and 12345.7 are two float4s.
TEST_CASE("row encoder: ZEROFILL, FLOAT(M,D) and DOUBLE(M,D) display as SELECT shows them",
          "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute(
      "CREATE TABLE shown (id INT PRIMARY KEY, z INT(5) ZEROFILL, zi INT ZEROFILL, "
      "zt TINYINT ZEROFILL, zb BIGINT ZEROFILL, zm MEDIUMINT(3) ZEROFILL, "
      "dz DECIMAL(6,2) ZEROFILL, dz0 DECIMAL(5,0) ZEROFILL, f FLOAT(7,2), f4 FLOAT(10,4), "
      "g DOUBLE(10,3), g0 DOUBLE(12,0), fz FLOAT ZEROFILL, gz DOUBLE ZEROFILL, "
      "fdz FLOAT(7,2) ZEROFILL, gdz DOUBLE(20,10) ZEROFILL)");
  const Model m = model_of(db, "shown");
  const auto start = my2pg::test::live::master_position(conn);
  conn.execute(
      "INSERT INTO shown VALUES "
      "(1, 42, 5, 7, 6, 12345, 1.5, 7, 1.5, 12345.6789, 3.14159, 1e11, 1.5, 2.25, 3.5, 1e9),"
      "(2, 0, 4294967295, 255, 18446744073709551615, 0, 9999.99, 99999, -99999.99, -0.00004, "
      " -1234567.891, -0.4, 3.40282e38, 1.7976931348623157e308, 0, 0.0000000001),"
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      " NULL)");
  check_writes(db, m, start, 3, true);
}

// YEAR(2) shows two digits in SELECT ('99' for 1999): both paths read YEAR as a number.
TEST_CASE("row encoder: YEAR(2)", "[row_encoder][live]") {
  TestDatabases db;
  auto& conn = db.source();
  conn.execute("CREATE TABLE y2 (id INT PRIMARY KEY, y YEAR(2))");
  const Model m = model_of(db, "y2");
  const auto start = my2pg::test::live::master_position(conn);
  conn.execute("INSERT INTO y2 VALUES (1, 1999), (2, 2069)");
  check_writes(db, m, start, 2, true);
}

TEST_CASE("row encoder: display formats from declared column types", "[row_encoder]") {
  auto format = [](const std::string& data_type, const std::string& column_type) {
    schema::Column c;
    c.data_type = data_type;
    c.column_type = column_type;
    return my2pg::replica::display_format(c);
  };
  using my2pg::replica::DisplayFormat;
  auto is = [](const DisplayFormat& d, uint32_t width, std::optional<uint32_t> decimals) {
    return d.zerofill_width == width && d.decimals == decimals;
  };
  CHECK(is(format("int", "int(11)"), 0, std::nullopt));
  CHECK(is(format("int", "int(5) unsigned zerofill"), 5, std::nullopt));
  CHECK(is(format("int", "int unsigned zerofill"), 10, std::nullopt));  // MySQL 8 hides widths
  CHECK(is(format("bigint", "bigint unsigned zerofill"), 20, std::nullopt));
  CHECK(is(format("decimal", "decimal(6,2) unsigned zerofill"), 7, std::nullopt));
  CHECK(is(format("decimal", "decimal(5,0) unsigned zerofill"), 5, std::nullopt));
  CHECK(is(format("decimal", "decimal(6,2)"), 0, std::nullopt));
  CHECK(is(format("float", "float"), 0, std::nullopt));
  CHECK(is(format("float", "float(7,2)"), 0, std::nullopt));  // read widened to DOUBLE
  CHECK(is(format("double", "double(20,10) unsigned zerofill"), 20, 10U));
  CHECK(is(format("double", "double unsigned zerofill"), 22, std::nullopt));
  CHECK(is(format("float", "float unsigned zerofill"), 0, std::nullopt));
  CHECK(is(format("varchar", "varchar(10)"), 0, std::nullopt));
  CHECK(is(format("enum", "enum('zerofill')"), 0, std::nullopt));
}
