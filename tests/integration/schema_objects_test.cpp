// Schema objects whose translation is easy to get subtly wrong, through real servers: CHECK
// clauses with escapes, names PostgreSQL would otherwise give twice, enum types on --replace.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

TEST_CASE("CHECK clauses keep their meaning with backslashes and quotes in literals",
          "[schema_objects]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE notes (id INT PRIMARY KEY, c1 INT, note VARCHAR(20), "
      "CONSTRAINT bs CHECK (note <> 'a\\\\' OR c1 > 1), "
      "CONSTRAINT q CHECK (note <> 'it\\'s `x`'))");
  db.source().execute("INSERT INTO notes VALUES (1, 2, 'a\\\\'), (2, 0, 'b')");
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string t = "\"" + db.name() + "\".notes";
  CHECK(db.target_value("SELECT count(*) FROM pg_constraint WHERE contype = 'c' AND conrelid = '" +
                        t + "'::regclass") == "2");
  // What MariaDB refuses, PostgreSQL refuses: note = a\ (one backslash) with c1 = 1.
  auto& pg = db.target();
  CHECK_THROWS_WITH(pg.execute("INSERT INTO " + t + " VALUES (3, 1, 'a\\')"),
                    Catch::Contains("notes_bs"));
  CHECK_THROWS_WITH(pg.execute("INSERT INTO " + t + " VALUES (4, 1, 'it''s `x`')"),
                    Catch::Contains("notes_q"));
  pg.execute("INSERT INTO " + t + " VALUES (5, 1, 'a\\\\')");  // two backslashes are fine
}

TEST_CASE("an index named like PostgreSQL's own key and sequence names gets its own name",
          "[schema_objects]") {
  TestDatabases db;
  db.source().execute(
      "CREATE TABLE t1 (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, c1 INT, "
      "UNIQUE KEY pkey (c1), KEY id_seq (c1))");
  db.source().execute("INSERT INTO t1 (c1) VALUES (1), (2)");
  const auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(db.target_value("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                        "WHERE schemaname = '" +
                        db.name() + "'") == "t1_id_seq_2,t1_pkey,t1_pkey_2");
  CHECK(db.target_value("INSERT INTO \"" + db.name() + "\".t1 (c1) VALUES (3) RETURNING id") ==
        "3");
}

TEST_CASE("replacing an earlier copy drops its enum types too", "[schema_objects]") {
  TestDatabases db;
  db.source().execute("CREATE TABLE sizes (id INT PRIMARY KEY, s ENUM('s', 'm', 'l'))");
  db.source().execute("INSERT INTO sizes VALUES (1, 'm')");
  char name[] = "/tmp/my2pg-enum-XXXXXX";
  const int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  const std::string yaml = "rules:\n  - {match: {type: enum}, target: enum, why: labels}\n";
  REQUIRE(write(fd, yaml.data(), yaml.size()) == static_cast<ssize_t>(yaml.size()));
  close(fd);
  const std::vector<std::string> args = {
      "migrate", "--source", db.source_uri(), "--target", db.target_uri(), "--mapping", name};
  auto r = run_my2pg(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto again = args;
  again.push_back("--replace");
  r = run_my2pg(again);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(db.target_value("SELECT s::text FROM \"" + db.name() + "\".sizes") == "m");
  std::remove(name);
}
