// Values written through MariaDB and read back in PostgreSQL: every type of the default rules,
// with edge values, must arrive exactly.
#include <catch2/catch.hpp>

#include "snapshot/migrate.hpp"
#include "support/servers.hpp"

using my2pg::test::TestDatabases;

namespace {

my2pg::snapshot::MigrateReport migrate(TestDatabases& db) {
  my2pg::snapshot::MigrateOptions options;
  options.source_uri = db.source_uri();
  options.target_uri = db.target_uri();
  return my2pg::snapshot::run_migrate(options);
}

}  // namespace

TEST_CASE("integers, decimals and floats keep their full range") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE nums (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, "
      "su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
      "bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(30,10), f FLOAT, g DOUBLE, y YEAR)");
  db.source().execute(
      "INSERT INTO nums VALUES "
      "(1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, "
      " -9223372036854775808, 18446744073709551615, -12345678901234567890.0123456789, "
      " -3.40282e38, -1.7976931348623157e308, 1901),"
      "(2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, "
      " 0.0000000001, 1.17549e-38, 2.2250738585072014e-308, 2155),"
      "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0)");
  const auto report = migrate(db);
  REQUIRE(report.tables.size() == 1);
  CHECK(report.tables[0].rows == 3);
  CHECK(report.verified);

  const std::string t = db.name() + ".nums";
  CHECK(db.target_value("SELECT concat_ws(',', ti, tu, si, su, mi, mu, i, iu, bi, bu, d, y) FROM " +
                        t + " WHERE id = 1") ==
        "-128,255,-32768,65535,-8388608,16777215,-2147483648,4294967295,-9223372036854775808,"
        "18446744073709551615,-12345678901234567890.0123456789,1901");
  CHECK(db.target_value("SELECT concat_ws(',', ti, tu, si, su, mi, mu, i, iu, bi, bu, d, y) FROM " +
                        t + " WHERE id = 2") ==
        "127,0,32767,0,8388607,0,2147483647,0,9223372036854775807,0,0.0000000001,2155");
  CHECK(db.target_value("SELECT g::text FROM " + t + " WHERE id = 1") ==
        "-1.7976931348623157e+308");
  CHECK(db.target_value("SELECT g::text FROM " + t + " WHERE id = 2") == "2.2250738585072014e-308");
  CHECK(db.target_value("SELECT f::text FROM " + t + " WHERE id = 1") == "-3.40282e+38");
  CHECK(db.target_value("SELECT count(*) FROM " + t +
                        " WHERE ti IS NULL AND bu IS NULL AND d IS NULL") == "1");
  CHECK(db.target_value(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + t +
            "'::regclass AND attname = 'bu'") == "numeric(20,0)");
}

TEST_CASE("dates, times and timestamps arrive exactly, TIMESTAMP as UTC") {
  TestDatabases db;
  db.source().execute("SET time_zone = '+05:30'");  // a writer's zone must not shift TIMESTAMPs
  db.source().execute(
      "CREATE TABLE times (id INT PRIMARY KEY, d DATE, dt DATETIME, dt6 DATETIME(6), "
      "ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, t TIME, t1 TIME(1), t6 TIME(6))");
  db.source().execute(
      "INSERT INTO times VALUES "
      "(1, '1000-01-01', '1000-01-01 00:00:00', '9999-12-31 23:59:59.999999', "
      " '1970-01-01 05:30:01', '2038-01-19 08:44:07.999', '-838:59:59', '100:15:30.5', "
      " '838:59:59.000000'),"
      "(2, '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00.000001', NULL, NULL, "
      " '00:00:00', '-00:00:00.1', '-12:30:00.123456')");
  migrate(db);
  const std::string t = db.name() + ".times";
  CHECK(db.target_value("SELECT concat_ws('|', d, dt, dt6) FROM " + t + " WHERE id = 1") ==
        "1000-01-01|1000-01-01 00:00:00|9999-12-31 23:59:59.999999");
  CHECK(
      db.target_value("SELECT concat_ws('|', ts AT TIME ZONE 'UTC', ts3 AT TIME ZONE 'UTC') FROM " +
                      t + " WHERE id = 1") == "1970-01-01 00:00:01|2038-01-19 03:14:07.999");
  CHECK(db.target_value("SELECT concat_ws('|', t, t1, t6) FROM " + t + " WHERE id = 1") ==
        "-838:59:59|100:15:30.5|838:59:59");
  CHECK(db.target_value("SELECT concat_ws('|', d, dt6, t, t1, t6) FROM " + t + " WHERE id = 2") ==
        "2024-02-29|2024-02-29 12:00:00.000001|00:00:00|-00:00:00.1|-12:30:00.123456");
  CHECK(db.target_value("SELECT count(*) FROM " + t + " WHERE ts IS NULL") == "1");
}

