// Row digests across a real migration: every default-mapped type with edge values is migrated,
// then each table is digested twice, from the source rows encoded as my2pg sends them and from
// PostgreSQL's COPY TO output of the stored rows. Equal values must hash equal whatever form
// each server prints them in, and a changed target value must change the digest. Also the COPY
// reader (pg::Connection::copy_out) on its own: streaming, errors, abandoning a stream.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/pg_names.hpp"
#include "mysql/catalog.hpp"
#include "pg/connection.hpp"
#include "schema/catalog.hpp"
#include "snapshot/migrate.hpp"
#include "snapshot/table_copy.hpp"
#include "support/servers.hpp"
#include "typemap/target_table.hpp"
#include "typemap/type_rules.hpp"
#include "typemap/value_encoder.hpp"
#include "verify/row_digest.hpp"

using my2pg::test::PostgisDatabase;
using my2pg::test::TestDatabases;
using my2pg::verify::Digest;
using my2pg::verify::RowHasher;

namespace {

// The source tables and their targets, built the way `my2pg migrate` builds them.
struct Model {
  std::vector<my2pg::schema::Table> tables;
  std::vector<my2pg::typemap::TargetTable> targets;
};

Model load_model(TestDatabases& db, bool postgis) {
  const auto catalog =
      my2pg::schema::build_catalog(db.name(), my2pg::mysql::read_catalog(db.source(), db.name()));
  auto rules = my2pg::typemap::TypeRules::load_default();
  rules.set_target_postgis(postgis);
  my2pg::typemap::IdentifierMap names;
  Model m;
  for (const auto& t : catalog.tables) {
    m.targets.push_back(my2pg::typemap::map_table(rules, t, names));
    m.tables.push_back(t);
  }
  return m;
}

std::vector<my2pg::verify::Canon> canons_of(const my2pg::typemap::TargetTable& target) {
  std::vector<my2pg::verify::Canon> canons;
  for (const auto& c : target.columns) canons.push_back(my2pg::verify::canon_for(c));
  return canons;
}

// One side's rows: the digest, and every line by its row hash (to show rows that differ).
struct Side {
  Digest digest;
  Digest as_is;  // with every column taken as it is (Canon::exact)
  std::map<uint64_t, std::vector<std::string>> lines;

