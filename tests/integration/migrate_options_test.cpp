// `my2pg migrate` options: table selection, schema only, and the JSON report.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

void make_tables(TestDatabases& db) {
  db.source().execute("CREATE TABLE parent (id INT PRIMARY KEY)");
  db.source().execute(
      "CREATE TABLE child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id))");
  db.source().execute("CREATE TABLE audit_log (id INT PRIMARY KEY)");
  db.source().execute("INSERT INTO parent VALUES (1), (2)");
  db.source().execute("INSERT INTO child VALUES (10, 1)");
  db.source().execute("INSERT INTO audit_log VALUES (5)");
}

std::string exists(TestDatabases& db, const std::string& table) {
  return db.target_value("SELECT to_regclass('\"" + db.name() + "\".\"" + table +
                         "\"') IS NOT NULL");
}

}  // namespace

TEST_CASE("table selection: include and exclude globs over database.table", "[migrate_options]") {
  TestDatabases db;
  make_tables(db);
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                      "--include", db.name() + ".*", "--exclude", "*.audit_*,*.parent"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(exists(db, "child") == "t");
  CHECK(exists(db, "parent") == "f");
  CHECK(exists(db, "audit_log") == "f");
  // The foreign key to a table left out is reported, not created.
  CHECK_THAT(r.out, Catch::Contains("references " + db.name() +
                                    ".parent, which is not part of "
                                    "this migration"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--include", "other.*"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no table of " + db.name() + " is selected"));
}

TEST_CASE("schema only creates tables and keys without data, and the report is JSON",
          "[migrate_options]") {
  TestDatabases db;
  make_tables(db);
  auto r = run_my2pg(
      {"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--schema-only"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(db.target_value("SELECT count(*) FROM \"" + db.name() + "\".parent") == "0");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                        "connamespace = '\"" +
                        db.name() + "\"'::regnamespace") == "1");

  char name[] = "/tmp/my2pg-report-XXXXXX";
  const int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--report", name});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::ifstream in(name);
  std::stringstream json;
  json << in.rdbuf();
  std::remove(name);
  const std::string text = json.str();
  CHECK_THAT(text, Catch::StartsWith("{\"source_database\":\"" + db.name() + "\"") &&
                       Catch::Contains("\"binlog_file\":\"mariadb-bin.") &&
                       Catch::Contains("\"verified\":true") &&
                       Catch::Contains("{\"source_table\":\"child\",\"target_table\":\"" +
                                       db.name() + ".child\",\"rows\":1,") &&
                       Catch::Contains("\"target_rows\":2,\"rejected\":0}") &&
                       Catch::Contains("\"not_migrated\":[]") &&
                       Catch::Contains("\"replication_problems\":[]"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--report", "/nonexistent/dir/r.json"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot write the report to /nonexistent/dir/r.json"));
}

TEST_CASE("on-error skip-row sets bad rows aside in my2pg.rejects and says so",
          "[migrate_options]") {
  TestDatabases db;
  db.source().execute("SET SESSION sql_mode = ''");
  db.source().execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT, d DATE)");
  db.source().execute(
      "INSERT INTO notes VALUES (1, 'fine', '2020-01-01'), (2, CONCAT('a', CHAR(0)), NULL), "
      "(3, 'ok', '2021-00-10'), (4, 'also fine', NULL)");
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                      "--on-error", "skip-row"});
  INFO(r.err);
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err,
             Catch::Contains("2 row(s) could not be stored") && Catch::Contains("my2pg.rejects"));
  CHECK_THAT(r.out,
             Catch::Contains("row counts and row digests verified (with the rows set aside)"));
  // The summary's "set aside" column: 4 rows read, 2 set aside.
  CHECK_THAT(r.out,
             Catch::Contains("set aside  verified") &&
                 Catch::Matches("(.|\n)*notes +4 +[0-9.]+ [A-Za-z]+ +[0-9.]+ +2  ok(.|\n)*"));
  CHECK(db.target_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM \"" + db.name() +
                        "\".notes") == "1,4");
  CHECK(db.target_value(
            "SELECT string_agg(concat_ws('|', source_table, row_key, column_name, value_excerpt), "
            "';' ORDER BY row_key) FROM my2pg.rejects WHERE source_database = '" +
            db.name() + "'") == "notes|id=2|body|X'6100';notes|id=3|d|'2021-00-10'");
  CHECK(db.target_value("SELECT count(*) FROM my2pg.rejects WHERE source_database = '" + db.name() +
                        "' AND reason LIKE '%NUL byte%'") == "1");
  CHECK(db.target_value("SELECT rows_copied FROM my2pg.table_state WHERE source_database = '" +
                        db.name() + "' AND source_table = 'notes'") == "2");
  // Copying again replaces the rejects of the earlier copy.
  db.source().execute("DELETE FROM notes WHERE id = 2");
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--on-error", "skip-row"});
  CHECK(r.exit_code == 8);
  CHECK(db.target_value("SELECT count(*) FROM my2pg.rejects WHERE source_database = '" + db.name() +
                        "'") == "1");
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--on-error", "ignore"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--on-error must be stop or skip-row"));
}

TEST_CASE("a table with too many bad rows stops even with skip-row", "[migrate_options]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE bad (id INT PRIMARY KEY, body TEXT)");
  db.source().execute("INSERT INTO bad SELECT seq, CONCAT('x', CHAR(0)) FROM seq_1_to_10001");
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                            "--on-error", "skip-row"});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("more than 10000 rows of " + db.name() + ".bad") &&
                        Catch::Contains("the last at id=10001"));
  CHECK(db.target_value("SELECT count(*) FROM my2pg.rejects WHERE source_database = '" + db.name() +
                        "'") == "0");
}

TEST_CASE("progress is logged as plain lines when stderr is not a terminal", "[migrate_options]") {
  TestDatabases db;
  make_tables(db);
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                      "--progress-every", "0.2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("progress: 3/3 tables, 4 of ~4 rows (100%)"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace",
                 "--progress-every", "0"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--progress-every must be a number of seconds"));
}