TEST_CASE("text, binary, bit, enum, set, json and geometry keep every byte") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE blobs (id INT PRIMARY KEY, c CHAR(3), v VARCHAR(10), tx TEXT, l1 VARCHAR(10) "
      "CHARACTER SET latin1, b BINARY(4), vb VARBINARY(8), bl BLOB, bt BIT(10), b64 BIT(64), "
      "e ENUM('small','large'), s SET('a','b','c'), j JSON, g POINT)");
  db.source().execute(
      "INSERT INTO blobs VALUES "
      "(1, 'ab', 'tab\\there', 'line1\\nline2\\r\\\\end', _latin1 X'636166E9', X'0100', X'00FF00', "
      "X'DEADBEEF00', "
      " b'1010101011', b'1111111111111111111111111111111111111111111111111111111111111111', "
      " 'large', 'a,c', '{\"k\": [1, 2.5, \"\\\\u00e9\\\\ud83d\\\\ude00\"], \"n\": null}', "
      "ST_GeomFromText('POINT(1 2)')),"
      "(2, '', '', '', '', X'', X'', X'', b'0', b'0', 'small', '', '[]', NULL)");
  db.source().execute("UPDATE blobs SET tx = '😀 漢字 é' WHERE id = 2");
  migrate(db);
  const std::string t = db.name() + ".blobs";
  CHECK(db.target_value("SELECT c || '|' || v || '|' || tx FROM " + t + " WHERE id = 1") ==
        "ab|tab\there|line1\nline2\r\\end");
  CHECK(db.target_value("SELECT l1 FROM " + t + " WHERE id = 1") == "caf\xC3\xA9");
  CHECK(db.target_value("SELECT concat_ws('|', b, vb, bl) FROM " + t + " WHERE id = 1") ==
        "\\x01000000|\\x00ff00|\\xdeadbeef00");
  CHECK(db.target_value("SELECT concat_ws('|', b, vb, bl) FROM " + t + " WHERE id = 2") ==
        "\\x00000000|\\x|\\x");
  CHECK(db.target_value("SELECT concat_ws('|', bt, b64) FROM " + t + " WHERE id = 1") ==
        "1010101011|" + std::string(64, '1'));
  CHECK(db.target_value("SELECT concat_ws('|', bt, b64) FROM " + t + " WHERE id = 2") ==
        "0000000000|" + std::string(64, '0'));
  CHECK(db.target_value("SELECT concat_ws('|', e, s) FROM " + t + " WHERE id = 1") == "large|a,c");
  CHECK(db.target_value("SELECT s FROM " + t + " WHERE id = 2") == "");
  CHECK(db.target_value("SELECT j->'k'->>2 FROM " + t + " WHERE id = 1") ==
        "\xC3\xA9\xF0\x9F\x98\x80");
  CHECK(db.target_value("SELECT j::text FROM " + t + " WHERE id = 1") ==
        "{\"k\": [1, 2.5, \"\xC3\xA9\xF0\x9F\x98\x80\"], \"n\": null}");
  CHECK(db.target_value("SELECT tx FROM " + t + " WHERE id = 2") ==
        "\xF0\x9F\x98\x80 \xE6\xBC\xA2\xE5\xAD\x97 \xC3\xA9");
  // EWKB of POINT(1 2) with SRID 0: plain WKB.
  CHECK(db.target_value("SELECT g FROM " + t + " WHERE id = 1") ==
        "\\x0101000000000000000000f03f0000000000000040");
  CHECK(db.target_value(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + t +
            "'::regclass AND attname = 'j'") == "jsonb");
}

