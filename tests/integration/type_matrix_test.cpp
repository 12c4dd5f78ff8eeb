// Type matrix: one MariaDB table per type family, filled with edge values, migrated with the
// default rules, then compared value by value. Each side computes a canonical text of every cell
// with its own SQL, so a failure names the table, the column, the key and both texts.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "common/row_set.hpp"
#include "snapshot/migrate.hpp"
#include "support/servers.hpp"

using my2pg::test::TestDatabases;

namespace {

using Cell = std::optional<std::string>;

enum class Compare {
  text,    // the two texts are equal
  number,  // both parse (strtod) to the same double, sign of zero included
  json,    // MariaDB's document, read by PostgreSQL as jsonb, prints as the target's jsonb does
};

// One column as both servers spell its canonical text.
struct Probe {
  std::string column;
  std::string mysql_expr;
  std::string pg_expr;
  Compare compare = Compare::text;
};

// Integers, DECIMAL: the decimal digits.
Probe exact(const std::string& c) {
  std::string my = "CAST(";
  my.append(c).append(" AS CHAR)");
  return {c, my, c + "::text"};
}

// Text in any charset: the UTF-8 bytes, in hex.
Probe utf8_hex(const std::string& c) {
  std::string my = "HEX(CONVERT(";
  my.append(c).append(" USING utf8mb4))");
  std::string pg = "upper(encode(convert_to(";
  pg.append(c).append(", 'UTF8'), 'hex'))");
  return {c, my, pg};
}

// Bytes: hex.
Probe bytes_hex(const std::string& c) {
  std::string my = "HEX(";
  my.append(c).append(")");
  std::string pg = "upper(encode(";
  pg.append(c).append(", 'hex'))");
  return {c, my, pg};
}

// DATE, DATETIME(n), TIMESTAMP(n) (both sessions in UTC): every field to the microsecond.
Probe date_time(const std::string& c) {
  std::string my = "DATE_FORMAT(";
  my.append(c).append(", '%Y-%m-%d %H:%i:%s.%f')");
  std::string pg = "to_char(";
  pg.append(c).append(", 'YYYY-MM-DD HH24:MI:SS.US')");
  return {c, my, pg};
}

// TIME(n) -> interval: the signed number of seconds, to the microsecond.
Probe seconds(const std::string& c) {
  std::string my = "CAST(TIME_TO_SEC(";
  my.append(c).append(") AS DECIMAL(20,6))");
  std::string pg = "extract(epoch from ";
  pg.append(c).append(")::numeric(20,6)");
  return {c, my, pg};
}

// BIT(n) -> bit(n): n binary digits.
Probe bits(const std::string& c, int width) {
  std::string my = "LPAD(BIN(";
  my.append(c).append("+0), ").append(std::to_string(width)).append(", '0')");
  return {c, my, c + "::text"};
}

std::string show(const Cell& cell) {
  return cell ? "'" + *cell + "'" : std::string("NULL");
}

bool same_number(const std::string& a, const std::string& b) {
  const double x = std::strtod(a.c_str(), nullptr);
  const double y = std::strtod(b.c_str(), nullptr);
  return x == y && std::signbit(x) == std::signbit(y);
}

bool same(TestDatabases& db, Compare how, const Cell& source, const Cell& target) {
  if (!source || !target) return !source && !target;
  switch (how) {
    case Compare::text:
      return *source == *target;
    case Compare::number:
      return same_number(*source, *target);
    case Compare::json: {
      const my2pg::RowSet r = db.target().query("SELECT $1::jsonb::text", {source});
      return r.rows.at(0).at(0) == target;
    }
  }
  return false;
}

// Fetches `SELECT key, probes... ORDER BY key` on both sides and compares cell by cell.
void compare_table(TestDatabases& db, const std::string& table, const std::string& key,
                   const std::vector<Probe>& probes) {
  std::string my_sql = "SELECT CAST(";
  my_sql.append(key).append(" AS CHAR) AS row_key");
  std::string pg_sql = "SELECT ";
  pg_sql.append(key).append("::text AS row_key");  // not named `key`: ORDER BY takes the column
  for (const Probe& p : probes) {
    my_sql.append(", ").append(p.mysql_expr);
    pg_sql.append(", ").append(p.pg_expr);
  }
  my_sql.append(" FROM ").append(table).append(" ORDER BY ").append(key);
  pg_sql.append(" FROM ").append(db.name()).append(".").append(table).append(" ORDER BY ");
  pg_sql.append(key);

  const my2pg::RowSet source = db.source().query(my_sql);
  const my2pg::RowSet target = db.target().query(pg_sql);
  INFO("table " << table);
  REQUIRE_FALSE(source.rows.empty());
  REQUIRE(source.rows.size() == target.rows.size());
  for (size_t r = 0; r < source.rows.size(); ++r) {
    const auto& src = source.rows[r];
    const auto& tgt = target.rows[r];
    INFO("row " << key << " = " << show(src.at(0)));
    REQUIRE(show(src.at(0)) == show(tgt.at(0)));
    for (size_t i = 0; i < probes.size(); ++i) {
      const Probe& p = probes[i];
      const Cell& s = src.at(i + 1);
      const Cell& t = tgt.at(i + 1);
      INFO("column " << p.column << ": MariaDB " << p.mysql_expr << " = " << show(s)
                     << ", PostgreSQL " << p.pg_expr << " = " << show(t));
      CHECK(same(db, p.compare, s, t));
    }
  }
}

void migrate(TestDatabases& db, uint64_t rows) {
  my2pg::snapshot::MigrateOptions options;
  options.source_uri = db.source_uri();
  options.target_uri = db.target_uri();
  const auto report = my2pg::snapshot::run_migrate(options);
  REQUIRE(report.tables.size() == 1);
  CHECK(report.tables[0].rows == rows);
  CHECK(report.verified);
}

// `b'...'` of `width` digits: all ones, zero, or alternating 1010... (lowest digit 0 or 1).
std::string bit_literal(int width, char kind) {
  std::string digits;
  for (int i = 0; i < width; ++i) {
    if (kind == 'p') {
      digits.push_back(i % 2 == 0 ? '1' : '0');
    } else {
      digits.push_back(kind);
    }
  }
  std::string out = "b'";
  out.append(digits).append("'");
  return out;
}

}  // namespace

