// Contract 4: the snapshot and its recorded position agree, and writes after it are not in it.
#include <catch2/catch.hpp>

#include "mysql/connection.hpp"
#include "replica/source_settings.hpp"
#include "snapshot/source_snapshot.hpp"
#include "support/servers.hpp"

using my2pg::test::TestDatabases;

TEST_CASE("writes committed after the snapshot starts are neither read nor before its position") {
  TestDatabases db;
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  db.source().execute("INSERT INTO t VALUES (1), (2)");

  my2pg::mysql::Connection reader(my2pg::mysql::Endpoint::parse(db.source_uri()));
  const my2pg::BinlogPosition pos = my2pg::snapshot::start_consistent_snapshot(reader);
  REQUIRE(pos.known());

  db.source().execute("INSERT INTO t VALUES (3)");
  const auto status = db.source().query("SHOW MASTER STATUS");
  const uint64_t after = std::stoull(*status.rows.at(0).at(1));
  CHECK(after > pos.pos);

  CHECK(reader.query("SELECT COUNT(*) FROM t").rows.at(0).at(0) == "2");
  CHECK(db.source().query("SELECT COUNT(*) FROM t").rows.at(0).at(0) == "3");
  const auto gtid =
      reader.query("SELECT BINLOG_GTID_POS('" + pos.file + "', " + std::to_string(pos.pos) + ")");
  CHECK(gtid.rows.at(0).at(0) == pos.gtid_set);
  reader.execute("COMMIT");
}

TEST_CASE("the sandbox source is set up for replication as a migration reports") {
  my2pg::test::TestDatabases db;
  const auto problems = my2pg::replica::check_replication_settings(db.source());
  INFO(my2pg::replica::describe(problems));
  CHECK(problems.empty());
  db.source().execute("CREATE TABLE t (id INT PRIMARY KEY)");
  const auto r =
      my2pg::test::run_my2pg({"migrate", "--source", db.source_uri(), "--target", db.target_uri()});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("keep replication from continuing"));
  CHECK_THAT(r.err, !Catch::Contains("replication could not continue"));
}
