// `my2pg schema` and `my2pg migrate` on the Sakila sample database (../shared/datasets/sakila):
// its defaults, keys, 22 foreign keys and indexes arrive; what cannot is reported by name.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/servers.hpp"

using my2pg::test::read_text_file;
using my2pg::test::run_mariadb_client;
using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

const std::string kSakila = std::string(MY2PG_DATASETS_DIR) + "/sakila";

// The dataset creates and uses a database named sakila: load it into the test's own database.
std::string retarget(std::string sql, const std::string& database) {
  for (const char* line :
       {"DROP SCHEMA IF EXISTS sakila;", "CREATE SCHEMA sakila;", "USE sakila;"}) {
    for (size_t at; (at = sql.find(line)) != std::string::npos;) sql.erase(at, std::strlen(line));
  }
  for (size_t at = 0; (at = sql.find("sakila.", at)) != std::string::npos;) {
    sql.replace(at, 7, "`" + database + "`.");
    at += database.size() + 3;
  }
  return sql;
}

bool load_sakila(TestDatabases& db) {
  if (!std::filesystem::exists(kSakila + "/sakila-schema.sql")) {
    WARN("../shared/datasets/sakila is absent (" + kSakila + "): skipping the Sakila test");
    return false;
  }
  for (const char* file : {"/sakila-schema.sql", "/sakila-data.sql"}) {
    const auto r = run_mariadb_client(db, retarget(read_text_file(kSakila + file), db.name()));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  return true;
}

}  // namespace

TEST_CASE("Sakila converts with its defaults, keys, foreign keys and indexes", "[schema]") {
  TestDatabases db;
  if (!load_sakila(db)) return;
  const std::string s = db.name();

  // The dry run prints a SQL script and the report, and writes nothing.
  const auto dry = run_my2pg({"schema", "--source", db.source_uri(), "--dry-run"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("-- phase 2: tables") &&
                          Catch::Contains("CREATE TABLE \"" + s + "\".\"film\"") &&
                          Catch::Contains("FOREIGN KEY") && Catch::Contains("-- Not migrated"));
  CHECK(db.target_value("SELECT count(*) FROM pg_namespace WHERE nspname = '" + s + "'") == "0");

  const auto run = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // Every table's rows, read back from PostgreSQL, digest equal to the rows sent.
  CHECK_THAT(run.out, Catch::Contains("row counts and row digests verified equal"));
  const std::string ns = "'" + s + "'::regnamespace";
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                        "connamespace = " +
                        ns) == "22");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND "
                        "connamespace = " +
                        ns) == "16");
  // Secondary indexes (the primary keys' own indexes excluded), e.g. rental's unique key.
  CHECK(db.target_value("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = "
                        "i.indexrelid WHERE c.relnamespace = " +
                        ns + " AND NOT i.indisprimary") == "24");
  CHECK(db.target_value("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                        "WHERE c.relnamespace = " +
                        ns +
                        " AND c.relname = 'rental' AND "
                        "i.indisunique AND NOT i.indisprimary") == "1");
  // Defaults: literals, booleans, CURRENT_TIMESTAMP.
  auto default_of = [&](const std::string& table, const std::string& column) {
    return db.target_value(
        "SELECT column_default FROM information_schema.columns WHERE "
        "table_schema = '" +
        s + "' AND table_name = '" + table + "' AND column_name = '" + column + "'");
  };
  CHECK(default_of("film", "rental_duration") == "3");
  CHECK(default_of("film", "rental_rate") == "4.99");
  CHECK(default_of("film", "rating") == "'G'::text");
  CHECK(default_of("customer", "active") == "1");
  CHECK(default_of("actor", "last_update") == "CURRENT_TIMESTAMP");
  // Data, counted and spot-checked by value.
  CHECK(db.target_value("SELECT count(*) FROM \"" + s + "\".rental") == "16044");
  const auto source_sum = db.source().query("SELECT SUM(amount) FROM payment");
  CHECK(db.target_value("SELECT sum(amount)::text FROM \"" + s + "\".payment") ==
        source_sum.rows.at(0).at(0).value_or(""));
  CHECK(db.target_value("SELECT special_features FROM \"" + s + "\".film WHERE film_id = 1") ==
        "Deleted Scenes,Behind the Scenes");
  // AUTO_INCREMENT became identity, set past the copied maximum.
  CHECK(db.target_value("INSERT INTO \"" + s +
                        "\".actor (first_name, last_name) VALUES "
                        "('ADA', 'LOVELACE') RETURNING actor_id") == "201");
  // ON UPDATE CURRENT_TIMESTAMP is kept by a trigger.
  CHECK(db.target_value("WITH u AS (UPDATE \"" + s +
                        "\".actor SET first_name = 'PENNY' WHERE "
                        "actor_id = 1 RETURNING last_update) SELECT (last_update > now() - "
                        "interval '1 minute')::text FROM u") == "true");
  // What was left out is named, with the reason.
  for (const std::string& expected :
       {"view " + s + ".film_list: views are MySQL SQL", "trigger " + s + ".ins_film",
        "procedure " + s + ".film_in_stock", "function " + s + ".get_customer_balance",
        "index " + s + ".film_text.idx_title_description: FULLTEXT"}) {
    CHECK_THAT(run.out, Catch::Contains(expected));
  }
}

TEST_CASE("my2pg schema creates the tables and keys without data, and refuses to overwrite",
          "[schema]") {
  TestDatabases db;
  if (!load_sakila(db)) return;
  const std::string s = db.name();
  const auto first =
      run_my2pg({"schema", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("Column mapping (") &&
                            Catch::Contains(s + ".film.rental_rate: decimal(4,2) -> numeric(4,2)"));
  CHECK(db.target_value("SELECT count(*) FROM \"" + s + "\".film") == "0");
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                        "connamespace = '" +
                        s + "'::regnamespace") == "22");
  const auto again =
      run_my2pg({"schema", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(again.exit_code == 4);
  CHECK_THAT(again.err, Catch::Contains("already exist") && Catch::Contains("--replace"));
  const auto replaced =
      run_my2pg({"schema", "--source", db.source_uri(), "--target", db.target_uri(), "--replace"});
  INFO(replaced.err);
  CHECK(replaced.exit_code == 0);
}