TEST_CASE("type matrix: integers keep min and max of every width", "[type_matrix]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE ints (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, flag TINYINT(1), "
      "si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, "
      "iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, zf INT(8) UNSIGNED ZEROFILL)");
  db.source().execute(
      "INSERT INTO ints VALUES "
      "(1, -128, 0, -128, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0),"
      "(2, 127, 255, 127, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
      " 9223372036854775807, 18446744073709551615, 4294967295),"
      "(3, 0, 1, 1, -1, 1, -1, 1, -1, 1, -1, 1, 42),"
      "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  migrate(db, 4);
  // ZEROFILL is display only: MariaDB sends "00000042", the value is 42.
  compare_table(db, "ints", "id",
                {exact("ti"),
                 exact("tu"),
                 exact("flag"),
                 exact("si"),
                 exact("su"),
                 exact("mi"),
                 exact("mu"),
                 exact("i"),
                 exact("iu"),
                 exact("bi"),
                 exact("bu"),
                 {"zf", "CAST(zf + 0 AS CHAR)", "zf::text"}});
}

TEST_CASE("type matrix: DECIMAL keeps every digit", "[type_matrix]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE decs (id INT PRIMARY KEY, d65 DECIMAL(65,30), d10 DECIMAL(10,0), "
      "dz DECIMAL(6,2) UNSIGNED ZEROFILL)");
  const std::string big = std::string(35, '9') + "." + std::string(30, '9');
  const std::string tiny = "0." + std::string(29, '0') + "1";
  std::string insert = "INSERT INTO decs VALUES (1, ";
  insert.append(big).append(", 9999999999, 9999.99), (2, -").append(big);
  insert.append(", -9999999999, 0), (3, ").append(tiny).append(", 0, 1.5), (4, -").append(tiny);
  insert.append(", -1, 0.01), (5, 0, 1, NULL), (6, NULL, NULL, NULL)");
  db.source().execute(insert);
  migrate(db, 6);
  compare_table(db, "decs", "id",
                {exact("d65"), exact("d10"), {"dz", "CAST(dz + 0 AS CHAR)", "dz::text"}});
}