// information_schema shows binary defaults with '?' for bytes that are not UTF-8; the target's
// defaults must be the bytes themselves (a partitioned table, whose SHOW CREATE TABLE the schema
// parser does not take whole, included).
TEST_CASE("binary defaults keep every byte") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE bdef (id INT PRIMARY KEY, x BINARY(2) DEFAULT x'ff00', "
      "y VARBINARY(8) DEFAULT x'0a290d27ff5c', `we``ird` BINARY(1) DEFAULT 0xfe, "
      "q VARBINARY(4) DEFAULT '?a', z VARBINARY(4) DEFAULT 'ab', n VARBINARY(4)) "
      "PARTITION BY HASH (id) PARTITIONS 2");
  db.source().execute("INSERT INTO bdef (id) VALUES (1)");
  const auto report = migrate(db);
  CHECK(report.verified);
  const std::string t = db.name() + ".bdef";
  db.target().execute("INSERT INTO " + t + " (id) VALUES (2)");
  const std::string shown =
      "SELECT concat_ws(',', encode(x, 'hex'), encode(y, 'hex'), encode(\"we`ird\", 'hex'), "
      "encode(q, 'hex'), encode(z, 'hex'), coalesce(n::text, 'null')) FROM " +
      t + " WHERE id = ";
  CHECK(db.target_value(shown + "1") == "ff00,0a290d27ff5c,fe,3f61,6162,null");
  CHECK(db.target_value(shown + "2") == "ff00,0a290d27ff5c,fe,3f61,6162,null");
}

TEST_CASE("keys, generators and tables without a primary key") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE parent (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)");
  db.source().execute("INSERT INTO parent (v) VALUES (1), (2), (3)");
  db.source().execute("DELETE FROM parent WHERE id = 3");  // the counter stays at 4
  db.source().execute("CREATE TABLE line (a INT, b INT, x TEXT, PRIMARY KEY (b, a))");
  db.source().execute("INSERT INTO line VALUES (1, 2, 'x')");
  db.source().execute("CREATE TABLE log (msg TEXT)");
  db.source().execute("INSERT INTO log VALUES ('same'), ('same'), (NULL)");
  const auto report = migrate(db);
  REQUIRE(report.tables.size() == 3);
  CHECK(report.position.known());
  CHECK(report.position.file.find("mariadb-bin.") == 0);
  CHECK_FALSE(report.position.gtid_set.empty());

  const std::string s = db.name();
  CHECK(db.target_value("INSERT INTO " + s + ".parent (v) VALUES (9) RETURNING id") == "4");
  CHECK(db.target_value("SELECT attidentity FROM pg_attribute WHERE attrelid = '" + s +
                        ".parent'::regclass AND attname = 'id'") == "d");
  CHECK(db.target_value("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = '" + s +
                        ".parent'::regclass AND attname = 'v'") == "true");
  CHECK(db.target_value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" +
                        s + ".line'::regclass AND contype = 'p'") == "PRIMARY KEY (b, a)");
  CHECK(db.target_value("SELECT count(*) FROM " + s + ".log") == "3");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE conrelid = '" + s +
                        ".log'::regclass") == "0");

  // The control schema records where replication would continue.
  CHECK(db.target_value(
            "SELECT state || ' ' || binlog_file || ':' || binlog_pos FROM my2pg.snapshot "
            "WHERE source_database = '" +
            s + "'") == "done " + report.position.file + ":" + std::to_string(report.position.pos));
  CHECK(db.target_value(
            "SELECT string_agg(source_table || '=' || rows_copied, ',' ORDER BY source_table) "
            "FROM my2pg.table_state WHERE source_database = '" +
            s + "'") == "line=1,log=3,parent=2");
}
