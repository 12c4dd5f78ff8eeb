// The my2pg binary end to end: the command frame, where options come from, error messages and
// exit codes, and that passwords never reach the terminal.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "mysql/endpoint.hpp"
#include "support/servers.hpp"

using my2pg::test::run_my2pg;
using my2pg::test::TestDatabases;

namespace {

std::string password_of(const std::string& mysql_uri) {
  return my2pg::mysql::Endpoint::parse(mysql_uri).password;
}

void check_no_password(const my2pg::test::CommandResult& r, const std::string& password) {
  CHECK(r.out.find(password) == std::string::npos);
  CHECK(r.err.find(password) == std::string::npos);
}

std::string with_password(std::string uri, const std::string& old_pw, const std::string& new_pw) {
  uri.replace(uri.find(":" + old_pw + "@") + 1, old_pw.size(), new_pw);
  return uri;
}

}  // namespace

TEST_CASE("my2pg --help, --version and usage errors") {
  auto r = run_my2pg({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("my2pg 0.", 0) == 0);

  r = run_my2pg({"--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Usage: my2pg <command>") && Catch::Contains("migrate") &&
                        Catch::Contains("$MY2PG_SOURCE"));

  r = run_my2pg({"migrate", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("--target-schema NAME") && Catch::Contains("--replace"));

  r = run_my2pg({});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("Usage:"));

  r = run_my2pg({"frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown command 'frobnicate'"));

  r = run_my2pg({"migrate", "--bogus"}, {"MY2PG_SOURCE=", "MY2PG_TARGET="});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown option --bogus for 'migrate'"));

  r = run_my2pg({"migrate", "--target", "postgresql://x@127.0.0.1/db"}, {"MY2PG_SOURCE="});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing source") && Catch::Contains("MY2PG_SOURCE"));

  r = run_my2pg({"migrate", "--log-level", "loud"},
                {"MY2PG_SOURCE=mysql://u@h/d", "MY2PG_TARGET=x"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown log level 'loud'"));
}

TEST_CASE("migrate from the environment prints a verified summary and no password") {
  TestDatabases db;
  db.source().execute("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20))");
  db.source().execute("INSERT INTO items VALUES (1, 'one'), (2, 'two')");
  const std::string pw = password_of(db.source_uri());
  const auto r = run_my2pg({"migrate", "--log-level", "debug"},
                           {"MY2PG_SOURCE=" + db.source_uri(), "MY2PG_TARGET=" + db.target_uri()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(db.name() + ".items") &&
                        Catch::Contains("row counts and row digests verified equal"));
  CHECK_THAT(r.err, Catch::Contains("snapshot consistent with binlog position mariadb-bin."));
  check_no_password(r, pw);
  CHECK(db.target_value("SELECT string_agg(name, ',' ORDER BY id) FROM " + db.name() + ".items") ==
        "one,two");

  SECTION("a second run refuses to overwrite, --replace copies again") {
    auto again = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
    CHECK(again.exit_code == 4);
    CHECK_THAT(again.err,
               Catch::Contains("source database '" + db.name() + "' was already copied") &&
                   Catch::Contains("--replace"));
    db.source().execute("INSERT INTO items VALUES (3, 'three')");
    again = run_my2pg(
        {"migrate", "--replace", "--source", db.source_uri(), "--target", db.target_uri()});
    CHECK(again.exit_code == 0);
    CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".items") == "3");
  }

  SECTION("tables in the way without an earlier copy are not overwritten") {
    db.target().execute("DELETE FROM my2pg.snapshot WHERE source_database = '" + db.name() + "'");
    const auto again =
        run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
    CHECK(again.exit_code == 4);
    CHECK_THAT(again.err, Catch::Contains("tables or types already exist on the target (" +
                                          db.name() + ".items)"));
  }
}

TEST_CASE("options: the command line beats the environment, which beats --config") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  const std::string config = "/tmp/" + db.name() + ".yaml";
  {
    std::ofstream f(config);
    f << "source: mysql://nobody:wrong@127.0.0.1:1/nothing\n"
      << "target: " << db.target_uri() << "\n"
      << "target_schema: from_config_" << db.name() << "\n";
  }
  auto r = run_my2pg({"migrate", "--config", config, "--target-schema", db.name()},
                     {"MY2PG_SOURCE=" + db.source_uri(), "MY2PG_TARGET="});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(db.target_value("SELECT to_regclass('" + db.name() + ".t') IS NOT NULL") == "t");

  r = run_my2pg({"migrate", "--config", config}, {"MY2PG_SOURCE=", "MY2PG_TARGET="});
  CHECK(r.exit_code == 3);  // the config's source is used, and it is unreachable
  CHECK_THAT(r.err,
             Catch::Contains("cannot connect to the source mysql://nobody@127.0.0.1:1/nothing"));
  CHECK(r.err.find("wrong") == std::string::npos);

  {
    std::ofstream f(config);
    f << "source: x\nsurce: typo\n";
  }
  r = run_my2pg({"migrate", "--config", config});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(config + ":2: unknown option 'surce'"));
  std::remove(config.c_str());
}