TEST_CASE("type matrix: FLOAT and DOUBLE keep every bit", "[type_matrix]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE floats (id INT PRIMARY KEY, f FLOAT, g DOUBLE)");
  // MariaDB stores -0e0 as 0 in both types (checked with ATAN2), so no negative zero here.
  db.source().execute(
      "INSERT INTO floats VALUES "
      "(1, 3.4028234663852886e38, 1.7976931348623157e308),"
      "(2, -3.4028234663852886e38, -1.7976931348623157e308),"
      "(3, 1.1754943508222875e-38, 2.2250738585072014e-308),"
      "(4, 1.401298464324817e-45, 4.9406564584124654e-324),"
      "(5, -1.401298464324817e-45, -4.9406564584124654e-324),"
      "(6, 1.1, 1.1),"
      "(7, 16777215, 9007199254740991),"
      "(8, 0.123456789, 0.1),"
      "(9, 0, 0),"
      "(10, NULL, NULL)");
  migrate(db, 10);
  // MariaDB prints a FLOAT with 6 significant digits (16777215 as 16777200), too few to name the
  // stored float, so its exact value is read widened to DOUBLE on both sides.
  compare_table(db, "floats", "id",
                {{"f", "CAST(f AS DOUBLE)", "f::float8::text", Compare::number},
                 {"g", "CAST(g AS CHAR)", "g::text", Compare::number}});
}

TEST_CASE("type matrix: DATE and DATETIME keep both ends and microseconds", "[type_matrix]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE dates (id INT PRIMARY KEY, d DATE, dt DATETIME, dt3 DATETIME(3), "
      "dt6 DATETIME(6))");
  db.source().execute(
      "INSERT INTO dates VALUES "
      "(1, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000', "
      " '1000-01-01 00:00:00.000000'),"
      "(2, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', "
      " '9999-12-31 23:59:59.999999'),"
      "(3, '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00.001', "
      " '2024-02-29 12:00:00.000001'),"
      "(4, '0001-01-01', '0001-01-01 00:00:00', '0100-03-01 00:00:00.001', "
      " '0999-12-31 23:59:59.000001'),"  // below the documented range, but MariaDB stores them
      "(5, NULL, NULL, NULL, NULL)");
  migrate(db, 5);
  compare_table(db, "dates", "id",
                {{"d", "DATE_FORMAT(d, '%Y-%m-%d')", "to_char(d, 'YYYY-MM-DD')"},
                 date_time("dt"),
                 date_time("dt3"),
                 date_time("dt6")});
}

TEST_CASE("type matrix: TIMESTAMP keeps both ends of its range as UTC instants", "[type_matrix]") {
  TestDatabases db;
  db.source().execute("SET time_zone = '+00:00'");
  db.target().execute("SET TIME ZONE 'UTC'");
  db.source().execute(
      "CREATE TABLE stamps (id INT PRIMARY KEY, ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, "
      "ts6 TIMESTAMP(6) NULL)");
  db.source().execute(
      "INSERT INTO stamps VALUES "
      "(1, '1970-01-01 00:00:01', '1970-01-01 00:00:01.000', '1970-01-01 00:00:01.000000'),"
      "(2, '2038-01-19 03:14:07', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999'),"
      "(3, '2024-03-31 01:30:00', '2024-10-27 02:30:00.001', '2024-02-29 12:00:00.000001'),"
      "(4, NULL, NULL, NULL)");
  migrate(db, 4);
  compare_table(db, "stamps", "id", {date_time("ts"), date_time("ts3"), date_time("ts6")});
}

TEST_CASE("type matrix: TIME keeps its whole range, sign and microseconds", "[type_matrix]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE times (id INT PRIMARY KEY, t TIME, t1 TIME(1), t6 TIME(6))");
  db.source().execute(
      "INSERT INTO times VALUES "
      "(1, '-838:59:59', '-838:59:59.0', '-838:59:59.000000'),"
      "(2, '838:59:59', '838:59:59.0', '838:59:59.000000'),"
      "(3, '-00:00:01', '-00:00:00.1', '-00:00:00.000001'),"
      "(4, '00:00:00', '00:00:00.0', '00:00:00.000000'),"
      "(5, '-12:30:00', '100:15:30.5', '-12:30:00.123456'),"
      "(6, NULL, NULL, NULL)");
  migrate(db, 6);
  compare_table(db, "times", "id", {seconds("t"), seconds("t1"), seconds("t6")});
}

