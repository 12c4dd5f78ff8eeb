// `my2pg verify`: a copy made by migrate verifies equal; changed, deleted and extra rows on the
// target are found and named by key, for tables with and without a primary key.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/servers.hpp"

using my2pg::test::read_text_file;
using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

TEST_CASE("verify finds a changed, a deleted and an extra row and names their keys", "[verify]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(8,2), "
      "doc JSON, seen DATETIME(3))");
  db.source().execute(
      "INSERT INTO items SELECT seq, CONCAT('item ', seq), seq / 4, "
      "JSON_OBJECT('b', seq, 'a', 'x'), '2024-05-01 10:00:00.500' FROM seq_1_to_5000");
  db.source().execute("ANALYZE TABLE items");
  db.source().execute("CREATE TABLE log (at DATE, msg TEXT)");
  db.source().execute(
      "INSERT INTO log VALUES ('2024-01-01', 'same'), ('2024-01-01', 'same'), ('2024-01-02', "
      "'other')");
  const std::vector<std::string> base = {"--source", db.source_uri(), "--target", db.target_uri()};
  auto run = [&](const std::string& command, const std::vector<std::string>& more) {
    std::vector<std::string> args = {command};
    args.insert(args.end(), base.begin(), base.end());
    args.insert(args.end(), more.begin(), more.end());
    return run_my2pg(args);
  };
  REQUIRE(run("migrate", {}).exit_code == 0);

  auto r = run("verify", {"--chunk-rows", "1000"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("2 tables, 2 equal, 0 different"));

  const std::string s = "\"" + db.name() + "\"";
  db.target().execute("UPDATE " + s + ".items SET price = price + 0.01 WHERE id = 1234");
  db.target().execute("DELETE FROM " + s + ".items WHERE id = 42");
  db.target().execute("INSERT INTO " + s +
                      ".items VALUES (9999, 'stray', 1, '{}', '2024-01-01 00:00:00')");
  db.target().execute("DELETE FROM " + s + ".log WHERE ctid = (SELECT min(ctid) FROM " + s +
                      ".log WHERE msg = 'same')");
  const std::string report = "/tmp/my2pg-verify-" + db.name() + ".json";
  r = run("verify", {"--chunk-rows", "1000", "--report", report});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.out, Catch::Contains("2 tables, 0 equal, 2 different"));
  CHECK_THAT(r.out, Catch::Contains("different:             id=1234"));
  CHECK_THAT(r.out, Catch::Contains("missing on the target: id=42"));
  CHECK_THAT(r.out, Catch::Contains("extra on the target:   id=9999"));
  CHECK_THAT(r.out, Catch::Contains("missing on the target: at='2024-01-01', msg='same'"));
  // Only the ranges holding those rows were compared row by row.
  CHECK_THAT(r.out, Catch::Contains("rows differ in \"id\" > ") &&
                        Catch::Contains("rows differ in the whole table"));
  const std::string json = read_text_file(report);
  std::remove(report.c_str());
  CHECK_THAT(json, Catch::Contains("\"equal\":false") &&
                       Catch::Contains("{\"kind\":\"different\",\"key\":\"id=1234\"}") &&
                       Catch::Contains("{\"kind\":\"missing\",\"key\":\"id=42\"}") &&
                       Catch::Contains("{\"kind\":\"extra\",\"key\":\"id=9999\"}") &&
                       Catch::Contains("\"source_rows\":5000,\"target_rows\":5000"));
}

TEST_CASE("verify reports a missing table and rows the target cannot hold", "[verify]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)");
  db.source().execute("INSERT INTO notes VALUES (1, 'fine'), (2, 'also fine')");
  REQUIRE(
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()}).exit_code ==
      0);
  db.source().execute("INSERT INTO notes VALUES (3, CONCAT('nul', CHAR(0)))");
  db.source().execute("CREATE TABLE later (id INT PRIMARY KEY)");
  const auto r = run_my2pg({"verify", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 6);
  CHECK_THAT(r.out, Catch::Contains(db.name() + ".later") &&
                        Catch::Contains("DIFFERENT: no such table on the target"));
  CHECK_THAT(r.out,
             Catch::Contains("1 source row(s) hold values the target column types cannot store"));
  const auto bad = run_my2pg(
      {"verify", "--source", db.source_uri(), "--target", db.target_uri(), "--chunk-rows", "many"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--chunk-rows must be a number of rows"));
}
