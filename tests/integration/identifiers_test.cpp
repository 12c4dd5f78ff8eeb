// Odd source names through `my2pg migrate`: reserved words, spaces, quotes, non-ASCII and names
// over PostgreSQL's 63-byte limit all arrive, quoted everywhere, and shortened names are recorded.
#include <catch2/catch.hpp>

#include <string>

#include "pg/connection.hpp"
#include "support/servers.hpp"

using my2pg::pg::quote_identifier;
using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

TEST_CASE("select, Order Details, naïve, quotes and 64-character names round-trip",
          "[identifiers]") {
  TestDatabases db;
  const std::string long_table(64, 't');
  const std::string long_column = std::string(60, 'c') + "_end";
  db.source().execute(
      "CREATE TABLE `select` (`Order Details` INT PRIMARY KEY, `naïve` VARCHAR(10), "
      "`it's \"quoted\"` INT, `" +
      long_column + "` INT, KEY `by naïve` (`naïve`))");
  db.source().execute("CREATE TABLE `" + long_table +
                      "` (id INT PRIMARY KEY, sel INT, CONSTRAINT `fk to select` FOREIGN KEY "
                      "(sel) REFERENCES `select` (`Order Details`))");
  db.source().execute("INSERT INTO `select` VALUES (1, 'café', 7, 8)");
  db.source().execute("INSERT INTO `" + long_table + "` VALUES (10, 1)");

  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string s = quote_identifier(db.name());
  CHECK(db.target_value("SELECT concat_ws('|', \"Order Details\", \"naïve\", "
                        "\"it's \"\"quoted\"\"\") FROM " +
                        s + ".\"select\"") == "1|café|7");
  // The 64-byte names were shortened, deterministically, and recorded in the control schema.
  const std::string table_target =
      db.target_value("SELECT target_name FROM my2pg.identifier_map WHERE source_database = '" +
                      db.name() + "' AND kind = 'table' AND source_name = '" + long_table + "'");
  CHECK(table_target.size() <= 63);
  CHECK(table_target.rfind(std::string(54, 't'), 0) == 0);
  CHECK(db.target_value("SELECT sel FROM " + s + "." + quote_identifier(table_target)) == "1");
  const std::string column_target = db.target_value(
      "SELECT target_name FROM my2pg.identifier_map WHERE source_database = '" + db.name() +
      "' AND kind = 'column' AND source_table = 'select' AND source_name = '" + long_column + "'");
  CHECK(column_target.size() == 63);
  CHECK(db.target_value("SELECT " + quote_identifier(column_target) + " FROM " + s +
                        ".\"select\"") == "8");
  // Short names are not in the map; the index and the foreign key arrived under their names.
  CHECK(db.target_value("SELECT count(*) FROM my2pg.identifier_map WHERE source_database = '" +
                        db.name() + "'") == "2");
  CHECK(db.target_value("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.name() +
                        "' AND indexname = 'select_by naïve'") == "1");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE conname = 'fk to select' AND "
                        "connamespace = '" +
                        s + "'::regnamespace") == "1");
  // The same run again (--replace) gives the same names.
  const auto again =
      run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--replace"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(db.target_value("SELECT target_name FROM my2pg.identifier_map WHERE source_database = '" +
                        db.name() + "' AND kind = 'table'") == table_target);
}

TEST_CASE("folding case to lower is refused when it would merge two names", "[identifiers]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE Items (ID INT PRIMARY KEY, Name TEXT)");
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                      "--identifier-case", "lower"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(db.target_value("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                        "information_schema.columns WHERE table_schema = '" +
                        db.name() + "' AND table_name = 'items'") == "id,name");
  db.source().execute("CREATE TABLE ITEMS (x INT PRIMARY KEY)");
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--identifier-case", "lower", "--replace"});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("ITEMS") && Catch::Contains("Items"));
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--identifier-case", "upper"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("keep or lower"));
}