TEST_CASE("connection errors name the server, exit 3 or 4, and hide the password") {
  TestDatabases db;
  const std::string pw = password_of(db.source_uri());
  const std::string bad_source = with_password(db.source_uri(), pw, "Wr0ngSecret");
  auto r = run_my2pg({"migrate", "--source", bad_source, "--target", db.target_uri()});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("cannot connect to the source mysql://my2pg@127.0.0.1:") &&
                        Catch::Contains("Access denied"));
  check_no_password(r, "Wr0ngSecret");

  const std::string bad_target = with_password(db.target_uri(), pw, "Wr0ngSecret");
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", bad_target});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("cannot connect to the target postgresql://my2pg@127.0.0.1:") &&
                        Catch::Contains("password authentication failed"));
  check_no_password(r, "Wr0ngSecret");
  check_no_password(r, pw);

  r = run_my2pg({"migrate", "--source", db.source_uri().substr(0, db.source_uri().rfind('/')),
                 "--target", db.target_uri()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("the source URI names no database"));
  check_no_password(r, pw);

  r = run_my2pg(
      {"migrate", "--source", "postgres://u:" + pw + "@h/db", "--target", db.target_uri()});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("is not a MySQL URI"));
  check_no_password(r, pw);

  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target",
                 "host=127.0.0.1 password=" + pw + " bogus=1"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("is not a valid libpq URI or conninfo"));
  check_no_password(r, pw);
}

TEST_CASE("a value PostgreSQL cannot hold stops the copy naming table, column and key") {
  TestDatabases db;
  db.source().execute("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)");
  db.source().execute("INSERT INTO notes VALUES (1, 'fine'), (7, CONCAT('nul', CHAR(0), 'byte'))");
  auto r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("cannot copy " + db.name() + ".notes.body (text) at id=7") &&
                        Catch::Contains("value X'6E756C0062797465'") &&
                        Catch::Contains("NUL byte"));
  // The chunk's transaction rolled back: nothing half-copied is left behind.
  CHECK(db.target_value("SELECT count(*) FROM " + db.name() + ".notes") == "0");

  // Run again, the unfinished copy is resumed, said so, and stops at the same value.
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("resuming the unfinished copy of " + db.name()) &&
                        Catch::Contains("0 of 1 tables were finished and 1 more begun"));
  // Into another schema, it is not silently overwritten.
  r = run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri(),
                 "--target-schema", db.name() + "_other"});
  CHECK(r.exit_code == 4);
  CHECK_THAT(r.err, Catch::Contains("an unfinished copy of source database '" + db.name() + "'") &&
                        Catch::Contains("--replace"));

  db.source().execute("DELETE FROM notes WHERE id = 7");
  db.source().execute("SET SESSION sql_mode = ''");
  db.source().execute("CREATE TABLE events (at DATETIME, d DATE)");
  db.source().execute(
      "INSERT INTO events VALUES ('2020-01-01 00:00:00', '2020-01-01'), "
      "('2020-01-01 00:00:00', '2021-00-10')");
  r = run_my2pg({"migrate", "--replace", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains(db.name() + ".events.d (date) at row 2 (no primary key)") &&
                        Catch::Contains("value '2021-00-10'") &&
                        Catch::Contains("zero or partly-zero date"));
}