TEST_CASE("type matrix: YEAR keeps 1901, 2155 and 0000", "[type_matrix]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE years (id INT PRIMARY KEY, y YEAR)");
  db.source().execute("INSERT INTO years VALUES (1, 1901), (2, 2155), (3, '0000'), (4, NULL)");
  migrate(db, 4);
  // MariaDB shows YEAR 0 as "0000"; the value is the number 0 (smallint on the target).
  compare_table(db, "years", "id", {{"y", "CAST(y + 0 AS CHAR)", "y::text"}});
}

TEST_CASE("type matrix: BIT(1) to BIT(64) keep every bit", "[type_matrix]") {
  TestDatabases db;
  std::string create = "CREATE TABLE bits (id INT PRIMARY KEY";
  std::vector<Probe> probes;
  std::string ones;
  std::string zeros;
  std::string pattern;
  std::string nulls;
  for (int w = 1; w <= 64; ++w) {
    std::string c = "b";
    c.append(std::to_string(w));
    create.append(", ").append(c).append(" BIT(").append(std::to_string(w)).append(")");
    probes.push_back(bits(c, w));
    ones.append(", ").append(bit_literal(w, '1'));
    zeros.append(", ").append(bit_literal(w, '0'));
    pattern.append(", ").append(bit_literal(w, 'p'));
    nulls.append(", NULL");
  }
  db.source().execute(create + ")");
  std::string insert = "INSERT INTO bits VALUES (1";
  insert.append(ones).append("), (2").append(zeros).append("), (3").append(pattern);
  insert.append("), (4").append(nulls).append(")");
  db.source().execute(insert);
  migrate(db, 4);
  compare_table(db, "bits", "id", probes);
}

TEST_CASE("type matrix: ENUM and SET keep odd labels", "[type_matrix]") {
  TestDatabases db;
  // Labels with a space, both quotes, a backslash, a tab, 2- and 4-byte UTF-8; '' is a declared
  // ENUM member here (not the error value 0).
  const std::string labels =
      "('', 'a b', 'it''s', 'say \"hi\"', 'back\\\\slash', 'tab\\there', "
      "'\xC3\xA9\xF0\x9F\x98\x80')";
  std::string create = "CREATE TABLE choices (id INT PRIMARY KEY, e ENUM";
  create.append(labels).append(", s SET('a b', 'it''s', 'say \"hi\"', 'back\\\\slash', ");
  create.append("'\xC3\xA9\xF0\x9F\x98\x80', 'z'))");
  db.source().execute(create);
  db.source().execute(
      "INSERT INTO choices VALUES "
      "(1, '', ''),"
      "(2, 'a b', 'a b'),"
      "(3, 'it''s', 'it''s,z'),"
      "(4, 'say \"hi\"', 'say \"hi\",back\\\\slash'),"
      "(5, 'back\\\\slash', 'a b,it''s,say \"hi\",back\\\\slash,\xC3\xA9\xF0\x9F\x98\x80,z'),"
      "(6, 'tab\\there', 'z'),"
      "(7, '\xC3\xA9\xF0\x9F\x98\x80', '\xC3\xA9\xF0\x9F\x98\x80'),"
      "(8, NULL, NULL)");
  migrate(db, 8);
  compare_table(db, "choices", "id", {utf8_hex("e"), utf8_hex("s")});
}

TEST_CASE("type matrix: JSON keeps unicode, escapes, nesting and big numbers", "[type_matrix]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE docs (id INT PRIMARY KEY, j JSON)");
  // MariaDB's json_valid() refuses documents nested 32 deep or more: 31 is the deepest it holds.
  std::string deep;
  for (int i = 0; i < 15; ++i) deep.append("[{\"k\":");
  deep.append("[\"bottom\"]");
  for (int i = 0; i < 15; ++i) deep.append("}]");
  const std::vector<std::string> documents = {
      "{\"plain\": \"caf\xC3\xA9 \xE6\xBC\xA2\xE5\xAD\x97 \xF0\x9F\x98\x80\", "
      "\"escaped\": \"\\u00e9 \\u6f22 \\ud83d\\ude00\"}",
      "[\"quote \\\" backslash \\\\ slash \\/ \\b \\f \\n \\r \\t\", \"\\u0001\\u001f\"]",
      deep,
      "[18446744073709551616, -9223372036854775809, 1e400, -1.5e-400, "
      "123456789012345678901234567890.123456789012345678901234567890, 0.1, -0, 1E2]",
      "{\"\": null, \"key\": [], \"nested\": {\"a\": {}, \"b\": [true, false]}}",
      "null",
      "\"just a string\"",
      "-0.0",
  };
  for (size_t i = 0; i < documents.size(); ++i) {
    std::string insert = "INSERT INTO docs VALUES (";
    insert.append(std::to_string(i + 1)).append(", ").append(db.source().quote(documents[i]));
    db.source().execute(insert + ")");
  }
  db.source().execute("INSERT INTO docs VALUES (100, NULL)");
  migrate(db, documents.size() + 1);
  compare_table(db, "docs", "id", {{"j", "j", "j::text", Compare::json}});
}