  void add(RowHasher& hasher, RowHasher& exact, std::string_view line) {
    const uint64_t h = hasher.hash_line(line);
    digest.add(h);
    as_is.add(exact.hash_line(line));
    lines[h].emplace_back(line);
  }
};

RowHasher exact_hasher(const my2pg::typemap::TargetTable& target) {
  return RowHasher(std::vector(target.columns.size(), my2pg::verify::Canon::exact));
}

// The source rows, read as the copy reads them (UTC) and encoded as it encodes them.
Side source_side(TestDatabases& db, const my2pg::schema::Table& table,
                 const my2pg::typemap::TargetTable& target) {
  db.source().execute("SET SESSION time_zone = '+00:00'");
  RowHasher hasher(canons_of(target));
  RowHasher exact = exact_hasher(target);
  Side side;
  auto rows = db.source().stream(my2pg::snapshot::select_sql(table));
  std::string line;
  while (rows.next()) {
    line.clear();
    for (size_t i = 0; i < target.columns.size(); ++i) {
      if (i != 0) line.push_back('\t');
      if (rows.is_null(i)) {
        line += "\\N";
        continue;
      }
      const char* problem =
          my2pg::typemap::append_copy_field(target.columns[i].codec, rows.field(i), line);
      INFO("column " << target.columns[i].name);
      REQUIRE(problem == nullptr);
    }
    side.add(hasher, exact, line);
  }
  return side;
}

std::string qualified(const my2pg::typemap::TargetTable& t) {
  return my2pg::pg::quote_identifier(t.schema) + "." + my2pg::pg::quote_identifier(t.name);
}

// The stored rows, as COPY TO prints them under kTargetSessionSql.
Side target_side(const std::string& target_uri, const my2pg::typemap::TargetTable& target) {
  my2pg::pg::Connection conn(target_uri);
  my2pg::pg::Transaction tx(conn);  // the settings hold for it
  conn.execute(my2pg::verify::kTargetSessionSql);
  std::string sql = "COPY (SELECT ";
  for (size_t i = 0; i < target.columns.size(); ++i) {
    sql.append(i == 0 ? "" : ", ").append(my2pg::pg::quote_identifier(target.columns[i].name));
  }
  sql.append(" FROM ").append(qualified(target)).append(") TO STDOUT");
  RowHasher hasher(canons_of(target));
  RowHasher exact = exact_hasher(target);
  Side side;
  auto reader = conn.copy_out(sql);
  std::string_view line;
  while (reader.next(line)) side.add(hasher, exact, line);
  return side;
}

// Control bytes and backslashes made visible.
std::string visible(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x").push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "line: ... | canonical: col=value, ..." for a failure message.
std::string describe(const my2pg::typemap::TargetTable& target, const std::string& line) {
  RowHasher hasher(canons_of(target));
  std::vector<size_t> all(target.columns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::string out = "    line: " + visible(line) + "\n    canonical: ";
  const auto fields = hasher.fields_of(line, all);
  for (size_t i = 0; i < fields.size(); ++i) {
    out.append(i == 0 ? "" : ", ").append(target.columns[i].name).append("=");
    out.append(fields[i] ? "'" + visible(*fields[i]) + "'" : std::string("NULL"));
  }
  return out + "\n";
}

// Rows of `a` that `b` has fewer of (by row hash), described.
std::string missing_from(const Side& a, const Side& b, const my2pg::typemap::TargetTable& t) {
  std::string out;
  for (const auto& [h, lines] : a.lines) {
    const auto it = b.lines.find(h);
    const size_t there = it == b.lines.end() ? 0 : it->second.size();
    for (size_t i = there; i < lines.size(); ++i) out += describe(t, lines[i]);
  }
  return out;
}

// Both sides' digests of every table are equal, and so are their multisets of row hashes; the
// tables in `differ_in_form` are printed differently by the two servers.
void check_tables_match(TestDatabases& db, const std::string& target_uri, const Model& model,
                        const std::map<std::string, uint64_t>& expected_rows,
                        const std::set<std::string>& differ_in_form) {
  REQUIRE(model.tables.size() == expected_rows.size());
  for (size_t i = 0; i < model.tables.size(); ++i) {
    const auto& target = model.targets[i];
    const Side source = source_side(db, model.tables[i], target);
    const Side stored = target_side(target_uri, target);
    INFO("table " << model.tables[i].name);
    CHECK(source.digest.rows == expected_rows.at(model.tables[i].name));
    const std::string sent_only = missing_from(source, stored, target);
    const std::string stored_only = missing_from(stored, source, target);
    INFO("rows sent but not stored:\n"
         << sent_only << "rows stored but not sent:\n"
         << stored_only);
    CHECK(sent_only.empty());
    CHECK(stored_only.empty());
    CHECK(source.digest == stored.digest);
    // The test means something: these tables' texts differ between the servers.
    if (differ_in_form.count(model.tables[i].name) != 0) CHECK(source.as_is != stored.as_is);
  }
}

void migrate(TestDatabases& db, const std::string& target_uri) {
  my2pg::snapshot::MigrateOptions options;
  options.source_uri = db.source_uri();
  options.target_uri = target_uri;
  options.verify = false;
  my2pg::snapshot::run_migrate(options);
}

void make_numbers(TestDatabases& db) {
  db.source().execute(
      "CREATE TABLE nums (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
      "su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
      "bi BIGINT, bu BIGINT UNSIGNED, zf INT(8) UNSIGNED ZEROFILL, d DECIMAL(20,6), "
      "dn DECIMAL(65,30), dz DECIMAL(6,2) UNSIGNED ZEROFILL, f FLOAT, g DOUBLE, y YEAR, "
      "b1 BIT(1), b10 BIT(10))");
  const std::string big = std::string(35, '9') + "." + std::string(30, '9');
  const std::string tiny = "0." + std::string(29, '0') + "1";
  db.source().execute(
      "INSERT INTO nums VALUES "
      "(1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, "
      " -99999999999999.999999, -" +
      big +
      ", 0, -3.4028234663852886e38, -1.7976931348623157e308, 1901, b'0', b'0000000000'),"
      "(2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
      " 9223372036854775807, 18446744073709551615, 4294967295, 99999999999999.999999, " +
      big +
      ", 9999.99, 3.4028234663852886e38, 1.7976931348623157e308, 2155, b'1', b'1111111111'),"
      "(3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 1, 42, -0.000000, 0, 1.5, 1e20, 1e20, 0, b'1', "
      " b'1010101010'),"
      "(4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -1.5, " +
      tiny +
      ", 0.01, 1e-5, 1e-5, 2024, b'0', b'0000000001'),"
      "(5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.0, -" +
      tiny +
      ", 0, -0e0, -0e0, 1999, b'0', b'1000000000'),"
      "(6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 1.1, 0.1, 2000, b'1', b'0000000000'),"
      "(7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.401298464324817e-45, "
      " 4.9406564584124654e-324, 2000, b'1', b'0000000000'),"
      "(8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16777215, 0.30000000000000004, 2000, b'1', "
      " b'0000000000'),"
      "(9, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      " NULL, NULL, NULL, NULL, NULL)");
}

void make_texts(TestDatabases& db) {
  db.source().execute(
      "CREATE TABLE texts (id INT PRIMARY KEY, c CHAR(10), c0 CHAR(0), v VARCHAR(64), t TEXT, "
      "lt LONGTEXT, e ENUM('a', 'b c', 'it''s', ''), s SET('x', 'y', 'z'), "
      "l1 VARCHAR(20) CHARACTER SET latin1)");
  db.source().execute(R"sql(INSERT INTO texts VALUES
      (1, 'ab  ', '', 'tab\there', 'line1\nline2\r\nback\\slash',
       CONCAT('vt', CHAR(11 USING utf8mb4), 'soh', CHAR(1 USING utf8mb4), 'bs',
              CHAR(8 USING utf8mb4), 'ff', CHAR(12 USING utf8mb4), 'del', CHAR(127 USING utf8mb4),
              'us', CHAR(31 USING utf8mb4)),
       'a', 'x,z', 'café'),
      (2, '  lead', NULL, '\\N', 'é 漢字 😀', '', 'b c', '', 'ÿ'),
      (3, 'exactly10!', '', '', '\\\\', '\\N literal and \\t and \\x41', 'it''s', 'x,y,z', ''),
      (4, 'tab\t', '', ' trailing ', 'ends with backslash \\', '\t\n\r', '', 'y', 'x'),
      (5, '', '', '', '', '', '', '', ''),
      (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))sql");
}

void make_bytes(TestDatabases& db) {
  db.source().execute(
      "CREATE TABLE bins (id INT PRIMARY KEY, b BINARY(8), vb VARBINARY(16), bl BLOB, "
      "lb LONGBLOB)");
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    all_bytes.push_back(kHex[i >> 4]);
    all_bytes.push_back(kHex[i & 0xF]);
  }
  db.source().execute(
      "INSERT INTO bins VALUES "
      "(1, X'0000000000000001', X'00', X'00FF00FF0D0A095C', X'" +
      all_bytes +
      "'),"
      "(2, X'01', X'', X'', X''),"
      "(3, X'FFFFFFFFFFFFFFFF', X'5C4E', X'5C', X'" +
      all_bytes + all_bytes +
      "'),"
      "(4, NULL, NULL, NULL, NULL)");
}

void make_times(TestDatabases& db) {
  db.source().execute("SET SESSION time_zone = '+00:00'");
  db.source().execute(
      "CREATE TABLE times (id INT PRIMARY KEY, d DATE, dt DATETIME, dt3 DATETIME(3), "
      "dt6 DATETIME(6), ts TIMESTAMP NULL, ts6 TIMESTAMP(6) NULL, t TIME, t1 TIME(1), "
      "t6 TIME(6))");
  db.source().execute(
      "INSERT INTO times VALUES "
      "(1, '0001-01-01', '0001-01-01 00:00:00', '1000-01-01 00:00:00.000', "
      " '0999-12-31 23:59:59.000001', '1970-01-01 00:00:01', '1970-01-01 00:00:01.000000', "
      " '-838:59:59', '-838:59:59.0', '-838:59:59.000000'),"
      "(2, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', "
      " '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '2038-01-19 03:14:07.999999', "
      " '838:59:59', '838:59:59.0', '838:59:59.000000'),"
      "(3, '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00.500', "
      " '2024-02-29 12:00:00.500000', '2024-03-31 01:30:00', '2024-10-27 02:30:00.100000', "
      " '00:00:00', '-00:00:00.5', '100:15:30.5'),"
      "(4, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00.010', "
      " '2000-01-01 00:00:00.000010', '2000-01-01 00:00:00', '2000-01-01 00:00:00.000001', "
      " '-12:30:00', '00:00:00.1', '-00:00:00.000001'),"
      "(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
}

void make_documents(TestDatabases& db) {
  db.source().execute("CREATE TABLE docs (id INT PRIMARY KEY, j JSON)");
  const std::vector<std::string> documents = {
      R"({"b": 1.50, "a": [1e2, 1E+2, -0, 0.0e5, 12e-1], "b": 2})",
      R"({  "z" :  {"y": 1, "x": [ {"b": 2, "a": 1} ] } , "a" : null })",
      R"(["quote \" backslash \\ slash \/ \b \f \n \r \t", "\u0001\u001f",)"
      R"( "\u00e9 \u6f22 \ud83d\ude00", "café 漢字 😀"])",
      "[18446744073709551616, -9223372036854775809, 1e400, -1.5e-400, "
      "123456789012345678901234567890.123456789012345678901234567890, 0.1, -0, 1E2, 1.0, 100e-2]",
      R"({"": null, "key": [], "nested": {"a": {}, "b": [true, false]}, "long key name": 1,)"
      R"( "k": 2})",
      "null",
      R"("just a string")",
      "-0.0",
      R"({"a": "x", "a": "y", "a": {"deep": 1}})",
      "{\n\t\"tabs\"\t:\r\n [1,\t2]\n}",
  };
  for (size_t i = 0; i < documents.size(); ++i) {
    db.source().execute("INSERT INTO docs VALUES (" + std::to_string(i + 1) + ", " +
                        db.source().quote(documents[i]) + ")");
  }
  db.source().execute("INSERT INTO docs VALUES (100, NULL)");
}

void make_shapes(TestDatabases& db) {
  db.source().execute("CREATE TABLE shapes (id INT PRIMARY KEY, g GEOMETRY, p POINT)");
  db.source().execute(
      "INSERT INTO shapes VALUES "
      "(1, ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), "
      "    ST_GeomFromText('POINT(1.5 -2.25)')), "
      "(2, ST_GeomFromText('MULTILINESTRING((1 1,2 2),(3 3,4 5))', 4326), "
      "    ST_GeomFromText('POINT(13.4 52.5)', 4326)), "
      "(3, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'), NULL), "
      "(4, ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))', 3857), "
      "    ST_GeomFromText('POINT(-0.000001 1e10)'))");
}

}  // namespace

TEST_CASE("row digests of every default-mapped type match between sent and stored rows",
          "[integration][row_digest]") {
  TestDatabases db;
  make_numbers(db);
  make_texts(db);
  make_bytes(db);
  make_times(db);
  make_documents(db);
  make_shapes(db);
  db.source().execute("CREATE TABLE ids (id INT PRIMARY KEY, u UUID, a6 INET6, a4 INET4)");
  db.source().execute(
      "INSERT INTO ids VALUES "
      "(1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '::ffff:1.2.3.4', '1.2.3.4'),"
      "(2, '00000000-0000-0000-0000-000000000000', '2001:DB8::1', '255.255.255.255'),"
      "(3, 'ffffffff-ffff-ffff-ffff-ffffffffffff', '::', '0.0.0.0'),"
      "(4, NULL, '::1.2.3.4', NULL), (5, NULL, 'fe80::1:2:3:4', NULL)");
  db.source().execute("CREATE TABLE nothing (id INT PRIMARY KEY, v TEXT)");
  db.source().execute("CREATE TABLE dups (v VARCHAR(10), n INT)");  // no key: equal rows repeat
  db.source().execute("INSERT INTO dups VALUES ('a', 1), ('a', 1), ('a', 1), ('b', NULL), ('', 2)");
  migrate(db, db.target_uri());
  const Model model = load_model(db, false);
  check_tables_match(db, db.target_uri(), model,
                     {{"nums", 9},
                      {"texts", 6},
                      {"bins", 4},
                      {"times", 5},
                      {"docs", 11},
                      {"shapes", 4},
                      {"ids", 5},
                      {"nothing", 0},
                      {"dups", 5}},
                     {"nums", "texts", "times", "docs"});
}

TEST_CASE("row digests of PostGIS geometry match between sent and stored rows",
          "[integration][row_digest]") {
  TestDatabases db;
  make_shapes(db);
  PostgisDatabase gis(db);
  migrate(db, gis.uri);
  const Model model = load_model(db, true);
  REQUIRE(model.targets.at(0).columns.at(1).codec.kind ==
          my2pg::typemap::ValueKind::geometry_postgis);
  check_tables_match(db, gis.uri, model, {{"shapes", 4}}, {"shapes"});  // hex case
}

TEST_CASE("a changed target value changes the table's digest", "[integration][row_digest]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE mut (id INT PRIMARY KEY, j JSON, g DOUBLE, f FLOAT, c CHAR(5), v VARCHAR(5), "
      "t DATETIME(6))");
  db.source().execute(
      "INSERT INTO mut VALUES "
      "(1, '{\"b\": [1.50], \"a\": 1}', 0.3, 1.1, 'abc', NULL, '2024-01-01 10:00:00.500000'),"
      "(2, '[]', 1, 2, 'x', 'y', '2024-01-01 10:00:00')");
  migrate(db, db.target_uri());
  const Model model = load_model(db, false);
  const auto& table = model.tables.at(0);
  const auto& target = model.targets.at(0);
  const Digest sent = source_side(db, table, target).digest;
  const auto stored = [&] { return target_side(db.target_uri(), target).digest; };
  REQUIRE(stored() == sent);
  struct Change {
    std::string set;      // a target change
    std::string restore;  // the same value again, spelled another way
  };
  const std::vector<Change> changes = {
      {"j = jsonb_set(j, '{a}', '2') WHERE id = 1",
       "j = '{\"a\": 1.0, \"b\": [1.5]}' WHERE id = 1"},
      {"j = '{\"b\": [1.50], \"a\": 1, \"c\": null}' WHERE id = 1",
       "j = '{\"a\":1,\"b\":[1.50]}'"
       " WHERE id = 1"},
      {"g = 0.30000000000000004 WHERE id = 1", "g = '3e-1' WHERE id = 1"},
      {"f = 1.1000001 WHERE id = 1", "f = '1.100000023841858' WHERE id = 1"},
      {"c = 'abd' WHERE id = 1", "c = 'abc  ' WHERE id = 1"},
      {"c = ' abc' WHERE id = 1", "c = 'abc' WHERE id = 1"},
      {"v = '' WHERE id = 1", "v = NULL WHERE id = 1"},
      {"v = 'Y' WHERE id = 2", "v = 'y' WHERE id = 2"},
      {"t = '2024-01-01 10:00:00.05' WHERE id = 1", "t = '2024-01-01 10:00:00.50' WHERE id = 1"},
  };
  const std::string name = qualified(target);
  for (const Change& change : changes) {
    INFO(change.set << ", then " << change.restore);
    db.target().execute("UPDATE " + name + " SET " + change.set);
    const Digest changed = stored();
    CHECK(changed.rows == sent.rows);
    CHECK(changed != sent);
    db.target().execute("UPDATE " + name + " SET " + change.restore);
    CHECK(stored() == sent);
  }
  db.target().execute("INSERT INTO " + name + " SELECT 3, j, g, f, c, v, t FROM " + name +
                      " WHERE id = 2");
  CHECK(stored().rows == 3);
  db.target().execute("DELETE FROM " + name + " WHERE id = 3");
  CHECK(stored() == sent);
  db.target().execute("DELETE FROM " + name + " WHERE id = 2");
  CHECK(stored().rows == 1);
  CHECK(stored() != sent);
}