TEST_CASE("type matrix: binary columns keep every byte", "[type_matrix]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE bytes (id INT PRIMARY KEY, b BINARY(8), vb VARBINARY(16), bl BLOB, "
      "lb LONGBLOB)");
  std::string all_bytes;  // 0x00..0xFF, twice over
  for (int i = 0; i < 512; ++i) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    all_bytes.push_back(kHex[(i % 256) >> 4]);
    all_bytes.push_back(kHex[i % 16]);
  }
  std::string insert =
      "INSERT INTO bytes VALUES "
      "(1, X'0000000000000001', X'00', X'00', X'00000000'),"
      "(2, X'01', X'FF', X'FF', X'FFFFFFFF'),"  // BINARY(8) pads X'01' with seven zero bytes
      "(3, X'FFFFFFFFFFFFFFFF', X'00FF00FF0D0A095C', X'";
  insert.append(all_bytes).append("', X'").append(all_bytes).append("'),");
  insert.append("(4, X'', X'', X'', X''), (5, NULL, NULL, NULL, NULL)");
  db.source().execute(insert);
  migrate(db, 5);
  compare_table(db, "bytes", "id",
                {bytes_hex("b"), bytes_hex("vb"), bytes_hex("bl"), bytes_hex("lb")});
}

TEST_CASE("type matrix: text in every charset keeps every character", "[type_matrix]") {
  TestDatabases db;
  // CHAR(n) maps to char(n): PostgreSQL pads it with spaces, and both the cast to text here and
  // MariaDB's read (PAD_CHAR_TO_FULL_LENGTH off) drop trailing spaces, so they are not compared.
  db.source().execute(
      "CREATE TABLE texts (id INT PRIMARY KEY, v VARCHAR(32), c CHAR(8), tx TEXT, lt LONGTEXT, "
      "l1 VARCHAR(16) CHARACTER SET latin1, asc7 VARCHAR(16) CHARACTER SET ascii, "
      "u3 VARCHAR(16) CHARACTER SET utf8mb3, u16 VARCHAR(16) CHARACTER SET utf16, "
      "gb VARCHAR(16) CHARACTER SET gbk, c0 CHAR(0))");
  db.source().execute(
      "INSERT INTO texts VALUES "
      "(1, '\xF0\x9F\x98\x80 emoji', 'ab  ', '\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD', "
      " 'tab\\there', 'caf\xC3\xA9 \xC3\xBF', 'ascii ~', '\xE6\xBC\xA2\xE5\xAD\x97', "
      " 'a\xF0\x9F\x98\x80', '\xE6\xBC\xA2\xE5\xAD\x97', ''),"
      "(2, 'line1\\nline2\\r\\n', '  lead', 'back\\\\slash \\\\N', '\\\\', "
      " '\xE2\x82\xAC \xC3\x80', '', '\xC3\xA9', '\xF0\x9F\x98\x80', 'x', ''),"
      "(3, 'trailing   ', '\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9', "
      " '\x01\x1F\x7F', '', '', '\\t', '', '', '', NULL),"
      "(4, '', '', '', '', '', '', '', '', '', ''),"
      "(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  migrate(db, 5);
  compare_table(
      db, "texts", "id",
      {utf8_hex("v"), utf8_hex("c"), utf8_hex("tx"), utf8_hex("lt"), utf8_hex("l1"),
       utf8_hex("asc7"), utf8_hex("u3"), utf8_hex("u16"), utf8_hex("gb"), utf8_hex("c0")});
}