TEST_CASE("copy_out streams COPY TO rows and leaves the connection usable",
          "[integration][row_digest]") {
  TestDatabases db;
  my2pg::pg::Connection conn(db.target_uri());

  SECTION("every row, without its newline") {
    auto reader = conn.copy_out(
        "COPY (SELECT g, 'x' || g, NULL, E'a\\tb' FROM generate_series(1, 100000) g) TO STDOUT");
    std::string_view line;
    uint64_t n = 0;
    while (reader.next(line)) {
      ++n;
      if (n == 1) CHECK(line == "1\tx1\t\\N\ta\\tb");
      if (line.find('\n') != std::string_view::npos) FAIL("a line holds a newline: " << line);
    }
    CHECK(n == 100000);
    CHECK(reader.rows() == 100000);
    CHECK_FALSE(reader.next(line));
    CHECK(conn.query("SELECT 42").rows.at(0).at(0) == "42");
  }

  SECTION("a missing table is a TargetError with its SQLSTATE") {
    try {
      conn.copy_out("COPY no_such_table_here TO STDOUT");
      FAIL("no error");
    } catch (const my2pg::TargetError& e) {
      CHECK(e.sqlstate() == "42P01");
      CHECK_THAT(e.what(), Catch::Contains("no_such_table_here"));
    }
    CHECK(conn.query("SELECT 42").rows.at(0).at(0) == "42");
  }

  SECTION("an error in the middle of the stream is a TargetError") {
    auto reader =
        conn.copy_out("COPY (SELECT 1 / (50000 - g) FROM generate_series(1, 100000) g) TO STDOUT");
    std::string_view line;
    uint64_t n = 0;
    try {
      while (reader.next(line)) ++n;
      FAIL("no error");
    } catch (const my2pg::TargetError& e) {
      CHECK(e.sqlstate() == "22012");
    }
    CHECK(n < 50000);
    CHECK_FALSE(reader.next(line));
    CHECK(conn.query("SELECT 42").rows.at(0).at(0) == "42");
  }

  SECTION("an abandoned stream is cancelled, not read to its end") {
    // generate_series in the select list streams its rows (in FROM, it would build them all
    // before the first one is sent).
    const auto started = std::chrono::steady_clock::now();
    {
      auto reader = conn.copy_out("COPY (SELECT generate_series(1, 100000000)) TO STDOUT");
      std::string_view line;
      for (int i = 0; i < 10; ++i) REQUIRE(reader.next(line));
      CHECK(line == "10");
      auto moved = std::move(reader);  // the moved-from reader cancels nothing
      REQUIRE(moved.next(line));
      CHECK(line == "11");
    }
    CHECK(conn.query("SELECT 42").rows.at(0).at(0) == "42");
    // Reading 100 million rows takes far longer than this.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  }

  SECTION("a statement that is not COPY TO is refused") {
    CHECK_THROWS_AS(conn.copy_out("SELECT 1"), my2pg::TargetError);
    CHECK(conn.query("SELECT 42").rows.at(0).at(0) == "42");
    conn.execute("CREATE TEMP TABLE sink (v int)");
    CHECK_THROWS_AS(conn.copy_out("COPY sink FROM STDIN"), my2pg::TargetError);
    CHECK(conn.query("SELECT count(*) FROM sink").rows.at(0).at(0) == "0");
  }
}
